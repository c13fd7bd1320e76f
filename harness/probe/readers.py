"""The probe's loaded-object readers: one class per operating system, and the pure parts.

Each operating system has one reader class (``LinuxReader``, ``DarwinReader``,
``WindowsReader``); the platform-independent parts (iteration, real paths,
de-duplication, binary header parsing) are plain functions that take their data source
as an argument so they can be tested on any OS. A reader lists the loaded objects and
looks symbols up without loading anything new (``RTLD_NOLOAD``, ``GetModuleHandleW``).
Standard library only, like the rest of the probe.
"""

# ruff: noqa: PTH117, PTH123
# (string paths straight from the loader APIs; pathlib adds nothing here)

from __future__ import annotations

import ctypes
import os
import struct
import sys

# ---------------------------------------------------------------------------
# Platform-independent helpers (testable anywhere)


def unique_real_paths(names, realpath=os.path.realpath):
    """Real paths of image names in first-seen order, without empty names or repeats."""
    seen = set()
    paths = []
    for name in names:
        if not name:
            continue
        path = realpath(name)
        if path not in seen:
            seen.add(path)
            paths.append(path)
    return paths


PT_LOAD = 1


MH_MAGIC = 0xFEEDFACE
MH_MAGIC_64 = 0xFEEDFACF
MH_EXECUTE = 2
LC_ID_DYLIB = 0xD


def macho_image_info(read):
    """``(filetype, install_name or None)`` of a thin Mach-O image via ``read(offset, size)``.

    Used on a dyld image header in memory (always thin, native byte order), and
    by tests on Mach-O files built with a cross toolchain.
    """
    magic = struct.unpack("<I", read(0, 4))[0]
    if magic not in (MH_MAGIC, MH_MAGIC_64):
        raise ValueError(f"not a thin little-endian Mach-O image (magic {magic:#x})")
    header_size = 32 if magic == MH_MAGIC_64 else 28
    _magic, _cpu, _sub, filetype, ncmds, sizeofcmds = struct.unpack("<6I", read(0, 24))
    commands = read(header_size, sizeofcmds)
    offset = 0
    for _ in range(ncmds):
        cmd, cmdsize = struct.unpack_from("<II", commands, offset)
        if cmd == LC_ID_DYLIB:
            name_offset = struct.unpack_from("<I", commands, offset + 8)[0]
            name = commands[offset + name_offset : offset + cmdsize]
            return filetype, os.fsdecode(name.split(b"\0", 1)[0])
        if cmdsize <= 0:
            break
        offset += cmdsize
    return filetype, None


def dyld_images(count, name_at, header_at):
    """``[(name, header address)]`` of dyld's image list, skipping slots emptied meanwhile.

    ``count()``, ``name_at(i)`` and ``header_at(i)`` are ``_dyld_image_count``,
    ``_dyld_get_image_name`` and ``_dyld_get_image_header``. Another thread may
    unload an image while we iterate; its slot then answers NULL and is skipped.
    """
    images = []
    for index in range(count()):
        name = name_at(index)
        header = header_at(index)
        if name and header:
            images.append((os.fsdecode(name), header))
    return images


def darwin_loaded(images, reader_at, realpath=os.path.realpath):
    """Loaded entries ``{"path", "install_name"}`` for dyld ``[(name, header)]``.

    ``reader_at(header)`` gives ``read(offset, size)`` over that image's Mach-O
    header. The main executable (MH_EXECUTE) is not a shared object and is left out.
    """
    install_names = {}
    names = []
    for name, header in images:
        try:
            filetype, install_name = macho_image_info(reader_at(header))
        except (ValueError, struct.error):
            filetype, install_name = None, None
        if filetype == MH_EXECUTE:
            continue
        names.append(name)
        install_names.setdefault(realpath(name), install_name)
    return [
        {"path": path, "install_name": install_names[path]}
        for path in unique_real_paths(names, realpath)
    ]


def windows_loaded(handles, main_handle, path_of, realpath=os.path.realpath):
    """Loaded entries ``{"path"}`` for module handles, without the executable's own module."""
    names = [path_of(handle) for handle in handles if handle and handle != main_handle]
    return [{"path": path} for path in unique_real_paths(names, realpath)]


def enumerate_modules(enum_process_modules, max_attempts=8):
    """All module handles via ``enum_process_modules(capacity) -> (handles, needed_count)``.

    The module list can grow between the size query and the copy; retry with the
    size the call reported until everything fits.
    """
    capacity = 256
    for _ in range(max_attempts):
        handles, needed = enum_process_modules(capacity)
        if needed <= capacity:
            return list(handles[:needed])
        capacity = needed + 32
    raise RuntimeError("EnumProcessModules kept growing; gave up")


def module_file_name(get_module_file_name, handle, max_chars=32768):
    """Full path of a module via ``get_module_file_name(handle, size) -> (text, copied)``.

    The API truncates silently and returns the buffer size when the path did not
    fit, so grow the buffer until it does (long paths exceed MAX_PATH).
    """
    size = 260
    while True:
        text, copied = get_module_file_name(handle, size)
        if copied == 0:
            return None
        if copied < size or size >= max_chars:
            return _strip_long_path_prefix(text[:copied])
        size *= 2


def _strip_long_path_prefix(path):
    if path.startswith("\\\\?\\UNC\\"):
        return "\\\\" + path[8:]
    if path.startswith("\\\\?\\"):
        return path[4:]
    return path


def parse_maps_line(line):
    """``(start, end, inode, path)`` of a /proc/self/maps line, or None for anonymous maps."""
    fields = line.split(None, 5)
    if len(fields) < 6 or not fields[5].startswith("/"):
        return None
    start, _, end = fields[0].partition("-")
    path = fields[5].rstrip("\n")
    if path.endswith(" (deleted)"):
        path = path[: -len(" (deleted)")]
    return int(start, 16), int(end, 16), int(fields[4]), path


# ---------------------------------------------------------------------------
# POSIX dynamic-linker calls shared by Linux and macOS


class DlInfo(ctypes.Structure):
    _fields_ = [
        ("dli_fname", ctypes.c_char_p),
        ("dli_fbase", ctypes.c_void_p),
        ("dli_sname", ctypes.c_char_p),
        ("dli_saddr", ctypes.c_void_p),
    ]


class PosixReader:
    """dlopen/dlsym/dladdr over ctypes; subclasses list the images and know RTLD_DEFAULT."""

    rtld_default = None
    global_note = None

    def __init__(self, libdl):
        self._dlopen = _function(libdl, "dlopen", ctypes.c_void_p, [ctypes.c_char_p, ctypes.c_int])
        self._dlsym = _function(libdl, "dlsym", ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_char_p])
        self._dlclose = _function(libdl, "dlclose", ctypes.c_int, [ctypes.c_void_p])
        self._dladdr = _function(
            libdl, "dladdr", ctypes.c_int, [ctypes.c_void_p, ctypes.POINTER(DlInfo)]
        )
        # glibc insists on one of RTLD_LAZY/RTLD_NOW, even with RTLD_NOLOAD.
        self._noload = os.RTLD_LAZY | os.RTLD_NOLOAD | os.RTLD_LOCAL

    def object_at(self, address):
        """Real path of the object containing ``address`` (dladdr), or None."""
        info = DlInfo()
        if not self._dladdr(address, ctypes.byref(info)) or not info.dli_fname:
            return None
        return self._real_object_path(os.fsdecode(info.dli_fname), info.dli_fbase)

    def _real_object_path(self, name, base):
        return os.path.realpath(name)

    def global_address(self, symbol):
        return self._dlsym(self.rtld_default, symbol.encode())

    def own_address(self, path, symbol):
        """Address of ``symbol`` if the loaded object ``path`` itself defines it, else None.

        dlsym on a handle also searches the object's dependencies, so the
        answer is kept only when dladdr places it in ``path`` itself.
        RTLD_NOLOAD: an object that is not loaded is not loaded now.
        """
        handle = self._dlopen(os.fsencode(path), self._noload)
        if not handle:
            return None
        try:
            address = self._dlsym(handle, symbol.encode())
            if address and self.object_at(address) == path:
                return address
            return None
        finally:
            self._dlclose(handle)


def _function(library, name, restype, argtypes):
    function = getattr(library, name)
    function.restype = restype
    function.argtypes = argtypes
    return function


class DlPhdrInfo(ctypes.Structure):
    _fields_ = [
        ("dlpi_addr", ctypes.c_size_t),
        ("dlpi_name", ctypes.c_char_p),
        ("dlpi_phdr", ctypes.c_void_p),
        ("dlpi_phnum", ctypes.c_uint16),
    ]


_PHDR_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(DlPhdrInfo), ctypes.c_size_t, ctypes.c_void_p
)


class LinuxReader(PosixReader):
    """glibc/musl: dl_iterate_phdr (fallback /proc/self/maps)."""

    name = "linux"
    rtld_default = None  # RTLD_DEFAULT is ((void *) 0)

    def __init__(self):
        process = ctypes.CDLL(None)
        libdl = process if hasattr(process, "dladdr") else _already_loaded("libdl.so.2")
        super().__init__(libdl)
        self._process = process
        self.source = None

    def images(self):
        try:
            raw = self._iterate_phdr()
            self.source = "dl_iterate_phdr"
        except (AttributeError, OSError):
            raw = self._maps_images()
            self.source = "/proc/self/maps"
        paths = unique_real_paths(path for path in raw if path)
        return [{"path": path} for path in paths]

    def _iterate_phdr(self):
        found = []

        def visit(info, _size, _data):
            try:
                entry = info.contents
                found.append(
                    (entry.dlpi_name or b"", entry.dlpi_addr, entry.dlpi_phdr, entry.dlpi_phnum)
                )
            except BaseException:  # an exception must not cross the C frame
                return 1
            return 0

        iterate = self._process.dl_iterate_phdr
        iterate.restype = ctypes.c_int
        iterate.argtypes = [_PHDR_CALLBACK, ctypes.c_void_p]
        iterate(_PHDR_CALLBACK(visit), None)
        paths = []
        for index, (raw_name, bias, phdr, phnum) in enumerate(found):
            name = os.fsdecode(raw_name)
            if index == 0 and not name:
                continue  # the main program
            if os.path.isabs(name):
                paths.append(name)
            else:  # vdso, or a dlopen by relative path: ask the kernel's view
                start = bias + _first_load_vaddr(phdr, phnum)
                paths.append(self._maps_path_at(start))
        return paths

    def _maps(self):
        with open("/proc/self/maps", encoding="utf-8", errors="surrogateescape") as handle:
            return [m for m in map(parse_maps_line, handle) if m is not None]

    def _maps_path_at(self, address):
        try:
            for start, end, _inode, path in self._maps():
                if start <= address < end:
                    return path
        except OSError:
            pass
        return None

    def _maps_images(self):
        executable = os.path.realpath("/proc/self/exe")
        paths = []
        for _start, _end, inode, path in self._maps():
            new = inode and path not in paths and os.path.realpath(path) != executable
            if new and _is_elf_shared_object(path):
                paths.append(path)
        return paths

    def _real_object_path(self, name, base):
        if not os.path.isabs(name):
            name = self._maps_path_at(base or 0) or name
        return os.path.realpath(name)


def _first_load_vaddr(phdr, phnum):
    is64 = ctypes.sizeof(ctypes.c_void_p) == 8
    size = 56 if is64 else 32
    table = ctypes.string_at(phdr, size * phnum)
    for index in range(phnum):
        if is64:
            p_type, _flags, _offset, p_vaddr = struct.unpack_from("=IIQQ", table, index * size)
        else:
            p_type, _offset, p_vaddr = struct.unpack_from("=III", table, index * size)
        if p_type == PT_LOAD:
            return p_vaddr
    return 0


def _is_elf_shared_object(path):
    try:
        with open(path, "rb") as handle:
            header = handle.read(18)
    except OSError:
        return False
    if len(header) < 18 or header[:4] != b"\x7fELF":
        return False
    e_type = struct.unpack(("<" if header[5] == 1 else ">") + "H", header[16:18])[0]
    return e_type == 3  # ET_DYN


def _already_loaded(name):
    return ctypes.CDLL(name, mode=os.RTLD_NOLOAD)


class DarwinReader(PosixReader):
    """dyld: the image list, install names from the in-memory Mach-O headers."""

    name = "macos"
    rtld_default = ctypes.c_void_p(-2).value  # RTLD_DEFAULT is ((void *) -2)

    def __init__(self):
        process = ctypes.CDLL(None)
        super().__init__(process)
        self._count = _function(process, "_dyld_image_count", ctypes.c_uint32, [])
        self._name = _function(process, "_dyld_get_image_name", ctypes.c_char_p, [ctypes.c_uint32])
        self._header = _function(
            process, "_dyld_get_image_header", ctypes.c_void_p, [ctypes.c_uint32]
        )
        self.source = "dyld image list"

    def images(self):
        images = dyld_images(self._count, self._name, self._header)
        return darwin_loaded(images, _memory_reader)


def _memory_reader(base):
    def read(offset, size):
        return ctypes.string_at(base + offset, size)

    return read


class WindowsReader:
    """The process module list; Windows has no global symbol namespace."""

    name = "windows"
    global_note = (
        "Windows has no global symbol namespace: each import names its DLL, so "
        "'global' is always false; 'defined_in' lists the modules exporting the name"
    )

    def __init__(self):
        from ctypes import wintypes  # noqa: PLC0415 - Windows-only types

        self._wintypes = wintypes
        # kernel32 is in every process; K32EnumProcessModules avoids loading psapi.dll.
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        self._current_process = _function(kernel32, "GetCurrentProcess", wintypes.HANDLE, [])
        self._enum = _function(
            kernel32,
            "K32EnumProcessModules",
            wintypes.BOOL,
            [
                wintypes.HANDLE,
                ctypes.POINTER(wintypes.HMODULE),
                wintypes.DWORD,
                ctypes.POINTER(wintypes.DWORD),
            ],
        )
        self._file_name = _function(
            kernel32,
            "GetModuleFileNameW",
            wintypes.DWORD,
            [wintypes.HMODULE, wintypes.LPWSTR, wintypes.DWORD],
        )
        self._handle = _function(kernel32, "GetModuleHandleW", wintypes.HMODULE, [wintypes.LPCWSTR])
        self._handle_ex = _function(
            kernel32,
            "GetModuleHandleExW",
            wintypes.BOOL,
            [wintypes.DWORD, ctypes.c_void_p, ctypes.POINTER(wintypes.HMODULE)],
        )
        self._proc_address = _function(
            kernel32, "GetProcAddress", ctypes.c_void_p, [wintypes.HMODULE, ctypes.c_char_p]
        )
        self.source = "EnumProcessModules"
        self._handles = {}

    def _enum_call(self, capacity):
        wintypes = self._wintypes
        handles = (wintypes.HMODULE * capacity)()
        needed = wintypes.DWORD()
        size = ctypes.sizeof(wintypes.HMODULE)
        if not self._enum(self._current_process(), handles, capacity * size, ctypes.byref(needed)):
            raise ctypes.WinError(ctypes.get_last_error())
        return list(handles), needed.value // size

    def _file_name_call(self, handle, size):
        buffer = ctypes.create_unicode_buffer(size)
        copied = self._file_name(handle, buffer, size)
        return buffer.value, copied

    def _module_path(self, handle):
        return module_file_name(self._file_name_call, handle)

    def images(self):
        handles = enumerate_modules(self._enum_call)
        main = self._handle(None)
        paths = {}

        def path_of(handle):
            path = self._module_path(handle)
            if path:
                paths.setdefault(os.path.realpath(path), handle)
            return path

        loaded = windows_loaded(handles, main, path_of)
        self._handles = paths
        return loaded

    def object_at(self, address):
        module = self._wintypes.HMODULE()
        flags = 0x4 | 0x2  # GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | _UNCHANGED_REFCOUNT
        if not self._handle_ex(flags, address, ctypes.byref(module)):
            return None
        path = self._module_path(module)
        return os.path.realpath(path) if path else None

    def global_address(self, symbol):
        return None

    def own_address(self, path, symbol):
        """Address of ``symbol`` if module ``path`` itself exports it (not a forwarder)."""
        # the handle seen in the module list; GetModuleHandleW takes no reference, never loads
        handle = self._handles.get(path) or self._handle(path)
        if not handle:
            return None
        address = self._proc_address(handle, symbol.encode())
        if address and self.object_at(address) == path:
            return address
        return None


def platform_reader():
    if sys.platform.startswith("linux"):
        return LinuxReader()
    if sys.platform == "darwin":
        return DarwinReader()
    if sys.platform == "win32":
        return WindowsReader()
    raise RuntimeError(f"the probe has no loaded-image reader for sys.platform={sys.platform!r}")
