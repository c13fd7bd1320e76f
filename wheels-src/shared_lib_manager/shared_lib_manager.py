"""Preload the native libraries a producer wheel ships, so consumers' dependencies resolve to them.

A producer wheel declares where its library lives on each platform and calls
``loader.load()`` before anything needs the library. The dynamic loader then answers a
consumer's dependency entry (ELF ``DT_NEEDED`` matched by ``DT_SONAME``, Mach-O
``LC_LOAD_DYLIB`` matched by install name, a PE import matched by DLL base name) from
the already loaded copy instead of searching the file system.

This file is self-contained (standard library only, Python >= 3.9) so projects can
vendor it by copying. Importing it defines things and nothing else: ``ctypes`` is
imported on the first load, and log records go to ``logging.getLogger(__name__)``
only when the application has imported :mod:`logging` (records are DEBUG/INFO, which an
unconfigured logging would drop anyway).
"""

# Deferred imports and os.path keep importing this module cheap (no ctypes/pathlib).
# ruff: noqa: PLC0415, PTH100, PTH110, PTH113, PTH117, PTH118, PTH119, PTH120, PTH123, PTH208

from __future__ import annotations

import _thread
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ctypes import CDLL
    from typing import BinaryIO, Callable, Iterable, Mapping, Union

    PathValue = Union[str, "os.PathLike[str]"]

__version__ = "0.1.0"
__all__ = [
    "SOURCE_SYSTEM",
    "SOURCE_WHEEL",
    "SOURCE_WHEEL_FALLBACK",
    "EnvironmentValueError",
    "LibraryLoadError",
    "LibraryLoader",
    "LoadedLibrary",
    "PlatformLibrary",
    "check_consumable",
    "elf_soname",
    "macho_install_ids",
    "parse_bool",
    "prefer_system_variable",
]

SOURCE_WHEEL = "wheel"
"""Loaded from the path the producer declared (the system copy was not asked for)."""
SOURCE_SYSTEM = "system"
"""Found by the platform's normal search for the bare file name (``prefer_system``)."""
SOURCE_WHEEL_FALLBACK = "wheel-fallback"
"""``prefer_system`` was asked for, the search found nothing, the declared path was loaded."""

_TRUE_VALUES = frozenset({"1", "true", "yes", "on"})
_FALSE_VALUES = frozenset({"", "0", "false", "no", "off"})

# platform.system() values, which are PlatformLibrary's keyword names, derived from
# sys.platform so that importing this module does not import ``platform``.
if sys.platform.startswith("linux"):
    _SYSTEM: str | None = "Linux"
elif sys.platform == "darwin":
    _SYSTEM = "Darwin"
elif sys.platform == "win32":
    _SYSTEM = "Windows"
else:
    _SYSTEM = None

# POSIX: keep the library's symbols out of the global namespace. dyld's default is
# RTLD_GLOBAL (and so is ctypes' on macOS), so the mode is always passed explicitly.
_POSIX_MODE = getattr(os, "RTLD_LOCAL", 0) | getattr(os, "RTLD_NOW", 0)
# Windows: LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR | LOAD_LIBRARY_SEARCH_DEFAULT_DIRS, so a DLL
# loaded by full path finds its neighbours in its own directory.
_WIN_FULL_PATH_MODE = 0x00000100 | 0x00001000
# Windows system search: 0 is LoadLibrary's standard search order, which includes PATH.
_WIN_SEARCH_MODE = 0


def _log(level: int, message: str, *args: object) -> None:
    logging = sys.modules.get("logging")
    if logging is not None:
        logging.getLogger(__name__).log(level, message, *args)


_DEBUG = 10
_INFO = 20


class EnvironmentValueError(ValueError):
    """An environment variable holds something that is not a documented boolean."""

    def __init__(self, variable: str, value: str) -> None:
        self.variable = variable
        self.value = value
        super().__init__(
            f"environment variable {variable}={value!r} is not a boolean; use one of "
            "1, true, yes, on (prefer the system library) or 0, false, no, off, or leave "
            "it empty/unset (use the wheel's library); case does not matter"
        )


def parse_bool(variable: str, value: str | None) -> bool:
    """Read an environment value as a boolean; unset and empty mean false.

    True: ``1 true yes on``; false: ``0 false no off`` and empty (any case, surrounding
    whitespace ignored). Anything else raises :class:`EnvironmentValueError`.
    """
    if value is None:
        return False
    folded = value.strip().lower()
    if folded in _TRUE_VALUES:
        return True
    if folded in _FALSE_VALUES:
        return False
    raise EnvironmentValueError(variable, value)


def prefer_system_variable(name: str) -> str:
    """``PREFER_<NAME>_SYSTEM_LIBRARY`` for library ``name`` (upper-cased, non-alnum -> ``_``)."""
    if name.isascii() and name.isidentifier():
        stem = name.upper()
    else:
        stem = "".join(c if c.isascii() and c.isalnum() else "_" for c in name.upper())
    return f"PREFER_{stem}_SYSTEM_LIBRARY"


def _check_path(keyword: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(
            f"PlatformLibrary({keyword}=...) must be a str or os.PathLike path or None, "
            f"got {type(value).__name__}"
        )
    path = os.fspath(value)
    if not isinstance(path, str):
        raise TypeError(f"PlatformLibrary({keyword}=...) must be a text path, got bytes {path!r}")
    if not path:
        return None
    if keyword == _SYSTEM and not os.path.isabs(path):
        raise ValueError(
            f"PlatformLibrary({keyword}={path!r}): the path must be absolute; build it from "
            "the module's location, e.g. os.path.join(os.path.dirname(__file__), 'lib', ...)"
        )
    return path


class PlatformLibrary:
    """Where one library lives on each platform (keys are ``platform.system()`` values).

    ``default`` is a zero-argument callable returning a path; it is called on the first
    load when there is no entry for the running platform (other platforms, or a choice
    that must be made at run time).
    """

    __slots__ = ("Darwin", "Linux", "Windows", "default")

    def __init__(
        self,
        *,
        Linux: PathValue | None = None,
        Darwin: PathValue | None = None,
        Windows: PathValue | None = None,
        default: Callable[[], PathValue] | None = None,
    ) -> None:
        self.Linux = _check_path("Linux", Linux)
        self.Darwin = _check_path("Darwin", Darwin)
        self.Windows = _check_path("Windows", Windows)
        if default is not None and not callable(default):
            raise TypeError("PlatformLibrary(default=...) must be a zero-argument callable")
        self.default = default

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{key}={getattr(self, key)!r}"
            for key in ("Linux", "Darwin", "Windows", "default")
            if getattr(self, key) is not None
        )
        return f"PlatformLibrary({fields})"

    def has_path(self, system: str | None = _SYSTEM) -> bool:
        """Whether a path can be found for ``system`` (without calling ``default``)."""
        return self._declared(system) is not None or self.default is not None

    def path(self, system: str | None = _SYSTEM) -> str | None:
        """The path for ``system`` (the running platform by default), or None."""
        declared = self._declared(system)
        if declared is not None:
            return declared
        if self.default is None:
            return None
        path = _check_path("default", self.default())
        if path is not None and not os.path.isabs(path):
            raise ValueError(f"PlatformLibrary(default=...) returned a relative path {path!r}")
        return path

    def _declared(self, system: str | None) -> str | None:
        if system in ("Linux", "Darwin", "Windows"):
            value: str | None = getattr(self, system)
            return value
        return None


class LoadedLibrary:
    """One loaded library: its ctypes handle, the file it came from and how it was chosen.

    Read-only: the fields are properties over private slots.
    """

    __slots__ = ("_handle", "_name", "_path", "_source")

    def __init__(self, name: str, handle: CDLL, path: str, source: str) -> None:
        self._name = name
        self._handle = handle
        self._path = path
        self._source = source

    @property
    def name(self) -> str:
        """The library's key in the loader's declaration."""
        return self._name

    @property
    def handle(self) -> CDLL:
        """The ``ctypes.CDLL`` object (keeps the library loaded; call functions through it)."""
        return self._handle

    @property
    def path(self) -> str:
        """The declared wheel path, or for a system copy the file the loader found."""
        return self._path

    @property
    def source(self) -> str:
        """:data:`SOURCE_WHEEL`, :data:`SOURCE_SYSTEM` or :data:`SOURCE_WHEEL_FALLBACK`."""
        return self._source

    def __repr__(self) -> str:
        return f"LoadedLibrary(name={self._name!r}, path={self._path!r}, source={self._source!r})"


class LibraryLoadError(OSError):
    """A declared library could not be loaded; the message says what was tried and the fix."""

    def __init__(  # noqa: PLR0917 - positional, as __reduce__ rebuilds it
        self,
        library: str,
        attempts: tuple[tuple[str, str], ...],
        system_search_tried: bool,
        variable: str,
        missing_file: bool,
        not_a_library: str | None = None,
        script_inputs: tuple[str, ...] = (),
        owner: str | None = None,
    ) -> None:
        self.library = library
        self.attempts = attempts
        """``(what was tried, the platform's message)`` pairs, in order."""
        self.tried = tuple(what for what, _ in attempts)
        self.system_search_tried = system_search_tried
        self.variable = variable
        self.platform_message = attempts[-1][1] if attempts else ""
        self.missing_file = missing_file
        self.not_a_library = not_a_library
        """What the declared file is when it is not a shared library at all (``"a GNU ld
        linker script"``, ``"a text file"``...), else None."""
        self.script_inputs = script_inputs
        """The shared-library files a linker script names (``INPUT``/``GROUP``), resolved
        next to the script where they are there: the file to declare instead."""
        self.owner = owner
        """``name==version`` of the installed distribution whose ``RECORD`` lists the
        declared file (so a missing file means a broken install of it), else None."""
        super().__init__(self._message())

    def __reduce__(self) -> tuple[object, ...]:
        args = (
            self.library,
            self.attempts,
            self.system_search_tried,
            self.variable,
            self.missing_file,
            self.not_a_library,
            self.script_inputs,
            self.owner,
        )
        return (type(self), args)

    def __str__(self) -> str:
        return self._message()

    def _message(self) -> str:
        lines = [f"could not load library {self.library!r}", "  tried:"]
        lines.extend(f"    - {what}: {message}" for what, message in self.attempts)
        if self.system_search_tried:
            lines.append("  system search: tried first, nothing usable found")
        else:
            lines.append(
                f"  system search: not tried ({self.variable} is not true and prefer_system=False)"
            )
        if self.not_a_library is not None:
            lines.extend(self._not_a_library_lines())
        elif self.missing_file and self.owner is not None:
            lines.append(
                f"  fix: the library file is missing although the installed distribution "
                f"{self.owner} lists it in its RECORD (a broken or half-finished install); "
                f"reinstall it (pip install --force-reinstall {self.owner}), or install the "
                f"library on the system and set {self.variable}=1"
            )
        elif self.missing_file:
            lines.append(
                "  fix: the library file is missing; reinstall the package that ships it "
                "(pip install --force-reinstall <producer distribution>), or install the "
                f"library on the system and set {self.variable}=1"
            )
        else:
            lines.append(
                "  fix: the file exists but the platform loader rejected it (see the message: "
                "usually a missing dependency or the wrong architecture); reinstall the "
                "package that ships it, check its own dependencies (ldd / otool -L / "
                f"dumpbin /dependents), or install the library on the system and set "
                f"{self.variable}=1"
            )
        return "\n".join(lines)

    def _not_a_library_lines(self) -> list[str]:
        declared = self.attempts[-1][0] if self.attempts else "the declared file"
        declared = (
            declared[len("wheel path ") :] if declared.startswith("wheel path ") else declared
        )
        names = f", naming {', '.join(self.script_inputs)}" if self.script_inputs else ""
        if self.script_inputs:
            example = self.script_inputs[0]
        else:
            example = "the versioned file such as libfoo.so.1"
        return [
            f"  file: {declared} is {self.not_a_library}{names}, not the shared library "
            "consumers need: the platform loader cannot load it (unversioned development "
            "names such as libc.so are often such files, read only by the static linker)",
            "  fix: the package that ships it must declare the library file itself in its "
            f"PlatformLibrary, on Linux the file named by the SONAME ({example}); "
            f"report this to the maintainers{f' of {self.owner}' if self.owner else ''}",
        ]


class LibraryLoader:
    """Loads a producer's libraries once each, in declaration order, with ``RTLD_LOCAL``.

    ``load()`` is idempotent and thread-safe: concurrent callers share one load of each
    library and get the same :class:`LoadedLibrary` records back.
    """

    def __init__(self, libraries: Mapping[str, PlatformLibrary]) -> None:
        specs: dict[str, PlatformLibrary] = {}
        for name, spec in libraries.items():
            if not isinstance(name, str) or not name:
                raise TypeError(f"library names must be non-empty strings, got {name!r}")
            if not isinstance(spec, PlatformLibrary):
                raise TypeError(
                    f"library {name!r}: expected a PlatformLibrary, got {type(spec).__name__}"
                )
            if not spec.has_path():
                raise ValueError(
                    f"library {name!r} declares no path for this platform "
                    f"({_SYSTEM or sys.platform}) and no default; this is a bug in the "
                    "wheel that declares it, please report it to its maintainers"
                )
            specs[name] = spec
        self._specs = specs
        self._names = tuple(specs)
        # computed once at declaration (import time), not on every first load
        self._variables = {name: prefer_system_variable(name) for name in specs}
        self._loaded: dict[str, LoadedLibrary] = {}
        self._everything: dict[str, LoadedLibrary] | None = None
        self._lock = _thread.RLock()

    @property
    def names(self) -> tuple[str, ...]:
        """The declared library names, in load order."""
        return self._names

    @property
    def loaded(self) -> dict[str, LoadedLibrary]:
        """What has been loaded so far (a copy)."""
        return dict(self._loaded)

    def load(
        self, libraries: Iterable[str] | None = None, *, prefer_system: bool = False
    ) -> dict[str, LoadedLibrary]:
        """Load ``libraries`` (all when None) in declaration order; return name -> record.

        With ``prefer_system`` or a true ``PREFER_<NAME>_SYSTEM_LIBRARY`` the bare file
        name is tried through the platform's normal search first, then the declared
        path. A library already loaded is not loaded again (whatever ``prefer_system``
        says now: a process cannot swap a loaded library).
        """
        if libraries is None:
            everything = self._everything
            if everything is not None:
                return dict(everything)
            names = self._names
        else:
            names = self._order(libraries)
            try:
                return {name: self._loaded[name] for name in names}
            except KeyError:
                pass
        with self._lock:
            loaded = self._loaded
            for name in names:
                if name not in loaded:
                    loaded[name] = self._load_one(name, prefer_system)
            result = {name: loaded[name] for name in names}
            if len(loaded) == len(self._specs):
                self._everything = {name: loaded[name] for name in self._names}
            return result

    def _order(self, libraries: Iterable[str]) -> tuple[str, ...]:
        wanted = {libraries} if isinstance(libraries, str) else set(libraries)
        unknown = sorted(name for name in wanted if name not in self._specs)
        if unknown:
            raise ValueError(
                f"unknown library {', '.join(map(repr, unknown))}; this loader declares "
                f"{', '.join(map(repr, self._specs)) or 'nothing'}"
            )
        return tuple(name for name in self._specs if name in wanted)

    def _load_one(self, name: str, prefer_system: bool) -> LoadedLibrary:
        import ctypes

        variable = self._variables[name]
        from_env = parse_bool(variable, os.environ.get(variable))
        path = self._specs[name].path()
        if path is None:
            raise ValueError(f"library {name!r}: PlatformLibrary(default=...) returned None")
        attempts: list[tuple[str, str]] = []
        want_system = prefer_system or from_env
        if want_system:
            bare = os.path.basename(path)
            try:
                handle = ctypes.CDLL(bare, mode=_POSIX_MODE, winmode=_WIN_SEARCH_MODE)
            except OSError as error:
                attempts.append((f"system search for {bare!r}", str(error)))
                _log(_INFO, "%s: no system copy of %r found, using the wheel's", name, bare)
            else:
                found = _file_of(handle, bare)
                why = "prefer_system=True" if prefer_system else f"{variable} is true"
                _log(_INFO, "%s: loaded system copy %s (%s)", name, found, why)
                return LoadedLibrary(name, handle, found, SOURCE_SYSTEM)
        if sys.platform == "win32":
            # LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR needs a fully qualified path with backslashes.
            path = os.path.abspath(path)
        try:
            handle = ctypes.CDLL(path, mode=_POSIX_MODE, winmode=_WIN_FULL_PATH_MODE)
        except OSError as error:
            attempts.append((f"wheel path {path}", str(error)))
            missing = not os.path.exists(path)
            kind, inputs = (None, ()) if missing else _not_a_library(path)
            owner = _owner_of(path) if missing or kind is not None else None
            raise LibraryLoadError(
                name, tuple(attempts), want_system, variable, missing, kind, inputs, owner
            ) from error
        source = SOURCE_WHEEL_FALLBACK if want_system else SOURCE_WHEEL
        _log(_DEBUG, "%s: loaded %s (%s)", name, path, source)
        return LoadedLibrary(name, handle, path, source)


def _owner_of(path: str) -> str | None:
    """Off the hot path (after a failed load): ``name==version`` of the distribution whose
    ``*.dist-info/RECORD`` lists ``path``, looked up in the ``sys.path`` entry holding it."""
    path = os.path.normcase(os.path.abspath(path))
    for entry in sys.path:
        root = os.path.normcase(os.path.abspath(entry or os.curdir))
        if not path.startswith(root.rstrip(os.sep) + os.sep):
            continue
        relative = path[len(root.rstrip(os.sep)) + 1 :]  # normcased: native separators
        try:
            names = sorted(os.listdir(root))
        except OSError:
            continue
        for name in names:
            if not name.endswith(".dist-info"):
                continue
            try:
                with open(os.path.join(root, name, "RECORD"), encoding="utf-8") as record:
                    listed = any(
                        os.path.normcase(line.split(",", 1)[0]) == relative for line in record
                    )
            except (OSError, UnicodeDecodeError):
                continue
            if listed:
                dist, _, version = name[: -len(".dist-info")].partition("-")
                return f"{dist}=={version}" if version else dist
    return None


_FAT_MAGICS = (b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf")


def _object_format(magic: bytes) -> str | None:
    """``"elf"``, ``"pe"`` or ``"macho"`` (thin or fat) for a file's first four bytes, else None."""
    if magic == b"\x7fELF":
        return "elf"
    if magic[:2] == b"MZ":
        return "pe"
    if magic in _MACHO_MAGICS or magic in _FAT_MAGICS:
        return "macho"
    return None


def _not_a_library(path: str) -> tuple[str | None, tuple[str, ...]]:
    """Off the hot path (after a failed load): what ``path`` is when it is no object file.

    ``(None, ())`` for an ELF, Mach-O or PE file (the loader rejected a real library:
    a missing dependency, the wrong architecture) or an unreadable file. Otherwise a
    description and, for a GNU ld linker script, the shared libraries it names.
    """
    try:
        with open(path, "rb") as stream:
            head = stream.read(4096)
    except OSError:
        return None, ()
    if _object_format(head[:4]) is not None:
        return None, ()
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return "not an ELF, Mach-O or PE file", ()
    inputs = _linker_script_inputs(text)
    if inputs is None:
        return ("an empty file" if not head.strip() else "a text file"), ()
    directory = os.path.dirname(path)
    resolved = []
    for name in inputs:
        beside = os.path.join(directory, os.path.basename(name))
        resolved.append(beside if os.path.isfile(beside) else name)
    return "a GNU ld linker script", tuple(resolved)


def _linker_script_inputs(text: str) -> list[str] | None:
    """The shared libraries an ``INPUT(...)`` / ``GROUP(...)`` script names, None if no script."""
    import re

    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    commands = list(re.finditer(r"\b(?:INPUT|GROUP)\s*\(", text))
    names: list[str] = []
    for command in commands:
        depth, end = 1, command.end()
        while end < len(text) and depth:  # the body may nest AS_NEEDED ( ... )
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            end += 1
        for token in re.split(r"[\s,()]+", text[command.end() : end]):
            name = f"lib{token[2:]}.so" if token.startswith("-l") else token
            if ".so" in os.path.basename(name) and name not in names:
                names.append(name)
    return names if commands else None


def _file_of(handle: CDLL, fallback: str) -> str:
    """Best effort: the file a handle found by search came from (off the fast path)."""
    import ctypes

    try:
        if sys.platform == "win32":
            buffer = ctypes.create_unicode_buffer(32768)
            kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
            size = kernel32.GetModuleFileNameW(ctypes.c_void_p(handle._handle), buffer, 32768)
            return buffer.value if size else fallback
        if sys.platform == "darwin":
            dyld = ctypes.CDLL(None)
            dyld._dyld_get_image_name.restype = ctypes.c_char_p
            for index in range(dyld._dyld_image_count()):
                image = os.fsdecode(dyld._dyld_get_image_name(ctypes.c_uint32(index)))
                if os.path.basename(image) == fallback:
                    return image
            return fallback
        return _elf_file_of(handle, fallback)
    except (OSError, AttributeError, ValueError):
        return fallback


def _elf_file_of(handle: CDLL, fallback: str) -> str:
    import ctypes

    class LinkMap(ctypes.Structure):
        _fields_ = [("l_addr", ctypes.c_size_t), ("l_name", ctypes.c_char_p)]

    rtld_di_linkmap = 2
    try:
        dlinfo = ctypes.CDLL(None).dlinfo
    except AttributeError:
        dlinfo = ctypes.CDLL("libdl.so.2").dlinfo
    dlinfo.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
    link_map = ctypes.POINTER(LinkMap)()
    if dlinfo(handle._handle, rtld_di_linkmap, ctypes.byref(link_map)) != 0 or not link_map:
        return fallback
    name = link_map.contents.l_name
    return os.fsdecode(name) if name else fallback


# --- checking a file is consumable (for producers' own tests; never on the load path) ---


def check_consumable(path: PathValue, expected_name: str | None = None) -> list[str]:
    """Problems that stop preloading ``path`` from satisfying consumers (empty when fine).

    ``expected_name`` is what consumers record as their dependency, by default the
    file's own name: the ELF ``DT_SONAME``; for Mach-O the install id, ``@rpath/<name>``
    unless a full id is given; for PE the DLL file name. The file format is read from
    the file, so any platform's libraries can be checked on any host.
    """
    import struct

    file_path = os.fspath(path)
    wanted = expected_name or os.path.basename(file_path)
    try:
        with open(file_path, "rb") as stream:
            magic = stream.read(4)
            fmt = _object_format(magic)
            if fmt == "elf":
                return _check_elf(stream, file_path, wanted)
            if fmt == "pe":
                return _check_pe(stream, file_path, wanted)
            if fmt == "macho":
                expected_id = wanted if "/" in wanted else f"@rpath/{wanted}"
                return _check_macho(stream, file_path, expected_id)
    except FileNotFoundError:
        return [f"{file_path}: file not found"]
    except (OSError, struct.error, _MalformedError) as error:
        return [f"{file_path}: cannot be read as a library ({error})"]
    hint = " (a text file such as a linker script?)" if magic.isascii() else ""
    return [f"{file_path}: not an ELF, Mach-O or PE file{hint}; preload the real library file"]


class _MalformedError(ValueError):
    """The file's headers do not hold together."""


def _read(stream: BinaryIO, offset: int, size: int) -> bytes:
    stream.seek(offset)
    data = stream.read(size)
    if len(data) != size:
        raise _MalformedError(f"file truncated at offset {offset}")
    return data


_ET_DYN = 3
_PT_LOAD = 1
_PT_DYNAMIC = 2
_DT_NULL = 0
_DT_STRTAB = 5
_DT_SONAME = 14


def elf_soname(stream: BinaryIO) -> tuple[int, str | None]:
    """``(e_type, DT_SONAME or None)`` of an ELF file, read via its program headers."""
    import struct

    ident = _read(stream, 0, 16)
    bits = {1: 32, 2: 64}.get(ident[4])
    order = {1: "<", 2: ">"}.get(ident[5])
    if bits is None or order is None:
        raise _MalformedError(f"unknown ELF class/data bytes {ident[4]}/{ident[5]}")
    if bits == 64:
        header = struct.unpack(order + "HHIQQQIHHH", _read(stream, 16, 42))
        phdr_format, dyn_format = order + "IIQQQQQQ", order + "qQ"
    else:
        header = struct.unpack(order + "HHIIIIIHHH", _read(stream, 16, 30))
        phdr_format, dyn_format = order + "IIIIIIII", order + "iI"
    e_type, e_phoff, e_phentsize, e_phnum = header[0], header[4], header[8], header[9]
    loads: list[tuple[int, int, int]] = []
    dynamic: tuple[int, int] | None = None
    phdr_size = struct.calcsize(phdr_format)
    for index in range(e_phnum):
        fields = struct.unpack(phdr_format, _read(stream, e_phoff + index * e_phentsize, phdr_size))
        if bits == 64:
            p_type, p_offset, p_vaddr, p_filesz = fields[0], fields[2], fields[3], fields[5]
        else:
            p_type, p_offset, p_vaddr, p_filesz = fields[0], fields[1], fields[2], fields[4]
        if p_type == _PT_LOAD:
            loads.append((p_vaddr, p_filesz, p_offset))
        elif p_type == _PT_DYNAMIC:
            dynamic = (p_offset, p_filesz)
    if dynamic is None:
        return e_type, None
    dyn_size = struct.calcsize(dyn_format)
    table = _read(stream, dynamic[0], dynamic[1] - dynamic[1] % dyn_size)
    strtab: int | None = None
    soname: int | None = None
    for tag, value in struct.iter_unpack(dyn_format, table):
        if tag == _DT_NULL:
            break
        if tag == _DT_STRTAB:
            strtab = value
        elif tag == _DT_SONAME:
            soname = value
    if strtab is None or soname is None:
        return e_type, None
    for vaddr, filesz, offset in loads:
        if vaddr <= strtab < vaddr + filesz:
            return e_type, _read_c_string(stream, strtab - vaddr + offset + soname)
    raise _MalformedError("DT_STRTAB is outside every PT_LOAD segment")


def _read_c_string(stream: BinaryIO, offset: int) -> str:
    stream.seek(offset)
    data = stream.read(4096)
    end = data.find(b"\0")
    if end < 0:
        raise _MalformedError(f"unterminated string at offset {offset}")
    return os.fsdecode(data[:end])


def _check_elf(stream: BinaryIO, file_path: str, wanted: str) -> list[str]:
    e_type, soname = elf_soname(stream)
    problems: list[str] = []
    if e_type != _ET_DYN:
        problems.append(f"{file_path}: ELF e_type is {e_type}, not a shared object (ET_DYN)")
    if soname is None:
        problems.append(
            f"{file_path}: has no DT_SONAME, so the loader knows it only by its path and a "
            f"consumer's DT_NEEDED {wanted!r} is not satisfied by preloading it; link it "
            f"with -Wl,-soname,{wanted} (CMake: set the VERSION/SOVERSION properties)"
        )
    elif soname != wanted:
        problems.append(
            f"{file_path}: DT_SONAME is {soname!r} but consumers ask for {wanted!r}; "
            "preload the file named by the SONAME (not an unversioned symlink) or fix "
            "the -Wl,-soname link option"
        )
    return problems


_MACHO_MAGICS = {
    b"\xfe\xed\xfa\xce": (">", 28),
    b"\xce\xfa\xed\xfe": ("<", 28),
    b"\xfe\xed\xfa\xcf": (">", 32),
    b"\xcf\xfa\xed\xfe": ("<", 32),
}
_MH_DYLIB = 6
_LC_ID_DYLIB = 0x0D
_CPU_NAMES = {7: "i386", 0x01000007: "x86_64", 12: "arm", 0x0100000C: "arm64", 18: "ppc"}


def macho_install_ids(stream: BinaryIO) -> list[tuple[str, int, str | None]]:
    """``(architecture, filetype, LC_ID_DYLIB name or None)`` for each slice of a Mach-O."""
    import struct

    magic = _read(stream, 0, 4)
    if magic in _MACHO_MAGICS:
        return [_macho_slice(stream, 0)]
    wide = magic == b"\xca\xfe\xba\xbf"
    (count,) = struct.unpack(">I", _read(stream, 4, 4))
    # A Java class file shares the magic; its major version (>= 45) lands here.
    if count > 30:
        raise _MalformedError(f"{count} fat slices: not a Mach-O universal file (Java class?)")
    entry_format = ">iiQQII" if wide else ">iiIII"
    entry_size = struct.calcsize(entry_format)
    return [
        _macho_slice(
            stream, struct.unpack(entry_format, _read(stream, 8 + i * entry_size, entry_size))[2]
        )
        for i in range(count)
    ]


def _macho_slice(stream: BinaryIO, base: int) -> tuple[str, int, str | None]:
    import struct

    magic = _read(stream, base, 4)
    if magic not in _MACHO_MAGICS:
        raise _MalformedError(f"no Mach-O header at offset {base}")
    order, header_size = _MACHO_MAGICS[magic]
    cputype, _, filetype, ncmds, _ = struct.unpack(order + "iiIII", _read(stream, base + 4, 20))
    arch = _CPU_NAMES.get(cputype, f"cputype {cputype}")
    offset = base + header_size
    for _ in range(ncmds):
        cmd, cmdsize = struct.unpack(order + "II", _read(stream, offset, 8))
        if cmd == _LC_ID_DYLIB:
            (name_offset,) = struct.unpack(order + "I", _read(stream, offset + 8, 4))
            raw = _read(stream, offset + name_offset, cmdsize - name_offset)
            return arch, filetype, os.fsdecode(raw.split(b"\0", 1)[0])
        if cmdsize < 8:
            raise _MalformedError(f"load command of size {cmdsize} at offset {offset}")
        offset += cmdsize
    return arch, filetype, None


def _check_macho(stream: BinaryIO, file_path: str, expected_id: str) -> list[str]:
    problems: list[str] = []
    for arch, filetype, install_id in macho_install_ids(stream):
        where = f"{file_path} [{arch}]"
        if filetype != _MH_DYLIB:
            problems.append(f"{where}: Mach-O filetype {filetype}, not a dylib (MH_DYLIB)")
        elif install_id is None:
            problems.append(f"{where}: has no LC_ID_DYLIB install name")
        elif install_id != expected_id:
            problems.append(
                f"{where}: install id is {install_id!r} but consumers must record "
                f"{expected_id!r}; link with -install_name {expected_id} (or fix it with "
                f"install_name_tool -id {expected_id})"
            )
    return problems


def _check_pe(stream: BinaryIO, file_path: str, wanted: str) -> list[str]:
    import struct

    (pe_offset,) = struct.unpack("<I", _read(stream, 0x3C, 4))
    if _read(stream, pe_offset, 4) != b"PE\0\0":
        return [f"{file_path}: MZ file without a PE header"]
    (characteristics,) = struct.unpack("<H", _read(stream, pe_offset + 22, 2))
    problems: list[str] = []
    if not characteristics & 0x2000:
        problems.append(f"{file_path}: PE file is not a DLL (IMAGE_FILE_DLL unset)")
    name = os.path.basename(file_path)
    if name.lower() != wanted.lower():
        problems.append(
            f"{file_path}: Windows matches loaded DLLs by file name, so consumers importing "
            f"{wanted!r} are not satisfied by preloading {name!r}; ship it as {wanted}"
        )
    return problems
