"""Make a conda ``python`` package from a CPython installation on this machine.

The installation is copied into the package layout (``bin/``, ``lib/``, ``include/``),
then made relocatable the way conda-build does it: every ELF file's absolute
``RUNPATH`` becomes an ``$ORIGIN``-relative ``DT_RPATH`` (``--force-rpath``), so the
executable carries ``DT_RPATH $ORIGIN/../lib`` exactly like conda-forge's python; text
files that name the original prefix (scripts, ``_sysconfigdata``, ``Makefile``,
``.pc`` files) are declared with a text prefix placeholder so the installer rewrites
them. docs/conda-channel.md lists every difference from conda-forge's package.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from harness import platforms
from harness.conda import elf
from harness.conda.cpython import CPythonInstall
from harness.conda.errors import CondaError
from harness.conda.package_writer import PackageSpec

EXECUTABLE_RPATH = "$ORIGIN/../lib"


def _excluded(rel: str, short: str) -> bool:
    stdlib = f"lib/python{short}/"
    if not rel.startswith(stdlib):
        return False
    inner = rel[len(stdlib) :]  # test/ and site-packages/ are never walked
    if "/__pycache__/" in "/" + inner and ".opt-" in inner:
        return True
    name = inner.rsplit("/", 1)[-1]
    return inner.startswith("config-") and (name.endswith(".a") or name == "python.o")


_SKIPPED_STDLIB_DIRS = ("test", "site-packages")
"""Top-level stdlib directories never packaged: not walked at all (site-packages of a
development interpreter can hold tens of thousands of files)."""


def _walk(root: Path, prefix: Path, skip: tuple[str, ...] = ()) -> Iterator[str]:
    """Relative POSIX paths of the files and symlinks under ``root``; ``skip`` names
    directories directly under ``root`` that are not entered."""
    for dirpath, dirnames, filenames in os.walk(root):
        base = Path(dirpath)
        if skip and base == root:
            dirnames[:] = [d for d in dirnames if d not in skip]
        for name in [*filenames, *(d for d in dirnames if (base / d).is_symlink())]:
            yield (base / name).relative_to(prefix).as_posix()


def selected_files(install: CPythonInstall) -> list[str]:
    """Paths (relative to the installation prefix) that go into the package."""
    prefix, short = install.prefix, install.short
    if install.stdlib != prefix / "lib" / f"python{short}":
        raise CondaError(
            f"{install.executable}: stdlib at {install.stdlib}, expected {prefix}/lib/python{short}; "
            "only a `make install`-style layout (pyenv, python.org source builds) can be packaged"
        )
    chosen: list[str] = []
    exe = f"bin/python{short}"
    if not (prefix / exe).is_file():
        raise CondaError(f"{prefix / exe} is missing; cannot package {install.executable}")
    chosen.append(exe)
    for script in (f"bin/python{short}-config", f"bin/pydoc{short}"):
        if (prefix / script).is_file():
            chosen.append(script)
    lib = prefix / "lib"
    chosen += sorted(
        f"lib/{entry.name}" for entry in lib.iterdir() if entry.name.startswith("libpython")
    )
    chosen += sorted(
        f"lib/pkgconfig/{entry.name}"
        for entry in (lib / "pkgconfig").glob("python*.pc")
        if (lib / "pkgconfig").is_dir()
    )
    stdlib_files = _walk(install.stdlib, prefix, _SKIPPED_STDLIB_DIRS)
    chosen += sorted(r for r in stdlib_files if not _excluded(r, short))
    chosen += sorted(_walk(install.include, prefix))
    return chosen


@cache
def fingerprint(install: CPythonInstall) -> str:
    """A cheap content key: every selected file's path, size and mtime (once per process:
    every conda cell asks for it to find its template)."""
    digest = hashlib.sha256(f"{install.prefix}\0{install.version}\0".encode())
    for rel in selected_files(install):
        stat = (install.prefix / rel).lstat()
        digest.update(f"{rel}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_symlink():
        dst.symlink_to(src.readlink())
    else:
        shutil.copy2(src, dst)


def _relative_rpath(file_rel: str) -> str:
    """``$ORIGIN``-relative path from the file's directory to the prefix's ``lib/``."""
    depth = file_rel.count("/")
    up = os.path.relpath("lib", str(Path(file_rel).parent)) if depth else "lib"
    return "$ORIGIN" if up == "." else f"$ORIGIN/{up}"


def _fix_elf(payload: Path, rel: str, executable_rel: str) -> None:
    path = payload / rel
    if rel == executable_rel:
        elf.set_rpath(path, EXECUTABLE_RPATH)
    elif elf.read(path).rpaths:  # an absolute RPATH/RUNPATH into the source installation
        elf.set_rpath(path, _relative_rpath(rel))


def stage(install: CPythonInstall, payload: Path) -> PackageSpec:
    """Copy and relocate ``install`` into ``payload``; return the package's metadata."""
    if platforms.current().name != "linux":
        raise CondaError(
            f"the local conda python package is made from an ELF CPython with patchelf, on "
            f"Linux only (this is {platforms.current().name}); use a real conda/micromamba "
            "there (HARNESS_CONDA_BACKEND=external)"
        )
    short = install.short
    files = selected_files(install)
    original = str(install.prefix).encode()
    placeholders: dict[str, str] = {}
    for rel in files:
        _copy(install.prefix / rel, payload / rel)
    for link, target in (("python3", f"python{short}"), ("python", f"python{short}")):
        (payload / "bin" / link).symlink_to(target)
    if (payload / "bin" / f"python{short}-config").exists():
        (payload / "bin" / "python3-config").symlink_to(f"python{short}-config")
    (payload / "lib" / f"python{short}" / "site-packages").mkdir(parents=True, exist_ok=True)
    (payload / "lib" / f"python{short}" / "site-packages" / "README.txt").write_text(
        "Third-party packages of this conda prefix go here.\n"
    )
    executable_rel = f"bin/python{short}"
    for rel in files:
        path = payload / rel
        if path.is_symlink() or not path.is_file():
            continue
        if elf.is_elf(path):
            path.chmod(path.stat().st_mode | 0o200)
            _fix_elf(payload, rel, executable_rel)
        elif not rel.endswith(".pyc") and original in path.read_bytes():
            placeholders[rel] = str(install.prefix)
    build_hash = fingerprint(install)[:8]
    return PackageSpec(
        name="python",
        version=install.version,
        build=f"h{build_hash}_0_cpython",
        depends=(),
        summary=f"CPython {install.version} relocated from this machine's installation "
        "(harness local channel)",
        license="Python-2.0",
        text_placeholders=placeholders,
    )


def stage_pip(install: CPythonInstall, payload: Path) -> PackageSpec:
    """A ``noarch: python`` pip package from the interpreter's own pip (no network)."""
    if install.pip_dir is None or install.pip_version is None:
        raise CondaError(
            f"{install.executable} has no pip; the conda prefix needs pip to install wheels "
            f"(run `{install.executable} -m ensurepip`)"
        )
    site = install.pip_dir.parent
    dist_info = site / f"pip-{install.pip_version}.dist-info"
    if not dist_info.is_dir():
        raise CondaError(f"{dist_info} is missing; pip of {install.executable} looks broken")
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(install.pip_dir, payload / "site-packages" / "pip", ignore=ignore)
    shutil.copytree(dist_info, payload / "site-packages" / dist_info.name, ignore=ignore)
    (payload / "site-packages" / dist_info.name / "INSTALLER").write_text("conda\n")
    for stale in ("RECORD", "direct_url.json"):
        (payload / "site-packages" / dist_info.name / stale).unlink(missing_ok=True)
    return PackageSpec(
        name="pip",
        version=install.pip_version,
        build="pyh_0",
        subdir="noarch",
        noarch="python",
        depends=("python >=3.7",),
        summary="pip, repackaged from the local interpreter (harness local channel)",
        license="MIT",
        entry_points=("pip = pip._internal.cli.main:main", "pip3 = pip._internal.cli.main:main"),
    )
