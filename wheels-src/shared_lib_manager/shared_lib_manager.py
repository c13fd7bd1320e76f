"""Preload the native libraries a producer wheel ships, so consumers' dependencies resolve to them.

The dynamic loader answers a consumer's dependency (ELF ``DT_NEEDED`` by ``DT_SONAME``,
Mach-O ``LC_LOAD_DYLIB`` by install name, a PE import by DLL name) from a loaded copy.
Standard library only, Python >= 3.9.

This module holds the API and what a successful load runs; the rest (explaining a
failure, the system-library search, the messages for bad declarations, reprs) lives in
its companion ``shared_lib_manager_diagnostics.py``, imported the first time it is
needed. Vendor both files side by side, the companion named as this module plus
``_diagnostics``. Importing this module imports nothing; a load imports ``_ctypes`` (the
C half of ``ctypes``, a fifth of the cost of ``import ctypes``) and ``ctypes`` itself
comes with the first use of ``LoadedLibrary.handle``.
"""

# No `from __future__ import annotations` (it imports a module): annotations are quoted.
# ruff: noqa: PLC0415, PTH100, PTH117

import _thread
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ctypes import CDLL
    from types import ModuleType
    from typing import Callable, Iterable, Mapping, Union

    PathValue = Union[str, "os.PathLike[str]"]

__version__ = "0.3.0"
__all__ = ["SOURCE_SYSTEM", "SOURCE_WHEEL", "SOURCE_WHEEL_FALLBACK", "EnvironmentValueError"]
__all__ += ["LibraryLoadError", "LibraryLoader", "LoadedLibrary", "PlatformLibrary"]
__all__ += ["parse_bool", "prefer_system_variable"]

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")
SOURCE_WHEEL = "wheel"  # loaded from the declared path (no system copy asked for)
SOURCE_SYSTEM = "system"  # found by the platform's search for the bare file name
SOURCE_WHEEL_FALLBACK = "wheel-fallback"  # a system copy was asked for, none found

_KEYS = ("Linux", "Darwin", "Windows")  # platform.system() values, PlatformLibrary keywords
_SYSTEM = {"linux": "Linux", "darwin": "Darwin", "win32": "Windows"}.get(sys.platform)
# POSIX: always RTLD_LOCAL explicitly (dyld's default is global). Windows, by full path:
# DLL_LOAD_DIR | DEFAULT_DIRS (neighbours resolve); system search: 0, the order incl. PATH.
# The companion interface (not in __all__, for ``<this module>_diagnostics`` only): the
# companion loads and logs the way this module does through POSIX_MODE and log(), and
# never reaches for anything else of this module that starts with an underscore.
POSIX_MODE = getattr(os, "RTLD_LOCAL", 0) | getattr(os, "RTLD_NOW", 0)
_WIN_FULL_PATH_MODE = 0x00000100 | 0x00001000

# One lock for every loader of this module. A thread holding it at fork() does not exist
# in the child, so the child starts with a fresh lock (else its first load() hangs).
_lock = _thread.RLock()


def _reset_lock_after_fork() -> None:
    global _lock  # noqa: PLW0603
    _lock = _thread.RLock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_lock_after_fork)


def _companion() -> "ModuleType":
    """The companion module (errors, diagnosis, system search), imported on first need."""
    name = __name__ + "_diagnostics"
    try:
        __import__(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise
        raise ImportError(
            f"{__name__} needs its companion module {name}, which handles everything but "
            f"a successful load (errors, the system-library search); vendor "
            f"shared_lib_manager_diagnostics.py beside it as {name.rpartition('.')[2]}.py"
        ) from None
    return sys.modules[name]


def log(level: int, message: str, *args: object) -> None:
    """Companion interface: a record on this module's logger, when logging is imported."""
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
        super().__init__(_companion().explain(self))

    def __reduce__(self) -> "tuple[object, ...]":
        fields = (self.library, self.attempts, self.system_search_tried, self.variable)
        details = (self.missing_file, self.not_a_library, self.script_inputs, self.owner)
        return (type(self), (*fields, *details, self.archive, self.reason))


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


def _path(keyword: str, value: object) -> "str | None":
    """``value`` as a declared path; anything but None or a usable str goes to the companion
    (``os.PathLike`` is converted there, a wrong type or a relative path rejected)."""
    if value is None or (
        type(value) is str
        and value
        and (keyword not in (_SYSTEM, "default") or os.path.isabs(value))
    ):
        return value
    path: "str | None" = _companion().check_path(keyword, value, _SYSTEM)
    return path


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
        self.Linux = _path("Linux", Linux)
        self.Darwin = _path("Darwin", Darwin)
        self.Windows = _path("Windows", Windows)
        if default is not None and not callable(default):
            raise _companion().default_error(default)
        self.default = default

    def __repr__(self) -> str:
        return _companion().platform_library_repr(self)  # type: ignore[no-any-return]

    def has_path(self, system: "str | None" = _SYSTEM) -> bool:
        """Whether a path can be found for ``system`` (without calling ``default``)."""
        return self.default is not None or self._declared(system) is not None

    def path(self, system: "str | None" = _SYSTEM) -> "str | None":
        """The path for ``system`` (the running platform by default), or None."""
        declared = self._declared(system)
        if declared is None and self.default is not None:
            return _path("default", self.default())
        return declared

    def _declared(self, system: "str | None") -> "str | None":
        return getattr(self, system) if system in _KEYS else None


class LoadedLibrary:
    """One loaded library (read-only): ``name`` (its declared key), ``handle`` (the ``CDLL``),
    ``path`` (declared, or the file a system search found) and ``source`` (``SOURCE_*``).

    A load keeps the raw handle ``dlopen``/``LoadLibrary`` returned; the ``ctypes.CDLL``
    wrapping it (no second ``dlopen``) is made, once, on the first use of ``handle``."""

    __slots__ = ("_handle", "name", "path", "source")
    _handle: "CDLL | int"
    name: str
    path: str
    source: str

    def __init__(self, name: str, handle: "CDLL | int", path: str, source: str) -> None:
        for key, value in (("name", name), ("_handle", handle), ("path", path), ("source", source)):
            object.__setattr__(self, key, value)

    @property
    def handle(self) -> "CDLL":
        """The library as a ``ctypes.CDLL`` (always the same object)."""
        if type(self._handle) is int:
            import ctypes

            with _lock:
                if type(self._handle) is int:
                    wrapped = ctypes.CDLL(self.path, handle=self._handle)
                    object.__setattr__(self, "_handle", wrapped)
        return self._handle  # type: ignore[return-value]  # a CDLL by now

    def __setattr__(self, key: str, value: object) -> None:
        raise AttributeError(f"LoadedLibrary is read-only (cannot set {key!r})")

    def __repr__(self) -> str:
        return f"LoadedLibrary(name={self.name!r}, path={self.path!r}, source={self.source!r})"


def _dlopen(path: str) -> int:
    """The raw handle of ``path``, opened as ``ctypes.CDLL(path, mode, winmode)`` would."""
    import _ctypes

    if sys.platform == "win32":  # DLL_LOAD_DIR needs a fully qualified path
        handle: int = _ctypes.LoadLibrary(os.path.abspath(path), _WIN_FULL_PATH_MODE)
    else:
        handle = _ctypes.dlopen(path, POSIX_MODE)
    return handle


class LibraryLoader:
    """Loads a producer's libraries once each, in declaration order, with ``RTLD_LOCAL``;
    ``load()`` is idempotent, thread-safe and fork-safe (callers share one load of each)."""

    def __init__(self, libraries: "Mapping[str, PlatformLibrary]") -> None:
        for name, spec in libraries.items():
            if not (name and type(name) is str and isinstance(spec, PlatformLibrary)):
                raise _companion().declaration_error(name, spec)
            if not spec.has_path():
                raise _companion().no_path_error(name, _SYSTEM or sys.platform)
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
            wanted = {libraries} if isinstance(libraries, str) else set(libraries)
            if not wanted.issubset(self._specs):
                raise _companion().unknown_names_error(wanted, self._specs)
            names = tuple(name for name in self._names if name in wanted)
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

    def _load_one(self, name: str, prefer_system: bool) -> LoadedLibrary:
        variable = prefer_system_variable(name)
        value = os.environ.get(variable)
        want_system = prefer_system
        if value:
            want_system = parse_bool(variable, value) or prefer_system
        path = self._specs[name].path()
        if path is None:
            raise _companion().default_none_error(name)
        attempts: "list[tuple[str, str]]" = []
        if want_system:
            found = _companion().load_from_system(name, path, variable, prefer_system, attempts)
            if found is not None:
                return found  # type: ignore[no-any-return]
        try:
            handle = _dlopen(path)
        except (OSError, ValueError) as error:  # ValueError: a NUL in the path
            attempts.append((f"wheel path {path}", str(error)))
            raise _companion().load_error(name, attempts, want_system, variable, path) from error
        source = SOURCE_WHEEL_FALLBACK if want_system else SOURCE_WHEEL
        log(10, "%s: loaded %s (%s)", name, path, source)
        return LoadedLibrary(name, handle, path, source)
