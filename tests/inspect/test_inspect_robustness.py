"""Hostile or broken archives: exit 2 naming wheel and member, bounded memory, no traceback."""

from __future__ import annotations

import gc
import json
import os
import struct
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pefile
import pytest
from inspect_testlib import LOADER_INIT

from harness.cli import main
from harness.inspect import pe

PROJECT = Path(__file__).resolve().parents[2]
MEMBER = "libfoo/data.bin"


def _patch_member(
    wheel: Path,
    name: str,
    *,
    flags: int = 0,
    method: int | None = None,
    name_bytes: bytes | None = None,
) -> None:
    """Rewrite one member's local and central headers in place (zipfile cannot write these)."""
    data = bytearray(wheel.read_bytes())
    encoded = name.encode()
    for signature, flag_at, method_at, name_len_at, name_at in (
        (b"PK\x03\x04", 6, 8, 26, 30),
        (b"PK\x01\x02", 8, 10, 28, 46),
    ):
        start = 0
        while (start := data.find(signature, start)) != -1:
            (length,) = struct.unpack_from("<H", data, start + name_len_at)
            if bytes(data[start + name_at : start + name_at + length]) == encoded:
                (old,) = struct.unpack_from("<H", data, start + flag_at)
                struct.pack_into("<H", data, start + flag_at, old | flags)
                if method is not None:
                    struct.pack_into("<H", data, start + method_at, method)
                if name_bytes is not None:
                    assert len(name_bytes) == length
                    data[start + name_at : start + name_at + length] = name_bytes
            start += 4
    wheel.write_bytes(bytes(data))


def _unusable(wheel: Path, capsys) -> str:
    assert main(["lint", str(wheel)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Traceback" not in captured.err
    err: str = captured.err
    return err


@pytest.fixture
def plain(wheel_factory: Callable[..., Path]) -> Path:
    return wheel_factory("libfoo", {"libfoo/__init__.py": LOADER_INIT, MEMBER: b"\0" * 100})


def test_encrypted_member_exit_two(plain: Path, capsys) -> None:
    _patch_member(plain, MEMBER, flags=0x1)
    err = _unusable(plain, capsys)
    assert plain.name in err and MEMBER in err and "encrypted" in err


def test_unknown_compression_exit_two(plain: Path, capsys) -> None:
    _patch_member(plain, MEMBER, method=99)
    err = _unusable(plain, capsys)
    assert plain.name in err and MEMBER in err and "compression method 99" in err


def test_utf8_flagged_name_that_is_not_utf8_exit_two(plain: Path, capsys) -> None:
    _patch_member(plain, MEMBER, flags=0x800, name_bytes=b"libfoo/data\xff\xfe\xfd\xfc")
    err = _unusable(plain, capsys)
    assert plain.name in err and "libfoo/data" in err and "UTF-8" in err


def test_corrupt_member_data_exit_two(wheel_factory: Callable[..., Path], capsys) -> None:
    wheel = wheel_factory("libfoo", {"libfoo/__init__.py": "x = 1\n" * 500})
    data = bytearray(wheel.read_bytes())
    at = data.find(b"PK\x03\x04") + 30 + len("libfoo/__init__.py") + 5
    data[at : at + 8] = b"\xff" * 8  # garbage inside the deflate stream
    wheel.write_bytes(bytes(data))
    err = _unusable(wheel, capsys)
    assert wheel.name in err and "libfoo/__init__.py" in err


def test_text_member_starting_with_mz_is_not_a_binary(
    wheel_factory: Callable[..., Path], capsys
) -> None:
    wheel = wheel_factory(
        "libfoo", {"libfoo/__init__.py": LOADER_INIT, "libfoo/notes.txt": "MZ is a magic\n"}
    )
    assert main(["lint", str(wheel)]) == 0
    assert "no findings" in capsys.readouterr().out


# The peak is this process's own high-water mark (VmHWM, kept per address space, so it
# starts afresh at exec). ru_maxrss would not do: Linux carries it across fork and exec,
# so the child reports at least the RSS the pytest worker had when it forked.
PEAK = """
import json, re, resource, sys
from harness.inspect import lint_wheels
findings = lint_wheels(sys.argv[1:], {sys.argv[1]: "producer"})
try:
    with open("/proc/self/status") as status:
        peak = int(re.search(r"VmHWM:\\s+(\\d+) kB", status.read()).group(1)) // 1024
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(json.dumps({"peak_mb": peak, "findings": [[f.rule, f.file, f.detail] for f in findings]}))
"""


def _peak(*wheels: Path) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    result = subprocess.run(
        [sys.executable, "-c", PEAK, *map(str, wheels)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    report: dict[str, object] = json.loads(result.stdout)
    return report


@pytest.mark.parametrize("fmt", ["elf"], indirect=True)
def test_huge_member_is_streamed_within_the_memory_budget(native, tmp_path: Path) -> None:
    """A real ELF library followed by 256 MiB of zeros (a wheel of 0.3 MB): parsed through
    the chunked stream (its SONAME is read), peak memory far below the 200 MB budget that
    reading the member whole would already exceed. (1 GiB measured the same, but takes
    20 s to compress here; the numbers are in docs/rules/real-world.md.)"""
    library = native.library("libfoo.so.1", own_name="libfoo.so")
    wheel = tmp_path / "libfoo-1.0-py3-none-manylinux_2_17_x86_64.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("libfoo/__init__.py", LOADER_INIT)
        archive.writestr("libfoo-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: libfoo\n")
        info = zipfile.ZipInfo("libfoo/lib/libfoo.so.1")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as member:
            member.write(library.read_bytes())
            zeros = b"\0" * (1 << 20)
            for _ in range(256):
                member.write(zeros)
        huge = archive.getinfo("libfoo/lib/libfoo.so.1")
    assert huge.file_size > 256 << 20
    assert wheel.stat().st_size < 2 << 20
    report = _peak(wheel)
    # Evidence the member was really parsed: the wrong SONAME is reported.
    assert report["findings"] == [
        [
            "SLI002",
            "libfoo/lib/libfoo.so.1",
            "SONAME is 'libfoo.so', expected 'libfoo.so.1' (or the name of a file beside it)",
        ]
    ]
    assert isinstance(report["peak_mb"], int) and report["peak_mb"] < 200, report


def test_declared_size_is_not_trusted(plain: Path) -> None:
    """Headers claiming 1 GiB for a 1 kB member: read by its data, never allocated by its claim."""
    data = bytearray(plain.read_bytes())
    for signature, size_at, name_len_at, name_at in (
        (b"PK\x03\x04", 22, 26, 30),
        (b"PK\x01\x02", 24, 28, 46),
    ):
        start = data.find(signature)
        while start != -1:
            (length,) = struct.unpack_from("<H", data, start + name_len_at)
            if bytes(data[start + name_at : start + name_at + length]) == b"libfoo/__init__.py":
                struct.pack_into("<I", data, start + size_at, (1 << 30) - 1)
            start = data.find(signature, start + 4)
    plain.write_bytes(bytes(data))
    with zipfile.ZipFile(plain) as archive:
        assert archive.getinfo("libfoo/__init__.py").file_size == (1 << 30) - 1
    report = _peak(plain)
    assert report["findings"] == []
    assert isinstance(report["peak_mb"], int) and report["peak_mb"] < 200, report


@pytest.mark.parametrize("fmt", ["pe"], indirect=True)
def test_reading_a_dll_runs_no_full_garbage_collection(
    native, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pefile's ``close()`` runs ``gc.collect()``: 0.3 s per DLL in a process holding 1.5
    million objects (docs/benchmarks.md), so a lint or a check of a Windows family paid it
    for every DLL. The reader reads our bytes, with nothing to unmap, and never closes."""
    data = native.library("foo.dll", own_name="foo.dll").read_bytes()
    collections: list[tuple[object, ...]] = []
    monkeypatch.setattr(gc, "collect", lambda *args: collections.append(args) or 0)
    info = pe.read("foo/foo.dll", data)
    assert info.slices[0].own_name == "foo.dll"
    assert collections == []
    # control: what the reader used to do after reading
    pefile.PE(data=data, fast_load=True).close()
    assert len(collections) == 1
