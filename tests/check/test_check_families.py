"""``harness check`` on the project's own example wheels, as files outside the catalogue.

The preloading family passes in every layout of the matrix; the RPATH consumer passes in
one venv and fails every split layout naming the library the loader could not find; the
consumer with a vendored copy fails the copies check. The layouts, the installs and the
probe are real; only which wheel is where differs between the cells.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from check_testlib import wheel_of_files

from harness import platforms
from harness.cli import main

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        platforms.current().name != "linux",
        reason="the expectations below state glibc's loader messages and ELF file names",
    ),
]

MATRIX = ["venv", "producer-target", "consumer-target", "producer-user", "consumer-user"]


def _check(tmp_path: Path, *args: str) -> tuple[int, dict[str, dict[str, Any]]]:
    reports = tmp_path / "reports"
    status = main(["check", *args, "--report-dir", str(reports)])
    cells = json.loads((reports / "report.json").read_text(encoding="utf-8"))["cells"]
    return status, {cell["scenario"].removeprefix("check-"): cell for cell in cells}


def _load_modes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, dict[str, Any], str]:
    """``--json``: the status, the document's ``check`` part and the human text (stderr)."""
    reports = tmp_path / "reports"
    status = main(["check", *args, "--report-dir", str(reports), "--json"])
    captured = capsys.readouterr()
    return status, json.loads(captured.out)["check"], captured.err


def test_preloading_family_passes_every_layout(
    tmp_path: Path, family_dir: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    family = str(family_dir("libfoo", "pyfoo"))
    status, cells = _check(tmp_path, family)
    out = capsys.readouterr().out
    assert status == 0, out
    assert list(cells) == MATRIX
    assert {name: cell["status"] for name, cell in cells.items()} == dict.fromkeys(MATRIX, "passed")
    assert "preload: libfoo.loader.load()" in out
    # one copy, the producer's own file, from wherever the producer was installed
    assert cells["producer-target"]["libraries"]["libfoo"] == ["target:libfoo/lib/libfoo.so.1"]
    assert cells["producer-user"]["libraries"]["libfoo"] == ["user:libfoo/lib/libfoo.so.1"]
    assert cells["consumer-user"]["libraries"]["libfoo"] == ["site:libfoo/lib/libfoo.so.1"]
    assert "warning" not in out
    # the load mode was sampled from libfoo's own symbols, not named by anyone: RTLD_LOCAL
    status, check, _ = _load_modes(tmp_path / "json", capsys, family, "--layout", "producer-user")
    assert status == 0
    (mode,) = check["load_modes"]["producer-user"]
    assert mode["origin"] == "user:libfoo/lib/libfoo.so.1"
    assert "foo_identity" in mode["sampled"] and mode["global"] == []


def test_rpath_consumer_fails_the_split_layouts(
    tmp_path: Path, family_dir: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    status, cells = _check(tmp_path, str(family_dir("libfoo", "pyfoo-rpath")))
    out = capsys.readouterr().out
    assert status == 1, out
    assert cells["venv"]["status"] == "passed"
    for name in MATRIX[1:]:
        cell = cells[name]
        assert cell["status"] == "failed", name
        (step,) = [e for e in cell["expectations"] if e["subject"].startswith("step ")]
        assert not step["ok"]
        assert "ImportError: libfoo.so.1: cannot open shared object file" in step["evidence"]
        assert cell["libraries"]["libfoo"] == []  # nothing loaded it
        # the cause, structured: the rpath into the producer's location, both wheels named
        assert cell["outcome"] == "failed"
        (cause,) = cell["causes"]
        assert cause["kind"] == "rpath-other-location"
        assert cause["step"] == "import:pyfoo_rpath._pyfoo"
        assert cause["wheels"] == ["pyfoo-rpath", "libfoo"]
        assert "libfoo/lib/libfoo.so.1" in cause["files"]
        assert "DT_RUNPATH '$ORIGIN/../libfoo/lib'" in cause["what"]
        assert "libfoo.loader.load()" in cause["fix"]
    assert cells["venv"]["causes"] == [] and cells["venv"]["outcome"] == "passed"
    # one line per layout: the verdict and the first cause with its fix
    (line,) = [x for x in out.splitlines() if x.strip().startswith("producer-target ")]
    assert "FAIL" in line and "rpath-other-location:" in line and "fix: preload it" in line


def test_vendored_copy_fails_the_copies_check(
    tmp_path: Path, family_dir: Callable[..., Path]
) -> None:
    status, cells = _check(
        tmp_path, str(family_dir("libfoo", "pyfoo-vendored")), "--layout", "venv"
    )
    assert status == 1
    (copies,) = [
        e for e in cells["venv"]["expectations"] if e["subject"] == "library libfoo: copies"
    ]
    assert not copies["ok"]
    assert copies["evidence"].startswith("2 loaded (site:libfoo/lib/libfoo.so.1, ")
    assert "site:pyfoo_vendored.libs/libfoo-" in copies["evidence"]
    steps = [e for e in cells["venv"]["expectations"] if e["subject"].startswith("step ")]
    assert all(step["ok"] for step in steps)  # the import works: only the evidence shows it
    (cause,) = cells["venv"]["causes"]
    assert cause["kind"] == "two-copies"
    assert cause["wheels"] == ["libfoo", "pyfoo-vendored"] or cause["wheels"] == [
        "pyfoo-vendored",
        "libfoo",
    ]
    assert "site:libfoo/lib/libfoo.so.1" in cause["files"]


def _pure_wheel(directory: Path, name: str, source: str) -> Path:
    """A minimal pure-Python wheel written by hand (a zip with its dist-info and RECORD)."""
    return wheel_of_files(directory, name, {f"{name}/__init__.py": source})


GLOBAL_PRELOAD = """
import ctypes
import os

import libfoo


def load():
    path = os.path.join(os.path.dirname(libfoo.__file__), "lib", "libfoo.so.1")
    ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
"""


def test_a_global_preload_is_seen_from_sampled_symbols(
    tmp_path: Path, family_dir: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A preload with RTLD_GLOBAL shows up without anyone naming a symbol: a warning by
    default, a failed cell with --strict-symbols; the default preload is the control."""
    family = family_dir("libfoo", "pyfoo")
    _pure_wheel(family, "globalpreload", GLOBAL_PRELOAD)
    args = [str(family), "--preload", "globalpreload:load", "--layout", "producer-target"]
    status, check, text = _load_modes(tmp_path / "warn", capsys, *args)
    assert status == 0, text
    assert "warning: producer-target: target:libfoo/lib/libfoo.so.1: " in text
    assert "global (loaded RTLD_GLOBAL" in text
    (mode,) = check["load_modes"]["producer-target"]
    assert mode["sampled"] and sorted(mode["global"]) == sorted(mode["sampled"])

    status, cells = _check(tmp_path / "strict", *args, "--strict-symbols")
    assert status == 1
    (check,) = [
        e for e in cells["producer-target"]["expectations"] if e["subject"].startswith("load mode")
    ]
    assert check["subject"] == "load mode libfoo.so.1" and not check["ok"]
    assert check["evidence"].startswith("target:libfoo/lib/libfoo.so.1: global (")

    # control: the family's own preload (RTLD_LOCAL) passes the strict check
    status, cells = _check(
        tmp_path / "control", str(family), "--layout", "producer-target", "--strict-symbols"
    )
    assert status == 0
    (check,) = [
        e for e in cells["producer-target"]["expectations"] if e["subject"].startswith("load mode")
    ]
    assert check["ok"] and "local (" in check["evidence"]


def test_conda_copy_loses_to_the_preload_and_wins_without_it(
    tmp_path: Path, family_dir: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """--conda: another copy of libfoo sits in $CONDA_PREFIX/lib. The preloading consumer
    still binds to the producer's file; the consumer that does not preload gets conda's
    copy through python's DT_RPATH $ORIGIN/../lib (the control: the copy is really found)."""
    status, cells = _check(
        tmp_path / "preload", str(family_dir("libfoo", "pyfoo")), "--conda", "--layout", "conda"
    )
    cell = cells["conda"]
    if cell["status"] == "skipped":
        pytest.skip(f"no conda layout here: {cell['cause']['what']}")
    assert status == 0, capsys.readouterr().out
    assert (cell["layout"], cell["installer"]) == ("conda", "pip")
    assert cell["libraries"]["libfoo"] == ["site:libfoo/lib/libfoo.so.1"]

    nopreload = family_dir("libfoo", "pyfoo-nopreload", name="nopreload")
    status, cells = _check(tmp_path / "nopreload", str(nopreload), "--conda", "--layout", "conda")
    assert status == 1
    assert cells["conda"]["libraries"]["libfoo"] == ["conda-lib:libfoo.so.1"]
    (location,) = [
        e for e in cells["conda"]["expectations"] if e["subject"] == "library libfoo: location"
    ]
    assert not location["ok"] and location["evidence"] == "conda-lib:libfoo.so.1"
