"""ELF reader (pyelftools): SONAME, DT_NEEDED, DT_RPATH / DT_RUNPATH, exported symbols."""

from __future__ import annotations

import io
from typing import IO, Any

from elftools.common.exceptions import ELFError
from elftools.elf.dynamic import DynamicSection, DynamicSegment
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

from .binary import ArchSlice, BinaryInfo, Dependency, RpathEntry, UnusableInputError

MAGIC = b"\x7fELF"

_MACHINES = {
    "EM_X86_64": "x86_64",
    "EM_386": "i686",
    "EM_AARCH64": "aarch64",
    "EM_ARM": "armv7l",
    "EM_PPC64": "ppc64",
    "EM_S390": "s390x",
    "EM_RISCV": "riscv64",
    "EM_LOONGARCH": "loongarch64",
}


def _arch(elf: ELFFile) -> str:
    machine = str(elf.header["e_machine"])
    arch = _MACHINES.get(machine, machine.removeprefix("EM_").lower())
    if arch == "ppc64" and elf.little_endian:
        return "ppc64le"
    return arch


def _dynamic(elf: ELFFile) -> DynamicSection | DynamicSegment | None:
    # PT_DYNAMIC first: it is what the loader uses, and the program headers sit at the
    # start of the file, so a large library read as a stream is not inflated to its
    # end (where the section headers are) just to find the dynamic section.
    for segment in elf.iter_segments():
        if isinstance(segment, DynamicSegment):
            return segment
    section = elf.get_section_by_name(".dynamic")
    if isinstance(section, DynamicSection):
        return section
    return None


def _open(stream: IO[bytes] | bytes) -> ELFFile:
    return ELFFile(io.BytesIO(stream) if isinstance(stream, bytes) else stream)


def read(path: str, stream: IO[bytes] | bytes) -> BinaryInfo:
    """Read the loader-relevant facts of the ELF file ``path`` from a seekable ``stream``
    (or its bytes)."""
    elf = _open(stream)
    soname: str | None = None
    needed: list[Dependency] = []
    rpaths: list[RpathEntry] = []
    dynamic = _dynamic(elf)
    if dynamic is not None:
        for tag in dynamic.iter_tags():
            # pyelftools sets .soname / .needed / .rpath / .runpath per tag at run time.
            entry: Any = tag
            kind = entry.entry.d_tag
            if kind == "DT_SONAME":
                soname = str(entry.soname)
            elif kind == "DT_NEEDED":
                needed.append(Dependency(str(entry.needed), "DT_NEEDED"))
            elif kind in ("DT_RPATH", "DT_RUNPATH"):
                value = str(entry.rpath if kind == "DT_RPATH" else entry.runpath)
                rpaths.extend(RpathEntry(v, kind) for v in value.split(":") if v)
    arch_slice = ArchSlice(
        arch=_arch(elf),
        own_name=soname,
        dependencies=tuple(needed),
        rpaths=tuple(rpaths),
        is_library=elf.header["e_type"] == "ET_DYN",
    )
    return BinaryInfo("elf", path, (arch_slice,))


def exported_symbols(path: str, stream: IO[bytes] | bytes) -> list[str]:
    """The functions and objects the ELF file ``path`` offers other objects to bind to:
    its ``.dynsym`` entries that are defined, global or weak, and of default visibility
    (sorted, without duplicates). An unreadable table is an :class:`UnusableInputError`."""
    try:
        table = _open(stream).get_section_by_name(".dynsym")
        if not isinstance(table, SymbolTableSection):
            return []
        return sorted(
            {
                symbol.name
                for symbol in table.iter_symbols()
                if symbol.name
                and symbol["st_shndx"] != "SHN_UNDEF"
                and symbol["st_info"]["bind"] in ("STB_GLOBAL", "STB_WEAK")
                and symbol["st_info"]["type"] in ("STT_FUNC", "STT_OBJECT")
                and symbol["st_other"]["visibility"] == "STV_DEFAULT"
            }
        )
    except (ELFError, ValueError, KeyError) as error:
        raise UnusableInputError(
            f"{path}: the ELF symbol table .dynsym cannot be read "
            f"({type(error).__name__}: {error}); the file is corrupt or truncated"
        ) from error
