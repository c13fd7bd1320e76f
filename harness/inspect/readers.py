"""Pick the reader for a member by its magic bytes; turn reader crashes into clear errors."""

from __future__ import annotations

import re
from collections.abc import Callable

from . import elf, macho, pe
from .binary import BinaryFormat, BinaryInfo, UnusableInputError

HEAD_SIZE = 64
"""Bytes read to recognise a format or a GNU ld script (a fat Mach-O needs 8)."""

_LIBRARY_NAME = re.compile(r"\.(so(\.\d+)*|dylib|dll|pyd)$", re.IGNORECASE)
_LINKER_SCRIPT = (b"/* GNU ld script", b"INPUT(", b"GROUP(", b"OUTPUT_FORMAT(")

_READERS: dict[BinaryFormat, Callable[[str, bytes], BinaryInfo]] = {
    "elf": elf.read,
    "macho": macho.read,
    "pe": pe.read,
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


def read(fmt: BinaryFormat, member: str, data: bytes, wheel: str) -> BinaryInfo:
    """Parse ``data`` with the reader of ``fmt``; a parse failure names wheel and member."""
    try:
        return _READERS[fmt](member, data)
    except Exception as error:  # every reader library has its own exception zoo
        raise UnusableInputError(
            f"{wheel}: {member} starts like a {fmt} binary but cannot be parsed "
            f"({type(error).__name__}: {error}); the wheel is corrupt or truncated"
        ) from error
