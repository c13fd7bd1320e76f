"""Mach-O reader (macholib): every architecture of a thin or fat (universal) binary."""

from __future__ import annotations

import io
import struct
from typing import IO

from macholib import mach_o
from macholib.MachO import MachO, MachOHeader
from macholib.ptypes import sizeof

from .binary import ArchSlice, BinaryInfo, Dependency, DependencyKind, RpathEntry

THIN_MAGICS = {
    b"\xfe\xed\xfa\xce",
    b"\xce\xfa\xed\xfe",
    b"\xfe\xed\xfa\xcf",
    b"\xcf\xfa\xed\xfe",
}
FAT_MAGICS = {b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf"}
_MAX_FAT_ARCHS = 30
"""A fat header shares its magic with Java class files, whose next field is >= 45."""

_DEPENDENCY_COMMANDS: dict[int, DependencyKind] = {
    mach_o.LC_LOAD_DYLIB: "LC_LOAD_DYLIB",
    mach_o.LC_LOAD_WEAK_DYLIB: "LC_LOAD_WEAK_DYLIB",
    mach_o.LC_REEXPORT_DYLIB: "LC_REEXPORT_DYLIB",
    mach_o.LC_LOAD_UPWARD_DYLIB: "LC_LOAD_UPWARD_DYLIB",
    mach_o.LC_LAZY_LOAD_DYLIB: "LC_LAZY_LOAD_DYLIB",
}
_ARCHS = {"ARM64": "arm64", "PowerPC": "ppc", "PowerPC64": "ppc64", "ARM": "arm"}


def is_macho(head: bytes) -> bool:
    if head[:4] in THIN_MAGICS:
        return True
    if head[:4] in FAT_MAGICS and len(head) >= 8:
        count: int = struct.unpack(">I", head[4:8])[0]
        return 0 < count <= _MAX_FAT_ARCHS
    return False


def _string(command: tuple[object, object, bytes], offset: int) -> str:
    """The ``lc_str`` at ``offset`` of a load command (offsets count from the command start)."""
    load, cmd, data = command
    start = offset - sizeof(load) - sizeof(cmd)
    return data[start:].split(b"\x00", 1)[0].decode("utf-8", "surrogateescape")


def _arch(header: MachOHeader) -> str:
    cputype = int(header.header.cputype)
    name = str(mach_o.CPU_TYPE_NAMES.get(cputype, cputype))
    return _ARCHS.get(name, name)


def _slice(header: MachOHeader) -> ArchSlice:
    own_name: str | None = None
    dependencies: list[Dependency] = []
    rpaths: list[RpathEntry] = []
    for command in header.commands:
        load, cmd, _data = command
        if load.cmd == mach_o.LC_ID_DYLIB:
            own_name = _string(command, cmd.name)
        elif load.cmd in _DEPENDENCY_COMMANDS:
            dependencies.append(
                Dependency(_string(command, cmd.name), _DEPENDENCY_COMMANDS[load.cmd])
            )
        elif load.cmd == mach_o.LC_RPATH:
            rpaths.append(RpathEntry(_string(command, cmd.path), "LC_RPATH"))
    return ArchSlice(
        arch=_arch(header),
        own_name=own_name,
        dependencies=tuple(dependencies),
        rpaths=tuple(rpaths),
        is_library=header.header.filetype == mach_o.MH_DYLIB,
    )


def read(path: str, stream: IO[bytes] | bytes) -> BinaryInfo:
    """Read every architecture slice of the Mach-O file ``path`` from a seekable ``stream``
    (or its bytes, as the ELF reader takes them)."""
    if isinstance(stream, bytes):
        stream = io.BytesIO(stream)
    # MachO() only takes a file name; its load() reads any seekable file object.
    macho = MachO.__new__(MachO)
    macho.graphident = macho.filename = path
    macho.loader_path = path.rpartition("/")[0]
    macho.fat = None
    macho.headers = []
    macho.allow_unknown_load_commands = True
    macho.load(stream)
    return BinaryInfo("macho", path, tuple(_slice(h) for h in macho.headers))
