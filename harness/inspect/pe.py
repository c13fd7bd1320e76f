"""PE reader (pefile): export-directory DLL name, imports and delay-load imports."""

from __future__ import annotations

import pefile

from .binary import ArchSlice, BinaryInfo, Dependency

MAGIC = b"MZ"

_MACHINES = {0x8664: "AMD64", 0x14C: "x86", 0xAA64: "ARM64", 0x1C4: "ARM"}
_DIRECTORIES = [
    pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_EXPORT"],
    pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_IMPORT"],
    pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT"],
]


def _decode(name: bytes | None) -> str | None:
    return None if name is None else name.decode("ascii", "replace")


def read(path: str, data: bytes) -> BinaryInfo:
    """Read the DLL name and imported DLL names of the PE file ``path`` held in ``data``."""
    # Never ``pe.close()``: it unmaps only a file pefile opened itself (here it reads our
    # bytes) and then runs a full ``gc.collect()``, tens of milliseconds per file in a
    # process holding a large heap (a lint of a family, a test worker).
    pe = pefile.PE(data=data, fast_load=True)
    pe.parse_data_directories(directories=_DIRECTORIES)
    exports = getattr(pe, "DIRECTORY_ENTRY_EXPORT", None)
    dependencies = [
        Dependency(str(_decode(entry.dll)), "import")
        for entry in getattr(pe, "DIRECTORY_ENTRY_IMPORT", [])
    ]
    dependencies += [
        Dependency(str(_decode(entry.dll)), "delay-import")
        for entry in getattr(pe, "DIRECTORY_ENTRY_DELAY_IMPORT", [])
    ]
    machine = int(pe.FILE_HEADER.Machine)
    arch_slice = ArchSlice(
        arch=_MACHINES.get(machine, hex(machine)),
        own_name=_decode(exports.name) if exports is not None else None,
        dependencies=tuple(dependencies),
        rpaths=(),
        is_library=bool(pe.FILE_HEADER.Characteristics & 0x2000),  # IMAGE_FILE_DLL
    )
    return BinaryInfo("pe", path, (arch_slice,))
