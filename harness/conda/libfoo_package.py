"""Build conda ``libfoo`` packages from ``wheels-src/libfoo`` with plain CMake.

The same sources as the ``libfoo`` wheel, configured with ``LIBFOO_FLAVOR=conda`` so
the library reports ``"libfoo <major>.0 conda"``, installed where conda puts native
libraries: ``lib/libfoo.so.1`` / ``lib/libfoo.1.dylib`` (``$CONDA_PREFIX/lib``), or
``Library/bin/foo.dll`` on Windows (the CMake prefix of a native package is ``Library``
there). File names come from :mod:`harness.platforms`, directories from
:mod:`harness.conda.conda_paths`.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from harness import platforms, tools
from harness.conda import conda_paths
from harness.conda.errors import ChannelError, CondaError
from harness.conda.package_writer import PackageSpec
from harness.logged import CommandFailedError, run_logged
from harness.platforms import Platform

FLAVOR = "conda"
LIBRARY = "foo"
"""The CMake target / library name (``libfoo.so.1``, ``libfoo.1.dylib``, ``foo.dll``)."""
CONFIG = "Release"
_SKIP_DIRS = {"build", "_skbuild", "dist", "__pycache__", ".git"}


def source_digest(source: Path) -> str:
    """sha256 over the source tree's file names and contents (build directories skipped)."""
    if not (source / "CMakeLists.txt").is_file():
        raise ChannelError(
            f"{source}/CMakeLists.txt is missing: the conda libfoo package is built from "
            "wheels-src/libfoo with CMake (restore it or pass --libfoo-source)"
        )
    digest = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(source):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            digest.update(path.relative_to(source).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _check_identity(library: Path, expected: str) -> None:
    """Load the built library in a child process and compare its identity string."""
    code = (
        "import ctypes, sys; lib = ctypes.CDLL(sys.argv[1]); "
        "f = lib.foo_identity; f.restype = ctypes.c_char_p; print(f().decode())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(library)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if result.returncode != 0 or result.stdout.strip() != expected:
        raise CondaError(
            f"{library} reports {result.stdout.strip()!r} (expected {expected!r}): "
            f"{result.stderr.strip()}"
        )


def stage(
    source: Path,
    major: int,
    payload: Path,
    scratch: Path,
    log: Path,
    *,
    platform: Platform | None = None,
) -> PackageSpec:
    """Build libfoo ``major`` into ``payload``; return its package metadata."""
    platform = platform or platforms.current()
    cmake_path = tools.find("cmake")
    if cmake_path is None:
        raise CondaError("cmake is not on PATH; it builds the conda libfoo package")
    cmake = str(cmake_path)
    build_dir = scratch / f"libfoo-{major}-build"
    install_prefix = conda_paths.native_prefix(payload, platform)
    configure = [cmake, "-S", str(source), "-B", str(build_dir), f"-DCMAKE_BUILD_TYPE={CONFIG}",
                 f"-DLIBFOO_FLAVOR={FLAVOR}", f"-DLIBFOO_MAJOR={major}"]  # fmt: skip
    try:
        run_logged("cmake configure", configure, log)
        # --config matters for multi-config generators (Visual Studio, Xcode) only.
        run_logged("cmake build", [cmake, "--build", str(build_dir), "--config", CONFIG], log)
        run_logged(
            "cmake install",
            [
                cmake,
                "--install",
                str(build_dir),
                "--config",
                CONFIG,
                "--prefix",
                str(install_prefix),
            ],
            log,
        )
    except CommandFailedError as error:
        raise CondaError(f"building the conda libfoo {major} package: {error}") from None
    library = conda_paths.library_path(payload, platform, LIBRARY, major)
    if not library.is_file():
        found = sorted(p.relative_to(payload).as_posix() for p in payload.rglob("*") if p.is_file())
        raise CondaError(
            f"cmake --install did not produce {library.relative_to(payload)} (conda's place "
            f"for libfoo {major} on {platform.name}); it installed {found}; log: {log}"
        )
    _check_identity(library, f"libfoo {major}.0 {FLAVOR}")
    placeholders = {
        path.relative_to(payload).as_posix(): str(payload)
        for path in payload.rglob("*")
        if path.is_file() and not path.is_symlink() and str(payload).encode() in path.read_bytes()
    }
    return PackageSpec(
        name="libfoo",
        version=f"{major}.0",
        build=f"h{source_digest(source)[:8]}_0",
        summary=f"libfoo {major}.0 built with CMake from wheels-src/libfoo (flavor {FLAVOR})",
        license="Apache-2.0",
        text_placeholders=placeholders,
    )
