/*
 * Native evidence probe: the Python probe's job (harness/probe.py) for a process that
 * has no Python in it, so that loaders without a CPython here (musl, Windows under Wine)
 * are measured with the same evidence schema.
 *
 * Usage: probe SPEC OUT
 *
 * SPEC is UTF-8 text, one instruction per line, fields separated by TAB ('#' starts a
 * comment line):
 *
 *   load      <id> <path> [local|global]  dlopen(path, RTLD_NOW|RTLD_LOCAL) (or GLOBAL);
 *                                        Windows: LoadLibraryExW(path, NULL,
 *                                        LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR |
 *                                        LOAD_LIBRARY_SEARCH_DEFAULT_DIRS), as CPython's
 *                                        ctypes and extension loader do
 *   call      <id> <load id> <symbol>    call `const char *symbol(void)` of that library
 *   symbol    <name>                     is the name in the global namespace, who defines it
 *   identity  <name>                     call `const char *name(void)` in every loaded
 *                                        object that itself defines it
 *
 * OUT receives evidence schema 1 (docs/architecture.md, "The probe and its evidence").
 * Steps run in order; a failing step does not stop the later ones. Exit 2: bad spec,
 * exit 1: the evidence could not be written; the reason goes to stderr.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <windows.h>
#include <psapi.h>
#else
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <gnu/libc-version.h>
#endif
#endif

#define MAX_STEPS 64
#define MAX_NAMES 32
#define MAX_OBJECTS 512
#define MAX_LINE 8192

enum kind { LOAD, CALL };

struct step {
    enum kind kind;
    char *id;
    char *path;   /* load */
    int global;   /* load */
    int target;   /* call: index of the load step */
    char *symbol; /* call */
    /* outcome */
    int ok;
    char *value;
    char *error_type;
    char *error_message;
    char *module_file;
    void *handle;
};

static struct step steps[MAX_STEPS];
static int nsteps;
static char *symbols[MAX_NAMES];
static int nsymbols;
static char *identities[MAX_NAMES];
static int nidentities;

static char *dup_text(const char *text) {
    size_t size = strlen(text) + 1;
    char *copy = malloc(size);
    if (!copy) {
        fputs("native probe: out of memory\n", stderr);
        exit(1);
    }
    memcpy(copy, text, size);
    return copy;
}

static char *format_text(const char *format, const char *a, const char *b) {
    size_t size = strlen(format) + strlen(a) + strlen(b) + 64;
    char *text = malloc(size);
    if (!text) {
        fputs("native probe: out of memory\n", stderr);
        exit(1);
    }
    snprintf(text, size, format, a, b);
    return text;
}

static void fail(struct step *step, const char *type, char *message) {
    step->ok = 0;
    step->error_type = dup_text(type);
    step->error_message = message;
}

/* ------------------------------------------------------------------------------------ */
/* The spec */

static void spec_error(const char *spec, int line, const char *what) {
    fprintf(stderr, "native probe: spec %s line %d: %s\n", spec, line, what);
    exit(2);
}

static int split_tabs(char *line, char **fields, int max) {
    int count = 0;
    char *cursor = line;
    while (count < max) {
        fields[count++] = cursor;
        char *tab = strchr(cursor, '\t');
        if (!tab) break;
        *tab = '\0';
        cursor = tab + 1;
    }
    return count;
}

static int find_step(const char *id) {
    for (int i = 0; i < nsteps; i++)
        if (strcmp(steps[i].id, id) == 0) return i;
    return -1;
}

static void read_spec(FILE *file, const char *spec) {
    char line[MAX_LINE];
    int number = 0;
    while (fgets(line, sizeof line, file)) {
        number++;
        size_t length = strlen(line);
        if (length == sizeof line - 1 && line[length - 1] != '\n')
            spec_error(spec, number, "line too long");
        while (length && (line[length - 1] == '\n' || line[length - 1] == '\r'))
            line[--length] = '\0';
        if (!length || line[0] == '#') continue;
        char *fields[6];
        int count = split_tabs(line, fields, 6);
        for (int i = 0; i < count; i++)
            if (!fields[i][0]) spec_error(spec, number, "empty field");
        const char *kind = fields[0];
        if (strcmp(kind, "symbol") == 0 || strcmp(kind, "identity") == 0) {
            if (count != 2) spec_error(spec, number, "expected: symbol|identity <TAB> name");
            int is_symbol = kind[0] == 's';
            int *n = is_symbol ? &nsymbols : &nidentities;
            if (*n == MAX_NAMES) spec_error(spec, number, "too many names");
            (is_symbol ? symbols : identities)[(*n)++] = dup_text(fields[1]);
            continue;
        }
        if (nsteps == MAX_STEPS) spec_error(spec, number, "too many steps");
        struct step *step = &steps[nsteps];
        memset(step, 0, sizeof *step);
        if (strcmp(kind, "load") == 0) {
            if (count < 3 || count > 4)
                spec_error(spec, number, "expected: load <TAB> id <TAB> path [<TAB> local|global]");
            step->kind = LOAD;
            step->path = dup_text(fields[2]);
            if (count == 4) {
                if (strcmp(fields[3], "global") == 0) step->global = 1;
                else if (strcmp(fields[3], "local") != 0)
                    spec_error(spec, number, "load mode must be local or global");
            }
        } else if (strcmp(kind, "call") == 0) {
            if (count != 4) spec_error(spec, number, "expected: call <TAB> id <TAB> load-id <TAB> symbol");
            step->kind = CALL;
            step->target = find_step(fields[2]);
            if (step->target < 0 || steps[step->target].kind != LOAD)
                spec_error(spec, number, "call names no earlier load step");
            step->symbol = dup_text(fields[3]);
        } else {
            spec_error(spec, number, "unknown instruction (load, call, symbol, identity)");
        }
        if (find_step(fields[1]) >= 0) spec_error(spec, number, "repeated step id");
        step->id = dup_text(fields[1]);
        nsteps++;
    }
}

/* ------------------------------------------------------------------------------------ */
/* JSON output */

static void json_string(FILE *out, const char *text) {
    if (!text) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c == '"' || *c == '\\') fprintf(out, "\\%c", *c);
        else if (*c < 0x20) fprintf(out, "\\u%04x", *c);
        else fputc(*c, out);
    }
    fputc('"', out);
}

/* ------------------------------------------------------------------------------------ */
/* Platform part: loading, listing, looking up */

typedef const char *(*identity_fn)(void);

static char *objects[MAX_OBJECTS];
static char *sonames[MAX_OBJECTS];
static int nobjects;

static void add_object(char *path, char *soname) {
    for (int i = 0; i < nobjects; i++)
        if (strcmp(objects[i], path) == 0) {
            free(path);
            free(soname);
            return;
        }
    if (nobjects == MAX_OBJECTS) return;
    objects[nobjects] = path;
    sonames[nobjects++] = soname;
}

#ifdef _WIN32

#define LOADED_SOURCE "EnumProcessModules"
#define PLATFORM "windows"
static const char *symbol_note = "Windows has no global symbol namespace: every import names its DLL";

static char *utf8(const wchar_t *text) {
    int size = WideCharToMultiByte(CP_UTF8, 0, text, -1, NULL, 0, NULL, NULL);
    char *out = malloc(size > 0 ? size : 1);
    if (!out) exit(1);
    if (size <= 0) out[0] = '\0';
    else WideCharToMultiByte(CP_UTF8, 0, text, -1, out, size, NULL, NULL);
    return out;
}

static wchar_t *wide(const char *text) {
    int size = MultiByteToWideChar(CP_UTF8, 0, text, -1, NULL, 0);
    wchar_t *out = malloc(sizeof(wchar_t) * (size > 0 ? size : 1));
    if (!out) exit(1);
    if (size <= 0) out[0] = 0;
    else MultiByteToWideChar(CP_UTF8, 0, text, -1, out, size);
    return out;
}

static char *module_path(HMODULE module) {
    DWORD size = 512;
    for (;;) {
        wchar_t *buffer = malloc(sizeof(wchar_t) * size);
        if (!buffer) exit(1);
        DWORD copied = GetModuleFileNameW(module, buffer, size);
        if (copied == 0) {
            free(buffer);
            return NULL;
        }
        if (copied < size || size >= 32768) {
            buffer[copied < size ? copied : size - 1] = 0;
            char *path = utf8(buffer);
            free(buffer);
            return path;
        }
        free(buffer);
        size *= 2;
    }
}

static char *last_error(const char *what) {
    DWORD code = GetLastError();
    wchar_t *text = NULL;
    FormatMessageW(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM |
                       FORMAT_MESSAGE_IGNORE_INSERTS,
                   NULL, code, 0, (LPWSTR)&text, 0, NULL);
    char *message = text ? utf8(text) : dup_text("");
    if (text) LocalFree(text);
    size_t length = strlen(message);
    while (length && (message[length - 1] == '\n' || message[length - 1] == '\r' ||
                      message[length - 1] == ' '))
        message[--length] = '\0';
    char code_text[16];
    snprintf(code_text, sizeof code_text, "%lu", (unsigned long)code);
    char *result = format_text("[WinError %s] %s", code_text, message);
    size_t size = strlen(result) + strlen(what) + 4;
    char *full = malloc(size);
    if (!full) exit(1);
    snprintf(full, size, "%s (%s)", result, what);
    free(result);
    free(message);
    return full;
}

static void run_load(struct step *step) {
    if (step->global) {
        fail(step, "NotApplicable", dup_text("Windows has no RTLD_GLOBAL: every import names its DLL"));
        return;
    }
    wchar_t *path = wide(step->path);
    HMODULE module =
        LoadLibraryExW(path, NULL, LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR | LOAD_LIBRARY_SEARCH_DEFAULT_DIRS);
    free(path);
    if (!module) {
        fail(step, "LoadError", last_error("LoadLibraryExW"));
        return;
    }
    step->ok = 1;
    step->handle = module;
    step->module_file = module_path(module);
}

static void *find_symbol(void *handle, const char *name) {
    return (void *)GetProcAddress((HMODULE)handle, name);
}

static char *symbol_error(const char *name) {
    return last_error(name);
}

static void list_objects(void) {
    HANDLE process = GetCurrentProcess();
    HMODULE self = GetModuleHandleW(NULL);
    DWORD capacity = 256, needed = 0;
    HMODULE *modules = NULL;
    for (int attempt = 0; attempt < 8; attempt++) {
        modules = realloc(modules, sizeof(HMODULE) * capacity);
        if (!modules) exit(1);
        if (!EnumProcessModules(process, modules, sizeof(HMODULE) * capacity, &needed)) return;
        if (needed <= sizeof(HMODULE) * capacity) break;
        capacity = needed / sizeof(HMODULE) + 32;
    }
    for (DWORD i = 0; i < needed / sizeof(HMODULE) && i < capacity; i++) {
        if (modules[i] == self) continue;
        char *path = module_path(modules[i]);
        if (path) add_object(path, NULL);
    }
    free(modules);
}

static HMODULE module_of(const void *address) {
    HMODULE owner = NULL;
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS |
                                GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                            (LPCWSTR)address, &owner))
        return NULL;
    return owner;
}

/* Address of `name` if the loaded module `path` itself exports it (not forwarded). */
static void *own_address(const char *path, const char *name) {
    wchar_t *wpath = wide(path);
    HMODULE module = GetModuleHandleW(wpath);
    free(wpath);
    if (!module) return NULL;
    void *address = (void *)GetProcAddress(module, name);
    if (address && module_of(address) == module) return address;
    return NULL;
}

static int global_lookup(const char *name, char **defined_by) {
    (void)name;
    *defined_by = NULL;
    return 0;
}

static char *executable(void) {
    return module_path(NULL);
}

static void loader_info(const char **name, char **version) {
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    typedef const char *(*wine_version_fn)(void);
    wine_version_fn wine_version =
        ntdll ? (wine_version_fn)(void *)GetProcAddress(ntdll, "wine_get_version") : NULL;
    if (wine_version) {
        *name = "wine";
        *version = dup_text(wine_version());
    } else {
        OSVERSIONINFOW info;
        memset(&info, 0, sizeof info);
        info.dwOSVersionInfoSize = sizeof info;
        char text[64] = "";
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
        if (GetVersionExW(&info))
            snprintf(text, sizeof text, "%lu.%lu.%lu", (unsigned long)info.dwMajorVersion,
                     (unsigned long)info.dwMinorVersion, (unsigned long)info.dwBuildNumber);
#pragma GCC diagnostic pop
        *name = "windows";
        *version = dup_text(text);
    }
}

static FILE *open_file(const char *path, const char *mode) {
    wchar_t *wpath = wide(path);
    wchar_t wmode[8];
    size_t i = 0;
    for (; mode[i] && i < 7; i++) wmode[i] = (wchar_t)mode[i];
    wmode[i] = 0;
    FILE *file = _wfopen(wpath, wmode);
    free(wpath);
    return file;
}

#else /* POSIX: glibc and musl */

#define LOADED_SOURCE "dl_iterate_phdr"
#define PLATFORM "linux"
static const char *symbol_note = NULL;

/* The file mapped at `address` according to the kernel (/proc/self/maps), or NULL. */
static char *maps_path_at(unsigned long address) {
    FILE *maps = fopen("/proc/self/maps", "r");
    if (!maps) return NULL;
    char line[MAX_LINE];
    char *found = NULL;
    while (!found && fgets(line, sizeof line, maps)) {
        unsigned long start, end;
        int offset = 0;
        if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &start, &end, &offset) < 2 || !offset)
            continue;
        char *path = line + offset;
        path[strcspn(path, "\n")] = '\0';
        if (start <= address && address < end && path[0] == '/') found = dup_text(path);
    }
    fclose(maps);
    return found;
}

static char *real_path(const char *name, unsigned long base) {
    char *mapped = NULL;
    if (!name || name[0] != '/') {
        mapped = maps_path_at(base);
        if (!mapped) return NULL;
        name = mapped;
    }
    char *real = realpath(name, NULL);
    if (!real) real = dup_text(name);
    free(mapped);
    return real;
}

/* DT_SONAME of a 64-bit ELF file, read from the file like the Python probe does. */
static char *file_soname(const char *path) {
    FILE *file = fopen(path, "rb");
    if (!file) return NULL;
    char *soname = NULL;
    Elf64_Ehdr header;
    Elf64_Phdr *phdrs = NULL;
    Elf64_Dyn *dynamic = NULL;
    if (fread(&header, sizeof header, 1, file) != 1 || memcmp(header.e_ident, ELFMAG, SELFMAG) ||
        header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_phentsize != sizeof(Elf64_Phdr))
        goto done;
    phdrs = calloc(header.e_phnum, sizeof *phdrs);
    if (!phdrs || fseek(file, (long)header.e_phoff, SEEK_SET) ||
        fread(phdrs, sizeof *phdrs, header.e_phnum, file) != header.e_phnum)
        goto done;
    Elf64_Phdr *dyn = NULL;
    for (int i = 0; i < header.e_phnum; i++)
        if (phdrs[i].p_type == PT_DYNAMIC) dyn = &phdrs[i];
    if (!dyn || !dyn->p_filesz) goto done;
    size_t count = dyn->p_filesz / sizeof(Elf64_Dyn);
    dynamic = calloc(count, sizeof *dynamic);
    if (!dynamic || fseek(file, (long)dyn->p_offset, SEEK_SET) ||
        fread(dynamic, sizeof *dynamic, count, file) != count)
        goto done;
    Elf64_Addr strtab = 0;
    Elf64_Xword name = 0;
    int has_name = 0;
    for (size_t i = 0; i < count && dynamic[i].d_tag != DT_NULL; i++) {
        if (dynamic[i].d_tag == DT_STRTAB) strtab = dynamic[i].d_un.d_ptr;
        if (dynamic[i].d_tag == DT_SONAME) {
            name = dynamic[i].d_un.d_val;
            has_name = 1;
        }
    }
    if (!has_name || !strtab) goto done;
    for (int i = 0; i < header.e_phnum; i++) {
        Elf64_Phdr *load = &phdrs[i];
        if (load->p_type != PT_LOAD || strtab < load->p_vaddr ||
            strtab >= load->p_vaddr + load->p_filesz)
            continue;
        char text[4096];
        if (fseek(file, (long)(strtab - load->p_vaddr + load->p_offset + name), SEEK_SET)) break;
        size_t got = fread(text, 1, sizeof text - 1, file);
        text[got] = '\0';
        if (memchr(text, '\0', got) || got < sizeof text - 1) soname = dup_text(text);
        break;
    }
done:
    free(dynamic);
    free(phdrs);
    fclose(file);
    return soname;
}

static void run_load(struct step *step) {
    void *handle = dlopen(step->path, RTLD_NOW | (step->global ? RTLD_GLOBAL : RTLD_LOCAL));
    if (!handle) {
        const char *message = dlerror();
        fail(step, "LoadError", dup_text(message ? message : "dlopen failed"));
        return;
    }
    step->ok = 1;
    step->handle = handle;
    struct link_map *map = NULL;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0 && map)
        step->module_file = real_path(map->l_name, (unsigned long)map->l_addr);
}

static void *find_symbol(void *handle, const char *name) {
    dlerror();
    return dlsym(handle, name);
}

static char *symbol_error(const char *name) {
    const char *message = dlerror();
    return message ? dup_text(message) : format_text("%s%s: not found", "", name);
}

struct visit_state {
    int index;
};

static int visit(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    struct visit_state *state = data;
    if (state->index++ == 0) return 0; /* the main program */
    unsigned long start = info->dlpi_addr;
    for (int i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_LOAD) {
            start += info->dlpi_phdr[i].p_vaddr;
            break;
        }
    char *path = real_path(info->dlpi_name, start);
    if (path) add_object(path, NULL);
    return 0;
}

static void list_objects(void) {
    struct visit_state state = {0};
    dl_iterate_phdr(visit, &state);
    for (int i = 0; i < nobjects; i++) sonames[i] = file_soname(objects[i]);
}

static char *object_at(const void *address) {
    Dl_info info;
    if (!dladdr(address, &info) || !info.dli_fname) return NULL;
    return real_path(info.dli_fname, (unsigned long)info.dli_fbase);
}

/* Address of `name` if the loaded object `path` itself defines it: dlsym on a handle
 * also searches its dependencies, so dladdr must place the answer in `path`. NOLOAD:
 * looking does not load anything. */
static void *own_address(const char *path, const char *name) {
    void *handle = dlopen(path, RTLD_LAZY | RTLD_NOLOAD | RTLD_LOCAL);
    if (!handle) return NULL;
    void *address = dlsym(handle, name);
    void *result = NULL;
    if (address) {
        char *owner = object_at(address);
        if (owner && strcmp(owner, path) == 0) result = address;
        free(owner);
    }
    dlclose(handle);
    return result;
}

static int global_lookup(const char *name, char **defined_by) {
    void *address = dlsym(RTLD_DEFAULT, name);
    *defined_by = address ? object_at(address) : NULL;
    return address != NULL;
}

static char *executable(void) {
    char *path = realpath("/proc/self/exe", NULL);
    return path ? path : dup_text("");
}

static void loader_info(const char **name, char **version) {
#ifdef __GLIBC__
    *name = "glibc";
    *version = dup_text(gnu_get_libc_version());
#else
    *name = "musl"; /* musl offers no version call */
    *version = NULL;
#endif
}

static FILE *open_file(const char *path, const char *mode) {
    return fopen(path, mode);
}

#endif

/* ------------------------------------------------------------------------------------ */

static void run_call(struct step *step) {
    struct step *load = &steps[step->target];
    if (!load->ok) {
        fail(step, "NotLoaded", format_text("step '%s' did not load %s", load->id, load->path));
        return;
    }
    identity_fn function = (identity_fn)find_symbol(load->handle, step->symbol);
    if (!function) {
        fail(step, "SymbolError", symbol_error(step->symbol));
        return;
    }
    const char *value = function();
    step->ok = 1;
    step->value = value ? dup_text(value) : NULL;
}

static void write_evidence(FILE *out) {
    const char *loader = NULL;
    char *version = NULL;
    loader_info(&loader, &version);
    char *exe = executable();
    fputs("{\"schema\": 1,\n \"python\": {\"version\": \"native\", \"executable\": ", out);
    json_string(out, exe);
    fputs(", \"platform\": \"" PLATFORM "\"},\n \"loader\": {\"name\": ", out);
    json_string(out, loader);
    fputs(", \"version\": ", out);
    json_string(out, version);
    fputs("},\n \"steps\": [", out);
    for (int i = 0; i < nsteps; i++) {
        struct step *step = &steps[i];
        fputs(i ? ",\n  {\"id\": " : "\n  {\"id\": ", out);
        json_string(out, step->id);
        fprintf(out, ", \"ok\": %s, \"value\": ", step->ok ? "true" : "false");
        json_string(out, step->value);
        if (step->ok && step->kind == CALL)
            fputs(step->value ? ", \"value_type\": \"str\"" : ", \"value_type\": \"NoneType\"", out);
        if (step->module_file) {
            fputs(", \"module_file\": ", out);
            json_string(out, step->module_file);
        }
        fputs(", \"error\": ", out);
        if (step->ok) {
            fputs("null}", out);
        } else {
            fputs("{\"type\": ", out);
            json_string(out, step->error_type);
            fputs(", \"message\": ", out);
            json_string(out, step->error_message);
            fputs("}}", out);
        }
    }
    fputs("],\n \"loaded_source\": \"" LOADED_SOURCE "\",\n \"loaded\": [", out);
    for (int i = 0; i < nobjects; i++) {
        fputs(i ? ",\n  {\"path\": " : "\n  {\"path\": ", out);
        json_string(out, objects[i]);
        fputs(", \"soname\": ", out);
        json_string(out, sonames[i]);
        fputs("}", out);
    }
    fputs("],\n \"symbols\": {", out);
    for (int s = 0; s < nsymbols; s++) {
        char *defined_by = NULL;
        int global = global_lookup(symbols[s], &defined_by);
        fputs(s ? ",\n  " : "\n  ", out);
        json_string(out, symbols[s]);
        fprintf(out, ": {\"global\": %s, \"defined_by\": ", global ? "true" : "false");
        json_string(out, defined_by);
        fputs(", \"defined_in\": [", out);
        int first = 1;
        for (int i = 0; i < nobjects; i++)
            if (own_address(objects[i], symbols[s])) {
                fputs(first ? "" : ", ", out);
                json_string(out, objects[i]);
                first = 0;
            }
        fputs("]", out);
        if (symbol_note) {
            fputs(", \"note\": ", out);
            json_string(out, symbol_note);
        }
        fputs("}", out);
        free(defined_by);
    }
    fputs("},\n \"identities\": [", out);
    int first = 1;
    for (int f = 0; f < nidentities; f++)
        for (int i = 0; i < nobjects; i++) {
            identity_fn function = (identity_fn)own_address(objects[i], identities[f]);
            if (!function) continue;
            fputs(first ? "\n  {\"path\": " : ",\n  {\"path\": ", out);
            first = 0;
            json_string(out, objects[i]);
            fputs(", \"function\": ", out);
            json_string(out, identities[f]);
            fputs(", \"value\": ", out);
            json_string(out, function());
            fputs("}", out);
        }
    fputs("]}\n", out);
    free(exe);
    free(version);
}

static int probe(const char *spec_path, const char *out_path) {
    FILE *spec = open_file(spec_path, "r");
    if (!spec) {
        fprintf(stderr, "native probe: cannot read spec %s\n", spec_path);
        return 2;
    }
    read_spec(spec, spec_path);
    fclose(spec);
    for (int i = 0; i < nsteps; i++) {
        if (steps[i].kind == LOAD) run_load(&steps[i]);
        else run_call(&steps[i]);
    }
    list_objects();
    FILE *out = open_file(out_path, "w");
    if (!out) {
        fprintf(stderr, "native probe: cannot write evidence %s\n", out_path);
        return 1;
    }
    write_evidence(out);
    if (fclose(out) != 0) {
        fprintf(stderr, "native probe: error writing evidence %s\n", out_path);
        return 1;
    }
    return 0;
}

#ifdef _WIN32
int wmain(int argc, wchar_t **argv) {
    if (argc != 3) {
        fputs("usage: probe SPEC OUT\n", stderr);
        return 2;
    }
    return probe(utf8(argv[1]), utf8(argv[2]));
}
#else
int main(int argc, char **argv) {
    if (argc != 3) {
        fputs("usage: probe SPEC OUT\n", stderr);
        return 2;
    }
    return probe(argv[1], argv[2]);
}
#endif
