"""The conda package step reads ELF files through the harness's one ELF reader."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from harness.conda import elf
from harness.conda.errors import CondaError


def test_reads_a_real_elf_file() -> None:
    python = Path(sys.executable).resolve()
    assert elf.is_elf(python)
    facts = elf.read(python)
    assert "libc.so.6" in elf.needed(facts)
    assert elf.search_path(facts, "DT_RPATH") + elf.search_path(facts, "DT_RUNPATH") == [
        entry.value for entry in facts.rpaths
    ]


def test_a_broken_elf_file_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "libbroken.so.1"
    broken.write_bytes(b"\x7fELF" + b"\0" * 12)
    assert elf.is_elf(broken)
    with pytest.raises(CondaError, match=r"libbroken\.so\.1: not a readable ELF file"):
        elf.read(broken)


def test_text_and_symlinks_are_not_elf(tmp_path: Path) -> None:
    text = tmp_path / "script"
    text.write_text("#!/bin/sh\n")
    link = tmp_path / "link"
    link.symlink_to(Path(sys.executable).resolve())
    assert not elf.is_elf(text) and not elf.is_elf(link)
