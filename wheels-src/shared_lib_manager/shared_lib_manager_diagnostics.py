"""The cold half of ``shared_lib_manager``: what a successful load does not run.

The diagnosis of a failed load (what the declared file is, who owns it, the fix), the
system-library search (``PREFER_<NAME>_SYSTEM_LIBRARY``), the messages for bad
declarations and the reprs. ``shared_lib_manager`` imports this module the first time it
needs one of these, so none of it costs a producer anything while its libraries load.
Standard library only, Python >= 3.9. Vendor it next to ``shared_lib_manager.py`` under that
module's name plus ``_diagnostics``.
"""

# No `from __future__ import annotations` and no module-level `re`/`zipfile`: a repr or a
# rejected declaration should not cost the imports a failure diagnosis needs.
# ruff: noqa: PLC0415, PTH100, PTH110, PTH112, PTH113, PTH117, PTH118, PTH119, PTH120, PTH121, PTH123, PTH208

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ctypes import CDLL
    from types import ModuleType
    from typing import Any, Mapping

    from shared_lib_manager import LibraryLoadError, LoadedLibrary, PlatformLibrary

__all__ = ["diagnose", "explain"]

_MANAGER = __name__[: -len("_diagnostics")]  # the module this one serves (vendored: any name)


def _manager() -> "ModuleType":
    __import__(_MANAGER)
    return sys.modules[_MANAGER]


_OBJECT_MAGICS = (
    b"\x7fELF",  # ELF
    b"\xfe\xed\xfa\xce",  # Mach-O, 32/64-bit, both byte orders
    b"\xce\xfa\xed\xfe",
    b"\xfe\xed\xfa\xcf",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal (fat), 32/64-bit offsets
    b"\xca\xfe\xba\xbf",
)


def load_error(
    library: str,
    attempts: "list[tuple[str, str]]",
    system_search_tried: bool,
    variable: str,
    path: str,
) -> "LibraryLoadError":
    """The error for a declared ``path`` the platform loader refused, with its diagnosis."""
    error_type: "type[LibraryLoadError]" = _manager().LibraryLoadError
    return error_type(library, tuple(attempts), system_search_tried, variable, **diagnose(path))


# --- the system-library search (a true PREFER_<NAME>_SYSTEM_LIBRARY or prefer_system) ---


def load_from_system(
    name: str, path: str, variable: str, prefer_system: bool, attempts: "list[tuple[str, str]]"
) -> "LoadedLibrary | None":
    """The system's copy of ``path``'s file name, found by the platform's search; None
    (and the attempt recorded) when there is none or the search found the wheel's own file."""
    import ctypes

    manager = _manager()
    bare = os.path.basename(path)
    try:
        handle = ctypes.CDLL(bare, mode=manager.POSIX_MODE, winmode=0)
    except (OSError, ValueError) as error:  # ValueError: a NUL in the name
        attempts.append((f"system search for {bare!r}", str(error)))
        manager.log(20, "%s: no system copy of %r found, using the wheel's", name, bare)
        return None
    # dlopen may have returned the wheel's own file (loaded by another loader).
    found = _file_of(handle, bare)
    try:
        own = os.path.samefile(found, path)
    except (OSError, ValueError):
        own = False
    if own:
        manager.log(20, "%s: the search for %r found the wheel's own %s", name, bare, found)
        return None
    why = "prefer_system=True" if prefer_system else f"{variable} is true"
    manager.log(20, "%s: loaded system copy %s (%s)", name, found, why)
    record: "LoadedLibrary" = manager.LoadedLibrary(name, handle, found, manager.SOURCE_SYSTEM)
    return record


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


# --- bad declarations (bugs of the wheel that declares them) -----------------------------


def check_path(keyword: str, value: object, system: "str | None") -> "str | None":
    """``value`` as the path of ``PlatformLibrary(keyword=...)``: an ``os.PathLike`` becomes
    its text, empty becomes None; a wrong type or a relative path for ``system`` (the running
    platform) or ``default`` raises."""
    path = os.fspath(value) if isinstance(value, (str, os.PathLike)) else value
    if path is not None and not isinstance(path, str):
        got = f"{type(path).__name__} {path!r}"
        raise TypeError(
            f"PlatformLibrary({keyword}=...) must be a str or os.PathLike text path, got {got}"
        )
    if path and keyword in (system, "default") and not os.path.isabs(path):
        raise ValueError(
            f"PlatformLibrary({keyword}={path!r}): the path must be absolute; build it from "
            "the module's location, e.g. os.path.join(os.path.dirname(__file__), 'lib', ...)"
        )
    return path or None


def default_error(default: object) -> TypeError:
    return TypeError(
        f"PlatformLibrary(default=...) must be a zero-argument callable, got {default!r}"
    )


def default_none_error(name: str) -> ValueError:
    return ValueError(f"library {name!r}: PlatformLibrary(default=...) returned None")


def declaration_error(name: object, spec: object) -> TypeError:
    what = f"a PlatformLibrary, got {type(spec).__name__}"
    return TypeError(f"library {name!r}: expected a non-empty name and {what}")


def no_path_error(name: str, system: str) -> ValueError:
    return ValueError(
        f"library {name!r} declares no path for this platform ({system}) and no default; "
        "this is a bug in the wheel that declares it, please report it to its maintainers"
    )


def unknown_names_error(wanted: "set[str]", specs: "Mapping[str, PlatformLibrary]") -> ValueError:
    unknown = sorted(name for name in wanted if name not in specs)
    return ValueError(
        f"unknown library {', '.join(map(repr, unknown))}; this loader declares "
        f"{', '.join(map(repr, specs)) or 'nothing'}"
    )


def platform_library_repr(library: "PlatformLibrary") -> str:
    keys = ("Linux", "Darwin", "Windows", "default")
    fields = ((key, getattr(library, key)) for key in keys)
    return f"PlatformLibrary({', '.join(f'{k}={v!r}' for k, v in fields if v is not None)})"


# --- why a declared file did not load ------------------------------------------------------


def diagnose(path: str) -> "dict[str, Any]":
    """The :class:`LibraryLoadError` fields that say why loading ``path`` failed.

    ``reason`` is ``"nul-in-path"``, ``"directory"``, ``"in-archive"`` (``archive`` names
    the zip file), ``"missing"``, ``"not-a-library"`` (``not_a_library`` says what the
    file is, ``script_inputs`` what a linker script names) or ``"rejected"`` (a real
    library the platform loader refused). ``owner`` is the installed distribution whose
    ``RECORD`` lists the file, when that helps the fix.
    """
    if "\0" in path:
        return {"reason": "nul-in-path"}
    if os.path.isdir(path):
        return {"reason": "directory"}
    if not os.path.exists(path):
        archive = _archive_holding(path)
        if archive is not None:
            return {"reason": "in-archive", "missing_file": True, "archive": archive}
        return {"reason": "missing", "missing_file": True, "owner": _owner_of(path)}
    kind, inputs = _not_a_library(path)
    if kind is None:
        return {"reason": "rejected"}
    return {
        "reason": "not-a-library",
        "not_a_library": kind,
        "script_inputs": inputs,
        "owner": _owner_of(path),
    }


def explain(error: "LibraryLoadError") -> str:
    """The message of ``error``: what was tried, the platform's words, what it is, the fix."""
    lines = [f"could not load library {error.library!r}", "  tried:"]
    lines.extend(f"    - {what}: {message}" for what, message in error.attempts)
    if error.system_search_tried:
        lines.append("  system search: tried first, nothing usable found")
    else:
        lines.append(
            f"  system search: not tried ({error.variable} is not true and prefer_system=False)"
        )
    lines.extend(_fix_lines(error, _declared(error)))
    return "\n".join(line.replace("\0", "\\x00") for line in lines)


def _declared(error: "LibraryLoadError") -> str:
    what = error.attempts[-1][0] if error.attempts else "the declared file"
    return what[len("wheel path ") :] if what.startswith("wheel path ") else what


def _reason(error: "LibraryLoadError") -> str:
    if error.reason != "unknown":
        return error.reason
    if error.not_a_library is not None:
        return "not-a-library"
    return "missing" if error.missing_file else "rejected"


def _fix_lines(error: "LibraryLoadError", declared: str) -> "list[str]":
    system = f"or install the library on the system and set {error.variable}=1"
    maintainers = f"report this to the maintainers{f' of {error.owner}' if error.owner else ''}"
    reason = _reason(error)
    if reason == "nul-in-path":
        return [
            f"  file: the declared path {declared!r} contains a NUL character, which no file "
            "name can hold",
            "  fix: the package that declares it must build its PlatformLibrary path from "
            f"text without NUL (a C string or bytes decoded whole?); {maintainers}",
        ]
    if reason == "directory":
        return [
            f"  file: {declared} is a directory, not a library file",
            "  fix: the PlatformLibrary must name the library file inside it (on Linux the "
            f"file named by the SONAME, such as libfoo.so.1), not its folder; {maintainers}",
        ]
    if reason == "in-archive":
        return [
            f"  file: {declared} lies inside the zip archive {error.archive} (the package was "
            "imported from a zip on sys.path); a shared library cannot be loaded from inside "
            "an archive, only from a file on disk",
            "  fix: install the package's wheel unpacked (pip install, not zipped into a "
            "zipapp or a .zip on sys.path), or unzip the archive and put that directory on "
            f"sys.path instead; {system}",
        ]
    if reason == "not-a-library":
        names = f", naming {', '.join(error.script_inputs)}" if error.script_inputs else ""
        example = (error.script_inputs or ("the versioned file such as libfoo.so.1",))[0]
        return [
            f"  file: {declared} is {error.not_a_library}{names}, not the shared library "
            "consumers need: the platform loader cannot load it (unversioned development "
            "names such as libc.so are often such files, read only by the static linker)",
            "  fix: the package that ships it must declare the library file itself in its "
            f"PlatformLibrary, on Linux the file named by the SONAME ({example}); {maintainers}",
        ]
    if reason == "missing" and error.owner is not None:
        return [
            f"  fix: the library file is missing although the installed distribution "
            f"{error.owner} lists it in its RECORD (a broken or half-finished install); "
            f"reinstall it (pip install --force-reinstall {error.owner}), {system}"
        ]
    if reason == "missing":
        return [
            "  fix: the library file is missing; reinstall the package that ships it "
            f"(pip install --force-reinstall <producer distribution>), {system}"
        ]
    return [
        "  fix: the file exists but the platform loader rejected it (see the message: "
        "usually a missing dependency or the wrong architecture); reinstall the package "
        "that ships it, check its own dependencies (ldd / otool -L / dumpbin /dependents), "
        f"{system}"
    ]


def _archive_holding(path: str) -> "str | None":
    """The zip file among ``path``'s parents (a zipimport ``__file__`` points inside one)."""
    import zipfile

    parent = os.path.dirname(path)
    while parent and parent != os.path.dirname(parent):
        if os.path.isfile(parent):
            return parent if zipfile.is_zipfile(parent) else None
        if os.path.isdir(parent):
            return None
        parent = os.path.dirname(parent)
    return None


def _owner_of(path: str) -> "str | None":
    """``name==version`` of the distribution whose ``*.dist-info/RECORD`` lists ``path``,
    looked up in the ``sys.path`` entry holding it."""
    path = os.path.normcase(os.path.abspath(path))
    for entry in sys.path:
        root = os.path.normcase(os.path.abspath(entry or os.curdir)).rstrip(os.sep)
        if not path.startswith(root + os.sep):
            continue
        relative = path[len(root) + 1 :]  # normcased: native separators
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


def _not_a_library(path: str) -> "tuple[str | None, tuple[str, ...]]":
    """What ``path`` is when it is no object file: ``(description, linker script inputs)``.

    ``(None, ())`` for an ELF, Mach-O or PE file (the loader rejected a real library: a
    missing dependency, the wrong architecture) or an unreadable file.
    """
    try:
        with open(path, "rb") as stream:
            head = stream.read(4096)
    except OSError:
        return None, ()
    if head[:4] in _OBJECT_MAGICS or head[:2] == b"MZ":
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


def _linker_script_inputs(text: str) -> "list[str] | None":
    """The shared libraries an ``INPUT(...)`` / ``GROUP(...)`` script names, None if no script."""
    import re

    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    commands = list(re.finditer(r"\b(?:INPUT|GROUP)\s*\(", text))
    names: "list[str]" = []
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
