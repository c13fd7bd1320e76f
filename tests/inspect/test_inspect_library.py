"""``harness lint --library FILE``: the static consumability check of one library file.

It replaces the loader package's ``check_consumable``; these are its cases, on real
files of every format, with binutils / LLVM tools as the independent oracle.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.cli import main
from harness.inspect.library_check import check_library


def _tool(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def _library(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(["lint", "--library", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- ELF --------------------------------------------------------------------------------


@pytest.fixture
def elf(native_factory: Callable[..., object]):
    return native_factory("elf")


def test_elf_with_soname_is_consumable(elf, capsys) -> None:
    library = elf.library("libdep.so.1")
    assert check_library(library) == []
    assert check_library(library, "libdep.so.1") == []
    code, out, _ = _library([str(library)], capsys)
    assert code == 0 and "satisfies" in out


def test_elf_without_soname(elf, capsys) -> None:
    library = elf.library("libdep.so.1", own_name=None)
    code, out, _ = _library([str(library)], capsys)
    assert code == 1
    assert "has no SONAME" in out and "-Wl,-soname,libdep.so.1" in out


def test_elf_wrong_soname_and_copies(elf, tmp_path: Path) -> None:
    library = elf.library("libdep.so.1")
    (problem,) = check_library(library, "libdep.so.2")
    assert "SONAME is 'libdep.so.1' but consumers ask for 'libdep.so.2'" in problem
    # A symlink or copy beside the file its SONAME names is what wheels ship: fine.
    link = library.parent / "libdep.so"
    link.symlink_to(library.name)
    assert check_library(link) == []
    # A copy whose SONAME names a file that is not there: consumers would ask for it.
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(library, alone / "libdep.so.1.0.0")
    (problem,) = check_library(alone / "libdep.so.1.0.0")
    assert "no file 'libdep.so.1' lies beside it" in problem


def test_linker_script_missing_file_and_directory(tmp_path: Path, capsys) -> None:
    script = tmp_path / "libfoo.so"
    script.write_text("/* GNU ld script */\nINPUT(libfoo.so.1)\n", encoding="utf-8")
    code, out, err = _library([str(script)], capsys)
    assert code == 2 and out == ""
    assert "not an ELF, Mach-O or PE file (a text file such as a linker script?)" in err
    code, _, err = _library([str(tmp_path / "nope.so")], capsys)
    assert code == 2 and f"{tmp_path / 'nope.so'}: file not found" in err
    code, _, err = _library([str(tmp_path)], capsys)
    assert code == 2 and "directory" in err


def test_executable_is_not_a_shared_object(tmp_path: Path) -> None:
    compiler = _tool("gcc", "cc")
    if compiler is None:
        pytest.skip("gcc not found")
    source = tmp_path / "main.c"
    source.write_text("int main(void) { return 0; }\n", encoding="utf-8")
    exe = tmp_path / "main"
    subprocess.run([compiler, "-no-pie", str(source), "-o", str(exe)], check=True)
    (problem,) = check_library(exe)
    assert "not a shared object (ET_DYN)" in problem


def _readelf_soname(path: Path) -> str:
    readelf = _tool("readelf", "llvm-readelf")
    assert readelf is not None
    out = subprocess.run(
        [readelf, "-d", str(path)], capture_output=True, text=True, check=True
    ).stdout
    (line,) = [line for line in out.splitlines() if "(SONAME)" in line]
    return line.split("[", 1)[1].rstrip("]")


@pytest.mark.parametrize(
    "target", ["x86_64-linux-gnu", "i386-linux-gnu", "powerpc64-linux-gnu", "mips-linux-gnu"]
)
def test_elf_classes_and_byte_orders(tmp_path: Path, target: str) -> None:
    if _tool("clang") is None or _tool("ld.lld") is None:
        pytest.skip("needs clang and ld.lld (Debian: clang, lld) to cross-build ELF files")
    if _tool("readelf", "llvm-readelf") is None:
        pytest.skip("needs readelf (Debian: binutils) as the oracle")
    source = tmp_path / "foo.c"
    source.write_text("int foo_value(void) { return 42; }\n")

    def build(soname: str | None) -> Path:
        out = tmp_path / f"{target}-{soname or 'none'}" / "libfoo.so.1"
        out.parent.mkdir()
        command = ["clang", "-target", target, "-fuse-ld=lld", "-shared", "-nostdlib", "-fPIC"]
        command += [f"-Wl,-soname,{soname}"] if soname else []
        subprocess.run([*command, str(source), "-o", str(out)], check=True, capture_output=True)
        return out

    named = build("libfoo.so.1")
    assert _readelf_soname(named) == "libfoo.so.1"
    assert check_library(named) == []
    assert "has no SONAME" in check_library(build(None))[0]


# -- Mach-O -----------------------------------------------------------------------------


def _otool_id(path: Path) -> str:
    otool = _tool("llvm-otool", "llvm-otool-14", "llvm-otool-15", "llvm-otool-16", "otool")
    if otool is None:
        pytest.skip("needs llvm-otool (Debian: llvm) as the oracle")
    out = subprocess.run(
        [otool, "-D", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return out.strip().splitlines()[-1]


@pytest.mark.parametrize("arch", ["x86_64", "arm64"])
def test_macho_install_id(native_factory, arch: str, tmp_path: Path) -> None:
    native = native_factory("macho", arch)
    good = native.library("libfoo.1.dylib")
    assert _otool_id(good) == "@rpath/libfoo.1.dylib"
    assert check_library(good) == []
    stale = native.library("libfoo.1.dylib", own_name="@rpath/libfoo.dylib")
    (problem,) = check_library(stale)
    assert "install id (LC_ID_DYLIB) is '@rpath/libfoo.dylib'" in problem
    assert "consumers ask for '@rpath/libfoo.1.dylib'" in problem
    absolute = native.library("libfoo.1.dylib", own_name="/Users/ci/build/libfoo.1.dylib")
    assert (
        "install id (LC_ID_DYLIB) is '/Users/ci/build/libfoo.1.dylib'"
        in (check_library(absolute)[0])
    )


def test_macho_fat_file_checks_every_slice(native_factory, tmp_path: Path) -> None:
    lipo = _tool("llvm-lipo", "llvm-lipo-14", "llvm-lipo-15", "llvm-lipo-16", "lipo")
    if lipo is None:
        pytest.skip("needs llvm-lipo (Debian: llvm) to make a universal Mach-O file")
    good = native_factory("macho", "x86_64").library("libfoo.1.dylib")
    stale = native_factory("macho", "arm64").library(
        "libfoo.1.dylib", own_name="@rpath/libfoo.dylib"
    )
    fat = tmp_path / "libfoo.1.dylib"
    subprocess.run([lipo, "-create", str(good), str(stale), "-output", str(fat)], check=True)
    (problem,) = check_library(fat)
    assert problem.startswith(f"{fat} [arm64]: install id (LC_ID_DYLIB) is '@rpath/libfoo.dylib'")


def test_java_class_file_is_not_a_fat_binary(tmp_path: Path, capsys) -> None:
    fake = tmp_path / "Foo.class"
    fake.write_bytes(b"\xca\xfe\xba\xbe" + struct.pack(">HH", 0, 61) + b"\0" * 64)
    code, _, err = _library([str(fake)], capsys)
    assert code == 2 and "not an ELF, Mach-O or PE file" in err


# -- PE ---------------------------------------------------------------------------------


def test_pe_dll_name(native_factory, tmp_path: Path) -> None:
    native = native_factory("pe")
    dll = native.library("foo.dll")
    assert check_library(dll) == []
    assert check_library(dll, "FOO.DLL") == []
    (renamed,) = check_library(dll, "foo-1.dll")
    assert "DLL name (export directory) is 'foo.dll' but consumers ask for 'foo-1.dll'" in renamed
    exe_source = tmp_path / "main.c"
    exe_source.write_text("int main(void) { return 0; }\n")
    exe = tmp_path / "main.exe"
    subprocess.run(["x86_64-w64-mingw32-gcc", str(exe_source), "-o", str(exe)], check=True)
    assert "not a DLL" in check_library(exe)[0]
