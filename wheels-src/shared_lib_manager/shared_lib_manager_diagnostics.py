"""Explain why ``shared_lib_manager`` could not load a library: what the file is and the fix.

Imported by ``shared_lib_manager`` only after a load failed, so none of this costs a
producer anything on a successful load. Standard library only, Python >= 3.9. Vendor it
next to ``shared_lib_manager.py`` under that module's name plus ``_diagnostics``.
"""

# ruff: noqa: PTH100, PTH110, PTH112, PTH113, PTH118, PTH119, PTH120, PTH123, PTH208

from __future__ import annotations

import os
import re
import sys
import zipfile
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared_lib_manager import LibraryLoadError

__all__ = ["diagnose", "explain"]

_OBJECT_MAGICS = (
    b"\x7fELF",  # ELF
    b"\xfe\xed\xfa\xce",  # Mach-O, 32/64-bit, both byte orders
    b"\xce\xfa\xed\xfe",
    b"\xfe\xed\xfa\xcf",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal (fat), 32/64-bit offsets
    b"\xca\xfe\xba\xbf",
)


def diagnose(path: str) -> dict[str, Any]:
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


def explain(error: LibraryLoadError) -> str:
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


def _declared(error: LibraryLoadError) -> str:
    what = error.attempts[-1][0] if error.attempts else "the declared file"
    return what[len("wheel path ") :] if what.startswith("wheel path ") else what


def _reason(error: LibraryLoadError) -> str:
    if error.reason != "unknown":
        return error.reason
    if error.not_a_library is not None:
        return "not-a-library"
    return "missing" if error.missing_file else "rejected"


def _fix_lines(error: LibraryLoadError, declared: str) -> list[str]:
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


def _archive_holding(path: str) -> str | None:
    """The zip file among ``path``'s parents (a zipimport ``__file__`` points inside one)."""
    parent = os.path.dirname(path)
    while parent and parent != os.path.dirname(parent):
        if os.path.isfile(parent):
            return parent if zipfile.is_zipfile(parent) else None
        if os.path.isdir(parent):
            return None
        parent = os.path.dirname(parent)
    return None


def _owner_of(path: str) -> str | None:
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


def _not_a_library(path: str) -> tuple[str | None, tuple[str, ...]]:
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


def _linker_script_inputs(text: str) -> list[str] | None:
    """The shared libraries an ``INPUT(...)`` / ``GROUP(...)`` script names, None if no script."""
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
