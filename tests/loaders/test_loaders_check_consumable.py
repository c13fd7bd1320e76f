"""check_consumable reads SONAME / install id / DLL name from real files of every platform.

ELF files come from gcc (host) and clang + ld.lld (32/64-bit, both byte orders);
Mach-O dylibs from clang + ld64.lld; the DLL from mingw-w64. pyelftools and macholib
are independent readers used as the oracle.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
import shared_lib_manager as slm
from loader_testlib import LINUX_ONLY, build_dep

SOURCE = "int foo_value(void) { return 42; }\n"


def _tool(*names: str) -> str | None:
    for name in names:
        for directory in os.environ.get("PATH", "").split(os.pathsep):
            matches = sorted(Path(directory).glob(name)) if directory else []
            if matches:
                return str(matches[-1])
    return None


def _clang_elf(tmp_path: Path, target: str, soname: str | None) -> Path:
    clang, lld = shutil.which("clang"), shutil.which("ld.lld")
    if clang is None or lld is None:
        pytest.skip("needs clang and ld.lld to cross-build ELF files for other architectures")
    source = tmp_path / "foo.c"
    source.write_text(SOURCE, encoding="utf-8")
    out = tmp_path / f"libfoo-{target}.so"
    command = [clang, "-target", target, "-fuse-ld=lld", "-shared", "-nostdlib", "-fPIC"]
    if soname:
        command.append(f"-Wl,-soname,{soname}")
    subprocess.run([*command, str(source), "-o", str(out)], check=True, capture_output=True)
    return out


@LINUX_ONLY
def test_host_library_with_soname_is_consumable(tmp_path: Path) -> None:
    lib = build_dep(tmp_path, "wheel")
    assert slm.check_consumable(lib) == []
    assert slm.check_consumable(lib, expected_name="libdep.so.1") == []


@LINUX_ONLY
def test_host_library_without_soname_is_reported(tmp_path: Path) -> None:
    lib = build_dep(tmp_path, "wheel", soname=None)
    (problem,) = slm.check_consumable(lib)
    assert "has no DT_SONAME" in problem
    assert "-Wl,-soname,libdep.so.1" in problem


@LINUX_ONLY
def test_wrong_soname_and_unversioned_symlink_are_reported(tmp_path: Path) -> None:
    lib = build_dep(tmp_path, "wheel")
    (mismatch,) = slm.check_consumable(lib, expected_name="libdep.so.2")
    assert "DT_SONAME is 'libdep.so.1' but consumers ask for 'libdep.so.2'" in mismatch
    link = tmp_path / "libdep.so"
    link.symlink_to(lib.name)
    (symlink_problem,) = slm.check_consumable(link)
    assert "consumers ask for 'libdep.so'" in symlink_problem


def test_linker_script_and_missing_file_are_reported(tmp_path: Path) -> None:
    script = tmp_path / "libfoo.so"
    script.write_text("/* GNU ld script */\nINPUT(libfoo.so.1)\n", encoding="utf-8")
    (problem,) = slm.check_consumable(script)
    assert "not an ELF, Mach-O or PE file (a text file such as a linker script?)" in problem
    assert slm.check_consumable(tmp_path / "nope.so") == [f"{tmp_path / 'nope.so'}: file not found"]


@LINUX_ONLY
def test_executable_is_not_a_shared_object(tmp_path: Path) -> None:
    source = tmp_path / "main.c"
    source.write_text("int main(void) { return 0; }\n", encoding="utf-8")
    exe = tmp_path / "main"
    compile_cmd = [shutil.which("cc") or "gcc", "-no-pie", str(source), "-o", str(exe)]
    subprocess.run(compile_cmd, check=True, capture_output=True)
    problems = slm.check_consumable(exe, expected_name="main")
    assert any("not a shared object (ET_DYN)" in p for p in problems), problems


@pytest.mark.parametrize(
    "target", ["x86_64-linux-gnu", "i386-linux-gnu", "powerpc64-linux-gnu", "mips-linux-gnu"]
)
def test_elf_classes_and_byte_orders(tmp_path: Path, target: str) -> None:
    from elftools.elf.dynamic import DynamicSection
    from elftools.elf.elffile import ELFFile

    lib = _clang_elf(tmp_path, target, "libfoo.so.1")
    with lib.open("rb") as stream:
        elf = ELFFile(stream)
        oracle = next(
            tag.soname
            for section in elf.iter_sections()
            if isinstance(section, DynamicSection)
            for tag in section.iter_tags()
            if tag.entry.d_tag == "DT_SONAME"
        )
        stream.seek(0)
        assert slm.elf_soname(stream) == (3, oracle)
    assert oracle == "libfoo.so.1"
    assert slm.check_consumable(lib, expected_name="libfoo.so.1") == []
    unnamed = _clang_elf(tmp_path, target, None)
    assert "has no DT_SONAME" in slm.check_consumable(unnamed, expected_name="libfoo.so.1")[0]


def _dylib(tmp_path: Path, arch: str, install_name: str) -> Path:
    clang, ld64 = shutil.which("clang"), _tool("ld64.lld", "ld64.lld-*")
    if clang is None or ld64 is None:
        pytest.skip("needs clang and ld64.lld (lld's Mach-O linker) to cross-build a macOS dylib")
    source = tmp_path / "foo.c"
    source.write_text(SOURCE, encoding="utf-8")
    out = tmp_path / f"{arch}-{install_name.rsplit('/', 1)[-1]}"
    command = [
        clang, "-target", f"{arch}-apple-macos11", f"-fuse-ld={ld64}", "-mlinker-version=609",
        "-shared", "-nostdlib", "-install_name", install_name, str(source), "-o", str(out),
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True)
    return out


@pytest.mark.parametrize("arch", ["x86_64", "arm64"])
def test_macho_install_id(tmp_path: Path, arch: str) -> None:
    from macholib.MachO import MachO

    good = _dylib(tmp_path, arch, "@rpath/libfoo.1.dylib")
    oracle = [
        cmd[2].rstrip(b"\0").decode()
        for cmd in MachO(str(good)).headers[0].commands
        if cmd[0].cmd == 0xD
    ]
    with good.open("rb") as stream:
        assert slm.macho_install_ids(stream) == [(arch, 6, oracle[0])]
    assert slm.check_consumable(good, expected_name="libfoo.1.dylib") == []

    stale = _dylib(tmp_path, arch, "@rpath/libfoo.dylib")
    (problem,) = slm.check_consumable(stale, expected_name="libfoo.1.dylib")
    assert (
        "install id is '@rpath/libfoo.dylib' but consumers must record '@rpath/libfoo.1.dylib'"
        in problem
    )
    absolute = _dylib(tmp_path, arch, "/Users/ci/build/libfoo.1.dylib")
    assert (
        "install id is '/Users/ci/build/libfoo.1.dylib'"
        in slm.check_consumable(absolute, "libfoo.1.dylib")[0]
    )


def test_macho_fat_file_checks_every_slice(tmp_path: Path) -> None:
    lipo = _tool("llvm-lipo", "llvm-lipo-*", "lipo")
    if lipo is None:
        pytest.skip("needs llvm-lipo (or lipo) to make a universal Mach-O file")
    good = _dylib(tmp_path, "x86_64", "@rpath/libfoo.1.dylib")
    stale = _dylib(tmp_path, "arm64", "@rpath/libfoo.dylib")
    fat = tmp_path / "libfoo.1.dylib"
    subprocess.run([lipo, "-create", str(good), str(stale), "-output", str(fat)], check=True)

    with fat.open("rb") as stream:
        ids = slm.macho_install_ids(stream)
    assert sorted(ids) == [
        ("arm64", 6, "@rpath/libfoo.dylib"),
        ("x86_64", 6, "@rpath/libfoo.1.dylib"),
    ]
    (problem,) = slm.check_consumable(fat)
    assert problem.startswith(f"{fat} [arm64]: install id is '@rpath/libfoo.dylib'")


def test_java_class_file_is_not_mistaken_for_a_fat_binary(tmp_path: Path) -> None:
    fake_class = tmp_path / "Foo.class"
    fake_class.write_bytes(b"\xca\xfe\xba\xbe" + struct.pack(">HH", 0, 61) + b"\0" * 64)
    (problem,) = slm.check_consumable(fake_class)
    assert "not a Mach-O universal file" in problem


def test_pe_dll_name(tmp_path: Path) -> None:
    mingw = shutil.which("x86_64-w64-mingw32-gcc")
    if mingw is None:
        pytest.skip("needs x86_64-w64-mingw32-gcc (mingw-w64) to build a Windows DLL")
    source = tmp_path / "foo.c"
    source.write_text("__declspec(dllexport) " + SOURCE, encoding="utf-8")
    dll = tmp_path / "foo.dll"
    subprocess.run([mingw, "-shared", str(source), "-o", str(dll)], check=True, capture_output=True)
    exe_source = tmp_path / "main.c"
    exe_source.write_text("int main(void) { return 0; }\n", encoding="utf-8")
    exe = tmp_path / "main.exe"
    subprocess.run([mingw, str(exe_source), "-o", str(exe)], check=True, capture_output=True)

    assert slm.check_consumable(dll) == []
    assert slm.check_consumable(dll, expected_name="FOO.DLL") == []
    (renamed,) = slm.check_consumable(dll, expected_name="foo-1.dll")
    assert "consumers importing 'foo-1.dll' are not satisfied by preloading 'foo.dll'" in renamed
    assert "PE file is not a DLL" in slm.check_consumable(exe)[0]
