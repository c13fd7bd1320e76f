"""Preload the native libraries a producer wheel ships, so consumers' dependencies resolve to them.

The dynamic loader answers a consumer's dependency (ELF ``DT_NEEDED`` by ``DT_SONAME``,
Mach-O ``LC_LOAD_DYLIB`` by install name, a PE import by DLL name) from a loaded copy.
Standard library only, Python >= 3.9. Vendor it by copying this file and, beside it under
its name plus ``_diagnostics``, ``shared_lib_manager_diagnostics.py`` (imported only to
explain a failed load). Importing this module imports nothing else (``ctypes`` comes with
the first load; records go to ``logging`` only when the application has imported it).
"""

# No `from __future__ import annotations` (it imports a module): annotations are quoted.
# ruff: noqa: PLC0415, PTH100, PTH117, PTH119, PTH121

import _thread
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ctypes import CDLL
    from types import ModuleType
    from typing import Any, Callable, Iterable, Mapping, Union

    PathValue = Union[str, "os.PathLike[str]"]

__version__ = "0.2.0"
__all__ = ["SOURCE_SYSTEM", "SOURCE_WHEEL", "SOURCE_WHEEL_FALLBACK", "EnvironmentValueError"]
__all__ += ["LibraryLoadError", "LibraryLoader", "LoadedLibrary", "PlatformLibrary"]
__all__ += ["parse_bool", "prefer_system_variable"]

SOURCE_WHEEL = "wheel"  # loaded from the declared path (no system copy asked for)
SOURCE_SYSTEM = "system"  # found by the platform's search for the bare file name
SOURCE_WHEEL_FALLBACK = "wheel-fallback"  # a system copy was asked for, none found

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")
_KEYS = ("Linux", "Darwin", "Windows")  # platform.system() values, PlatformLibrary keywords
_SYSTEM = {"linux": "Linux", "darwin": "Darwin", "win32": "Windows"}.get(sys.platform)
# POSIX: always RTLD_LOCAL explicitly (dyld's default is global). Windows, by full path:
# DLL_LOAD_DIR | DEFAULT_DIRS (neighbours resolve); system search: 0, the order incl. PATH.
_POSIX_MODE = getattr(os, "RTLD_LOCAL", 0) | getattr(os, "RTLD_NOW", 0)
_WIN_FULL_PATH_MODE = 0x00000100 | 0x00001000

# One lock for every loader of this module. A thread holding it at fork() does not exist
# in the child, so the child starts with a fresh lock (else its first load() hangs).
_lock = _thread.RLock()


def _reset_lock_after_fork() -> None:
    global _lock  # noqa: PLW0603
    _lock = _thread.RLock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_lock_after_fork)


def _log(level: int, message: str, *args: object) -> None:
    if "logging" in sys.modules:  # unconfigured, logging would drop DEBUG/INFO records anyway
        sys.modules["logging"].getLogger(__name__).log(level, message, *args)


class EnvironmentValueError(ValueError):
    """An environment variable holds something that is not a documented boolean."""

    def __init__(self, variable: str, value: str) -> None:
        self.variable, self.value = variable, value
        super().__init__(
            f"environment variable {variable}={value!r} is not a boolean; use one of "
            "1, true, yes, on (prefer the system library) or 0, false, no, off, or leave "
            "it empty/unset (use the wheel's library); case does not matter"
        )


def parse_bool(variable: str, value: "str | None") -> bool:
    """True: ``1 true yes on``; false: ``0 false no off``, empty, unset (any case, blanks
    around ignored). Anything else raises :class:`EnvironmentValueError`."""
    folded = "" if value is None else value.strip().lower()
    if folded in _TRUE or folded in _FALSE:
        return folded in _TRUE
    raise EnvironmentValueError(variable, str(value))


def prefer_system_variable(name: str) -> str:
    """``PREFER_<NAME>_SYSTEM_LIBRARY`` for library ``name`` (upper-cased, non-alnum -> ``_``)."""
    stem = name.upper()
    if not (stem.isascii() and stem.isidentifier()):  # the common case needs no rewriting
        stem = "".join(c if c.isascii() and c.isalnum() else "_" for c in stem)
    return f"PREFER_{stem}_SYSTEM_LIBRARY"


def _check_path(keyword: str, value: object) -> "str | None":
    path = os.fspath(value) if isinstance(value, (str, os.PathLike)) else value
    if path is not None and not isinstance(path, str):
        got = f"{type(path).__name__} {path!r}"
        raise TypeError(
            f"PlatformLibrary({keyword}=...) must be a str or os.PathLike text path, got {got}"
        )
    if path and keyword in (_SYSTEM, "default") and not os.path.isabs(path):
        raise ValueError(
            f"PlatformLibrary({keyword}={path!r}): the path must be absolute; build it from "
            "the module's location, e.g. os.path.join(os.path.dirname(__file__), 'lib', ...)"
        )
    return path or None


class PlatformLibrary:
    """Where one library lives on each platform (keys are ``platform.system()`` values);
    ``default()`` returns a path on the first load when the platform has no entry."""

    __slots__ = ("Darwin", "Linux", "Windows", "default")

    def __init__(
        self,
        *,
        Linux: "PathValue | None" = None,
        Darwin: "PathValue | None" = None,
        Windows: "PathValue | None" = None,
        default: "Callable[[], PathValue] | None" = None,
    ) -> None:
        self.Linux = _check_path("Linux", Linux)
        self.Darwin = _check_path("Darwin", Darwin)
        self.Windows = _check_path("Windows", Windows)
        if default is not None and not callable(default):
            raise TypeError("PlatformLibrary(default=...) must be a zero-argument callable")
        self.default = default

    def __repr__(self) -> str:
        fields = ((key, getattr(self, key)) for key in (*_KEYS, "default"))
        return f"PlatformLibrary({', '.join(f'{k}={v!r}' for k, v in fields if v is not None)})"

    def has_path(self, system: "str | None" = _SYSTEM) -> bool:
        """Whether a path can be found for ``system`` (without calling ``default``)."""
        return self.default is not None or self._declared(system) is not None

    def path(self, system: "str | None" = _SYSTEM) -> "str | None":
        """The path for ``system`` (the running platform by default), or None."""
        declared = self._declared(system)
        if declared is None and self.default is not None:
            return _check_path("default", self.default())
        return declared

    def _declared(self, system: "str | None") -> "str | None":
        return getattr(self, system) if system in _KEYS else None


class LoadedLibrary:
    """One loaded library (read-only): ``name`` (its declared key), ``handle`` (the ``CDLL``),
    ``path`` (declared, or the file a system search found) and ``source`` (``SOURCE_*``)."""

    __slots__ = ("handle", "name", "path", "source")
    name: str
    handle: "CDLL"
    path: str
    source: str

    def __init__(self, name: str, handle: "CDLL", path: str, source: str) -> None:
        for key, value in (("name", name), ("handle", handle), ("path", path), ("source", source)):
            object.__setattr__(self, key, value)

    def __setattr__(self, key: str, value: object) -> None:
        raise AttributeError(f"LoadedLibrary is read-only (cannot set {key!r})")

    def __repr__(self) -> str:
        return f"LoadedLibrary(name={self.name!r}, path={self.path!r}, source={self.source!r})"


class LibraryLoadError(OSError):
    """A declared library could not be loaded; the message says what was tried and the fix.

    ``attempts``: ``(what was tried, the platform's message)``; the fields after ``variable``
    come from the diagnosis made after the failure (see the README)."""

    def __init__(  # noqa: PLR0917 - positional, as __reduce__ rebuilds it
        self,
        library: str,
        attempts: "tuple[tuple[str, str], ...]",
        system_search_tried: bool,
        variable: str,
        missing_file: bool = False,
        not_a_library: "str | None" = None,
        script_inputs: "tuple[str, ...]" = (),
        owner: "str | None" = None,
        archive: "str | None" = None,
        reason: str = "unknown",
    ) -> None:
        self.library, self.attempts, self.variable = library, attempts, variable
        self.tried = tuple(what for what, _ in attempts)
        self.platform_message = attempts[-1][1] if attempts else ""
        self.system_search_tried, self.missing_file = system_search_tried, missing_file
        self.not_a_library, self.script_inputs = not_a_library, script_inputs
        self.owner, self.archive, self.reason = owner, archive, reason
        diagnostics = _diagnostics()
        tried = "".join(f"\n    - {what}: {message}" for what, message in attempts)
        super().__init__(
            diagnostics.explain(self)
            if diagnostics is not None
            else f"could not load library {library!r}\n  tried:{tried}\n  (no diagnosis: the "
            f"module {__name__}_diagnostics, which explains failures, is not beside {__name__})"
        )

    def __reduce__(self) -> "tuple[object, ...]":
        fields = (self.library, self.attempts, self.system_search_tried, self.variable)
        details = (self.missing_file, self.not_a_library, self.script_inputs, self.owner)
        return (type(self), (*fields, *details, self.archive, self.reason))


def _diagnostics() -> "ModuleType | None":
    """The companion module that explains failures, imported only when a load failed."""
    import importlib

    try:
        return importlib.import_module(f"{__name__}_diagnostics")
    except ImportError:
        return None


class LibraryLoader:
    """Loads a producer's libraries once each, in declaration order, with ``RTLD_LOCAL``;
    ``load()`` is idempotent, thread-safe and fork-safe (callers share one load of each)."""

    def __init__(self, libraries: "Mapping[str, PlatformLibrary]") -> None:
        for name, spec in libraries.items():
            if not (name and isinstance(name, str) and isinstance(spec, PlatformLibrary)):
                what = f"a PlatformLibrary, got {type(spec).__name__}"
                raise TypeError(f"library {name!r}: expected a non-empty name and {what}")
            if not spec.has_path():
                raise ValueError(
                    f"library {name!r} declares no path for this platform "
                    f"({_SYSTEM or sys.platform}) and no default; this is a bug in the "
                    "wheel that declares it, please report it to its maintainers"
                )
        self._specs = dict(libraries)
        self._names = tuple(self._specs)
        self._loaded: "dict[str, LoadedLibrary]" = {}  # in declaration order

    @property
    def names(self) -> "tuple[str, ...]":
        """The declared library names, in load order."""
        return self._names

    @property
    def loaded(self) -> "dict[str, LoadedLibrary]":
        """What has been loaded so far (a copy)."""
        return dict(self._loaded)

    def load(
        self, libraries: "Iterable[str] | None" = None, *, prefer_system: bool = False
    ) -> "dict[str, LoadedLibrary]":
        """Load ``libraries`` (all when None) in declaration order; return name -> record.

        With ``prefer_system`` or a true ``PREFER_<NAME>_SYSTEM_LIBRARY`` the platform's
        search for the bare file name comes first. A loaded library is never loaded again.
        """
        if libraries is None:
            if len(self._loaded) == len(self._names):
                return dict(self._loaded)
            names = self._names
        else:
            names = self._order(libraries)
            if all(name in self._loaded for name in names):
                return {name: self._loaded[name] for name in names}
        with _lock:
            loaded = dict(self._loaded)
            try:
                for name in names:
                    if name not in loaded:
                        loaded[name] = self._load_one(name, prefer_system)
            finally:
                self._loaded = {name: loaded[name] for name in self._names if name in loaded}
            return {name: loaded[name] for name in names}

    def _order(self, libraries: "Iterable[str]") -> "tuple[str, ...]":
        wanted = {libraries} if isinstance(libraries, str) else set(libraries)
        unknown = sorted(name for name in wanted if name not in self._specs)
        if unknown:
            raise ValueError(
                f"unknown library {', '.join(map(repr, unknown))}; this loader declares "
                f"{', '.join(map(repr, self._specs)) or 'nothing'}"
            )
        return tuple(name for name in self._names if name in wanted)

    def _load_one(self, name: str, prefer_system: bool) -> LoadedLibrary:
        import ctypes

        variable = prefer_system_variable(name)
        want_system = parse_bool(variable, os.environ.get(variable)) or prefer_system
        path = self._specs[name].path()
        if path is None:
            raise ValueError(f"library {name!r}: PlatformLibrary(default=...) returned None")
        attempts = []
        if want_system:
            bare = os.path.basename(path)
            try:
                handle = ctypes.CDLL(bare, mode=_POSIX_MODE, winmode=0)
            except (OSError, ValueError) as error:  # ValueError: a NUL in the name
                attempts.append((f"system search for {bare!r}", str(error)))
                _log(20, "%s: no system copy of %r found, using the wheel's", name, bare)
            else:
                # dlopen may have returned the wheel's own file (loaded by another loader).
                found = _file_of(handle, bare)
                try:
                    own = os.path.samefile(found, path)
                except (OSError, ValueError):
                    own = False
                if not own:
                    why = "prefer_system=True" if prefer_system else f"{variable} is true"
                    _log(20, "%s: loaded system copy %s (%s)", name, found, why)
                    return LoadedLibrary(name, handle, found, SOURCE_SYSTEM)
                _log(20, "%s: the search for %r found the wheel's own %s", name, bare, found)
        if sys.platform == "win32":  # DLL_LOAD_DIR needs a fully qualified path
            path = os.path.abspath(path)
        try:
            handle = ctypes.CDLL(path, mode=_POSIX_MODE, winmode=_WIN_FULL_PATH_MODE)
        except (OSError, ValueError) as error:
            attempts.append((f"wheel path {path}", str(error)))
            diagnostics = _diagnostics()
            facts: "dict[str, Any]" = diagnostics.diagnose(path) if diagnostics else {}
            raise LibraryLoadError(name, tuple(attempts), want_system, variable, **facts) from error
        source = SOURCE_WHEEL_FALLBACK if want_system else SOURCE_WHEEL
        _log(10, "%s: loaded %s (%s)", name, path, source)
        return LoadedLibrary(name, handle, path, source)


def _file_of(handle: "CDLL", bare: str) -> str:
    """Best effort: the file a handle found by search came from (``bare`` if unknown)."""
    import ctypes

    try:
        if sys.platform == "win32":
            buffer, kernel32 = ctypes.create_unicode_buffer(32768), ctypes.windll.kernel32
            size = kernel32.GetModuleFileNameW(ctypes.c_void_p(handle._handle), buffer, 32768)
            return buffer.value if size else bare
        libc = ctypes.CDLL(None)
        if sys.platform == "darwin":
            libc._dyld_get_image_name.restype = ctypes.c_char_p
            images = (libc._dyld_get_image_name(i) for i in range(libc._dyld_image_count()))
            return next((f for f in map(os.fsdecode, images) if f.endswith("/" + bare)), bare)

        class LinkMap(ctypes.Structure):
            _fields_ = (("l_addr", ctypes.c_size_t), ("l_name", ctypes.c_char_p))

        link_map = ctypes.POINTER(LinkMap)()
        libc.dlinfo.argtypes = (ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)
        if libc.dlinfo(handle._handle, 2, ctypes.byref(link_map)) == 0 and link_map:  # LINKMAP
            return os.fsdecode(link_map.contents.l_name or bare)
    except (OSError, AttributeError, ValueError):
        pass
    return bare
