"""``harness lint``: table and JSON output, exit status 0 / 1 / 2, clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.cli import main

PROJECT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("fmt", ["elf"], indirect=True)
def test_clean_exit_zero(pair: Callable[..., dict[str, Path]], capsys) -> None:
    built = pair()
    assert main(["lint", str(built["producer"]), str(built["consumer"])]) == 0
    assert "no findings" in capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["elf"], indirect=True)
def test_findings_exit_one_table_and_json(pair: Callable[..., dict[str, Path]], capsys) -> None:
    built = pair(own_name=None, requires=())
    args = ["lint", str(built["producer"]), str(built["consumer"])]
    assert main(args) == 1
    grouped = capsys.readouterr().out
    assert grouped.splitlines()[0].startswith("SLI001 library-without-name (1 error(s))")
    assert f"  {built['producer'].name}: 1, e.g. libfoo/lib/libfoo.so.1: no SONAME" in grouped
    assert "SLI007" in grouped and built["consumer"].name in grouped

    assert main([*args, "--verbose"]) == 1
    table = capsys.readouterr().out
    header = table.splitlines()[0].split()
    assert header == ["RULE", "WHEEL", "FILE", "DETAIL"]
    assert "SLI001" in table and built["producer"].name in table
    assert "SLI007" in table and built["consumer"].name in table

    assert main([*args, "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["schema"] == 1
    assert [(f["rule"], f["wheel"], f["file"]) for f in report["findings"]] == [
        ("SLI001", built["producer"].name, "libfoo/lib/libfoo.so.1"),
        ("SLI007", built["consumer"].name, "pyfoo/_pyfoo.cpython-312-x86_64-linux-gnu.so"),
    ]
    assert all(Path(PROJECT, f["doc"]).is_file() for f in report["findings"])


@pytest.mark.parametrize("fmt", ["elf"], indirect=True)
def test_roles_from_flags(pair: Callable[..., dict[str, Path]], capsys) -> None:
    built = pair(producer_init="", link=False, requires=())
    assert main(["lint", str(built["producer"])]) == 0
    capsys.readouterr()
    code = main(
        ["lint", "--producer", str(built["producer"]), "--consumer", str(built["consumer"])]
    )
    assert code == 1
    out = capsys.readouterr().out
    assert "SLI008" in out and "SLI009" in out


def _unusable(args: list[str], capsys) -> str:
    assert main(["lint", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err: str = captured.err
    return err


def test_missing_file_exit_two(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "libfoo-1.0-py3-none-any.whl"
    assert str(missing) in _unusable([str(missing)], capsys)


def test_not_a_wheel_name_exit_two(tmp_path: Path, capsys) -> None:
    path = tmp_path / "libfoo.zip"
    path.write_bytes(b"PK")
    err = _unusable([str(path)], capsys)
    assert "libfoo.zip" in err and "not a wheel file name" in err


def test_not_a_zip_exit_two(tmp_path: Path, capsys) -> None:
    path = tmp_path / "libfoo-1.0-py3-none-any.whl"
    path.write_text("this is not a zip archive\n")
    err = _unusable([str(path)], capsys)
    assert path.name in err and "zip" in err


def test_truncated_zip_exit_two(wheel_factory, capsys) -> None:
    wheel = wheel_factory("libfoo", {"libfoo/__init__.py": "loader = 1\n" * 200})
    data = wheel.read_bytes()
    wheel.write_bytes(data[: len(data) // 2])
    assert wheel.name in _unusable([str(wheel)], capsys)


def test_missing_metadata_exit_two(tmp_path: Path, capsys) -> None:
    path = tmp_path / "libfoo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("libfoo/__init__.py", "")
    err = _unusable([str(path)], capsys)
    assert "METADATA" in err and path.name in err


def test_unknown_binary_format_exit_two(wheel_factory, capsys) -> None:
    wheel = wheel_factory("libfoo", {"libfoo/lib/libfoo.so.1": b"\xca\xfe\xd0\x0d" + b"\0" * 64})
    err = _unusable([str(wheel)], capsys)
    assert "libfoo/lib/libfoo.so.1" in err and "not ELF, Mach-O or PE" in err


def test_corrupt_elf_exit_two(wheel_factory, capsys) -> None:
    wheel = wheel_factory(
        "libfoo", {"libfoo/lib/libfoo.so.1": b"\x7fELF\x02\x01\x01" + b"\xff" * 9}
    )
    err = _unusable([str(wheel)], capsys)
    assert "libfoo/lib/libfoo.so.1" in err and "elf" in err


def test_linker_script_is_not_an_error(wheel_factory, capsys) -> None:
    script = "/* GNU ld script */\nINPUT(libfoo.so.1)\n"
    wheel = wheel_factory("libfoo", {"libfoo/lib/libfoo.so": script})
    assert main(["lint", str(wheel)]) == 0


def test_command_is_wired_into_the_harness_cli(wheel_factory) -> None:
    wheel = wheel_factory("libfoo", {"libfoo/__init__.py": "loader = 1\n"})
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    result = subprocess.run(
        [sys.executable, "-m", "harness.cli", "lint", "--json", str(wheel)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["findings"] == []
