"""Build conda ``libfoo`` packages from ``wheels-src/libfoo`` with plain CMake.

The same sources as the ``libfoo`` wheel, configured with ``LIBFOO_FLAVOR=conda`` so
the library reports ``"libfoo <major>.0 conda"``, installed to the package's ``lib/``
(where conda puts native libraries: ``$CONDA_PREFIX/lib``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from harness.conda.errors import ChannelError, CondaError
from harness.conda.package_writer import PackageSpec

FLAVOR = "conda"
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


def _run(args: list[str], log: Path) -> None:
    with log.open("a") as handle:
        handle.write("$ " + " ".join(args) + "\n")
        handle.flush()
        result = subprocess.run(
            args, stdout=handle, stderr=subprocess.STDOUT, check=False, timeout=600
        )
    if result.returncode != 0:
        raise CondaError(f"`{' '.join(args)}` failed (exit {result.returncode}); log: {log}")


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


def stage(source: Path, major: int, payload: Path, scratch: Path, log: Path) -> PackageSpec:
    """Build libfoo ``major`` into ``payload``; return its package metadata."""
    cmake = shutil.which("cmake")
    if cmake is None:
        raise CondaError("cmake is not on PATH; it builds the conda libfoo package")
    build_dir = scratch / f"libfoo-{major}-build"
    _run(
        [
            cmake,
            "-S",
            str(source),
            "-B",
            str(build_dir),
            "-DCMAKE_BUILD_TYPE=Release",
            f"-DLIBFOO_FLAVOR={FLAVOR}",
            f"-DLIBFOO_MAJOR={major}",
        ],
        log,
    )
    _run([cmake, "--build", str(build_dir)], log)
    _run([cmake, "--install", str(build_dir), "--prefix", str(payload)], log)
    library = payload / "lib" / f"libfoo.so.{major}"
    if not library.is_file():
        raise CondaError(f"cmake --install did not produce {library}; log: {log}")
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
