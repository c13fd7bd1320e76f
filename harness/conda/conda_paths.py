"""Where conda puts things in a prefix, per platform, as pure functions of a :class:`Platform`.

Conda's layout differs from a venv's and, on Windows, from a plain CMake prefix:
native packages install under ``Library/`` there (``Library/bin/foo.dll``), python is
``python.exe`` at the prefix root and its packages are in ``Lib/site-packages``. The
OS facts themselves (library file names, the CMake library directory) come from
:mod:`harness.platforms`; nothing here looks at the
running OS, so every answer is unit tested on Linux by passing a ``Platform``.
"""

from __future__ import annotations

from pathlib import PurePath, PurePosixPath
from typing import TypeVar

from harness.conda.errors import CondaError
from harness.platforms import Platform, prefix_library_dir

P = TypeVar("P", bound=PurePath)

_SUBDIR_OS = {"linux": "linux", "macos": "osx", "windows": "win"}
_SUBDIR_ARCH = {
    # platform.machine() value -> conda's architecture part of the subdir, per OS
    ("linux", "x86_64"): "64",
    ("linux", "aarch64"): "aarch64",
    ("linux", "ppc64le"): "ppc64le",
    ("macos", "x86_64"): "64",
    ("macos", "arm64"): "arm64",
    ("windows", "amd64"): "64",
    ("windows", "x86_64"): "64",
    ("windows", "arm64"): "arm64",
}
_INDEX_ARCH = {"64": "x86_64", "aarch64": "aarch64", "ppc64le": "ppc64le", "arm64": "arm64"}


def subdir(platform: Platform, machine: str) -> str:
    """Conda's platform subdir (``linux-64``, ``osx-arm64``, ``win-64``) for ``platform.machine()``."""
    arch = _SUBDIR_ARCH.get((platform.name, machine.lower()))
    if arch is None:
        raise CondaError(
            f"no conda subdir for machine {machine!r} on {platform.name}; the harness knows "
            + ", ".join(f"{os}/{m}" for os, m in _SUBDIR_ARCH)
        )
    return f"{_SUBDIR_OS[platform.name]}-{arch}"


def index_platform(subdir_name: str) -> tuple[str, str]:
    """``(platform, arch)`` of a package's ``info/index.json`` for its subdir."""
    os_part, _, arch_part = subdir_name.partition("-")
    if os_part not in _SUBDIR_OS.values() or arch_part not in _INDEX_ARCH:
        raise CondaError(f"{subdir_name!r} is not a conda platform subdir (e.g. linux-64)")
    return os_part, _INDEX_ARCH[arch_part]


def native_prefix(prefix: P, platform: Platform) -> P:
    """The CMake install prefix of a native conda package: ``Library`` on Windows."""
    return prefix / "Library" if platform.name == "windows" else prefix


def library_dir(prefix: P, platform: Platform) -> P:
    """Where conda keeps shared libraries: ``lib/`` (``$CONDA_PREFIX/lib``) or ``Library/bin``."""
    return prefix_library_dir(native_prefix(prefix, platform), platform)


def library_path(prefix: P, platform: Platform, name: str, major: int) -> P:
    """``lib/libfoo.so.1``, ``lib/libfoo.1.dylib`` or ``Library/bin/foo.dll`` under ``prefix``."""
    return library_dir(prefix, platform) / platform.library_file(name, major)


def library_relpath(platform: Platform, name: str, major: int) -> str:
    """:func:`library_path` relative to the prefix, ``/``-separated (package and record paths)."""
    return library_path(PurePosixPath(), platform, name, major).as_posix()


def python(prefix: P, platform: Platform) -> P:
    """The prefix's interpreter: ``bin/python`` or ``python.exe`` at the root on Windows."""
    if platform.name == "windows":
        return prefix / f"python{platform.exe_suffix}"
    return prefix / "bin" / "python"


def site_packages(prefix: P, platform: Platform, short_version: str) -> P:
    """``lib/pythonX.Y/site-packages`` or ``Lib/site-packages`` on Windows."""
    if platform.name == "windows":
        return prefix / "Lib" / "site-packages"
    return prefix / "lib" / f"python{short_version}" / "site-packages"


def path_dirs(prefix: P, platform: Platform) -> list[P]:
    """What ``conda activate`` puts in front of ``PATH``, in its order."""
    if platform.name == "windows":
        parts = ("", "Library/mingw-w64/bin", "Library/usr/bin", "Library/bin", "Scripts", "bin")
        return [prefix / part if part else prefix for part in parts]
    return [prefix / "bin"]
