"""Pick the reader for a member by its magic bytes; turn reader crashes into clear errors."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import IO

from . import elf, macho, pe
from .binary import BinaryFormat, BinaryInfo, UnusableInputError
from .stream import PE_LIMIT

HEAD_SIZE = 64
"""Bytes read to recognise a format or a GNU ld script (a fat Mach-O needs 8)."""

_LIBRARY_NAME = re.compile(r"\.(so(\.\d+)*|dylib|dll|pyd)$", re.IGNORECASE)
"""Only members named like this are parsed as binaries (a ``.txt`` starting "MZ" is text)."""
_LINKER_SCRIPT = (b"/* GNU ld script", b"INPUT(", b"GROUP(", b"OUTPUT_FORMAT(")


def _read_pe(member: str, stream: IO[bytes]) -> BinaryInfo:
    data = stream.read(PE_LIMIT + 1)
    if len(data) > PE_LIMIT:
        raise UnusableInputError(
            f"{member} is a PE image larger than {PE_LIMIT // (1024 * 1024)} MiB, which the "
            "PE reader must hold whole; lint this wheel on a machine with more memory budget"
        )
    return pe.read(member, data)


_READERS: dict[BinaryFormat, Callable[[str, IO[bytes]], BinaryInfo]] = {
    "elf": elf.read,
    "macho": macho.read,
    "pe": _read_pe,
}


def detect(head: bytes) -> BinaryFormat | None:
    """The binary format whose magic ``head`` starts with, if any."""
    if head.startswith(elf.MAGIC):
        return "elf"
    if macho.is_macho(head):
        return "macho"
    if head.startswith(pe.MAGIC):
        return "pe"
    return None


def looks_like_library(member: str) -> bool:
    """Whether a member's name says it is a shared library or extension module."""
    return _LIBRARY_NAME.search(member) is not None


def is_linker_script(head: bytes) -> bool:
    return head.lstrip().startswith(_LINKER_SCRIPT)


def read(fmt: BinaryFormat, member: str, stream: IO[bytes], wheel: str) -> BinaryInfo:
    """Parse ``stream`` with the reader of ``fmt``; a parse failure names wheel and member."""
    try:
        return _READERS[fmt](member, stream)
    except UnusableInputError as error:
        raise UnusableInputError(f"{wheel}: {error}") from error
    except Exception as error:  # every reader library has its own exception zoo
        raise UnusableInputError(
            f"{wheel}: {member} starts like a {fmt} binary but cannot be parsed "
            f"({type(error).__name__}: {error}); the wheel is corrupt or truncated"
        ) from error
