"""One small, format-neutral view of a shared object, filled by one reader per format.

Rules only ever see :class:`BinaryInfo`; the ELF, Mach-O and PE specifics stay in
their readers (``elf.py``, ``macho.py``, ``pe.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

BinaryFormat = Literal["elf", "macho", "pe"]
DependencyKind = Literal[
    "DT_NEEDED",
    "LC_LOAD_DYLIB",
    "LC_LOAD_WEAK_DYLIB",
    "LC_REEXPORT_DYLIB",
    "LC_LOAD_UPWARD_DYLIB",
    "LC_LAZY_LOAD_DYLIB",
    "import",
    "delay-import",
]
RpathKind = Literal["DT_RPATH", "DT_RUNPATH", "LC_RPATH"]

NAME_FIELD: dict[BinaryFormat, str] = {
    "elf": "SONAME",
    "macho": "install id (LC_ID_DYLIB)",
    "pe": "DLL name (export directory)",
}
"""What each format calls a library's own name, for messages."""


class UnusableInputError(Exception):
    """Input that cannot be inspected at all (not a wheel, corrupt zip, unknown format)."""


@dataclass(frozen=True)
class Dependency:
    """One entry a binary asks the loader for."""

    name: str
    kind: DependencyKind


@dataclass(frozen=True)
class RpathEntry:
    """One directory of a run-time search path list."""

    value: str
    kind: RpathKind


@dataclass(frozen=True)
class ArchSlice:
    """What one architecture of a binary says about itself (a fat Mach-O has several)."""

    arch: str
    own_name: str | None
    """SONAME / LC_ID_DYLIB / export-directory DLL name; ``None`` when absent."""
    dependencies: tuple[Dependency, ...]
    rpaths: tuple[RpathEntry, ...]
    is_library: bool
    """A shared library others can link against (ET_DYN, MH_DYLIB, a DLL)."""


@dataclass(frozen=True)
class BinaryInfo:
    """A binary found inside a wheel: its member path and every architecture slice."""

    format: BinaryFormat
    path: str
    """Member path inside the wheel archive (``/``-separated)."""
    slices: tuple[ArchSlice, ...]

    @property
    def file_name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def architectures(self) -> tuple[str, ...]:
        return tuple(s.arch for s in self.slices)

    @property
    def is_library(self) -> bool:
        return any(s.is_library for s in self.slices)

    def label(self, arch_slice: ArchSlice) -> str:
        """The member path, with the architecture when the binary has more than one."""
        if len(self.slices) > 1:
            return f"{self.path} [{arch_slice.arch}]"
        return self.path
