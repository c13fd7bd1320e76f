"""``harness lint --library FILE``: can preloading this one library satisfy consumers?

The static check that used to live in the loader package (``check_consumable``),
now on the lint's readers: ELF must be a shared object with a SONAME naming this file
or a file beside it; Mach-O must carry an ``@rpath/<file name>`` install id in every
architecture; PE must be a DLL whose export name is its file name (case-insensitive).
"""

from __future__ import annotations

from pathlib import Path

from . import names, readers
from .binary import NAME_FIELD, BinaryInfo, UnusableInputError


def read_library(path: Path) -> BinaryInfo:
    """Parse ``path``; :class:`UnusableInputError` when it is missing or not a binary."""
    try:
        with path.open("rb") as handle:
            head = handle.read(readers.HEAD_SIZE)
            fmt = readers.detect(head)
            if fmt is None:
                hint = " (a text file such as a linker script?)" if head.isascii() else ""
                raise UnusableInputError(
                    f"{path}: not an ELF, Mach-O or PE file{hint}; give the real library file"
                )
            handle.seek(0)
            return readers.read(fmt, path.name, handle, str(path.parent))
    except FileNotFoundError as error:
        raise UnusableInputError(f"{path}: file not found") from error
    except IsADirectoryError as error:
        raise UnusableInputError(f"{path}: is a directory, not a library file") from error


def _fix(binary: BinaryInfo, wanted: str) -> str:
    if binary.format == "elf":
        return f"link with -Wl,-soname,{wanted} or run patchelf --set-soname {wanted}"
    if binary.format == "macho":
        return f"link with -install_name {wanted} or run install_name_tool -id {wanted}"
    return f"link the DLL as {wanted} (-o {wanted}) instead of renaming it afterwards"


def check_library(path: Path, expected_name: str | None = None) -> list[str]:
    """Problems that stop preloading ``path`` from satisfying its consumers (empty: fine).

    ``expected_name`` is the file name consumers ask for (default: the file's own name).
    """
    binary = read_library(path)
    file_name = expected_name or path.name
    beside = {names.as_compared(binary.format, p.name) for p in path.parent.iterdir()}
    problems = []
    for arch_slice in binary.slices:
        where = f"{path} [{arch_slice.arch}]" if len(binary.slices) > 1 else str(path)
        field = NAME_FIELD[binary.format]
        wanted = names.expected_own_name(binary.format, file_name)
        if not arch_slice.is_library:
            kind = {"elf": "a shared object (ET_DYN)", "macho": "a dylib (MH_DYLIB)", "pe": "a DLL"}
            problems.append(f"{where}: not {kind[binary.format]}; consumers cannot link to it")
            continue
        own = arch_slice.own_name
        if own is None:
            problems.append(
                f"{where}: has no {field}; consumers record the path they linked with, "
                f"which preloading cannot match; {_fix(binary, wanted)}"
            )
            continue
        if names.own_name_matches(binary.format, own, file_name):
            continue
        named = names.file_named_by(binary.format, own)
        if (
            expected_name is None
            and named is not None
            and names.as_compared(binary.format, named) in beside
        ):
            continue  # a copy or symlink of the file its own name names
        problems.append(
            f"{where}: {field} is {own!r} but consumers ask for {wanted!r}"
            + ("" if named is None else f" and no file {named!r} lies beside it")
            + f"; {_fix(binary, wanted)}"
        )
    return problems
