"""Host faults are named per cell: a full disk, a read-only work dir, an interpreter that
is gone or cannot run. Each affected cell's cause names the fault and its path (an install
on a full disk used to say only ``exit status 1``); afterwards the caches hold no partial
entry and the next run, with the fault gone, passes.

The disk faults need a file system of their own: a small tmpfs mounted here, which needs
root (CAP_SYS_ADMIN); elsewhere those tests skip saying so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness import interpreters, platforms
from harness.cli import main

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        platforms.current().name != "linux", reason="mounts a tmpfs; statvfs flags of Linux"
    ),
]


@pytest.fixture
def mounted(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """``mounted("size=1m")`` -> a fresh tmpfs with these options (remount to change them)."""
    point = tmp_path / "mnt"
    point.mkdir()
    mounted_here: list[Path] = []

    def mount(options: str) -> Path:
        command = ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)]
        if mounted_here:
            command = ["mount", "-o", f"remount,{options}", str(point)]
        if shutil.which("mount") is None:
            pytest.skip("no mount program here (util-linux) to make a small file system")
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        assert done.returncode == 0 or not mounted_here, done.stderr  # a remount must work
        if done.returncode != 0:
            pytest.skip(
                f"cannot mount a tmpfs here (needs root / CAP_SYS_ADMIN; uid {os.getuid()}): "
                + done.stderr.strip()
            )
        mounted_here.append(point)
        return point

    yield mount
    if mounted_here:
        subprocess.run(["umount", "-l", str(point)], check=False)


def _check(workdir: Path, family: Path, reports: Path) -> tuple[int, dict[str, dict[str, Any]]]:
    status = main(
        [
            "--workdir",
            str(workdir),
            "check",
            str(family),
            "--sandbox",
            "off",
            "--report-dir",
            str(reports),
        ]
    )
    cells = json.loads((reports / "report.json").read_text())["cells"]
    return status, {cell["scenario"].removeprefix("check-"): cell for cell in cells}


def _no_partial_entries(workdir: Path) -> None:
    """Every template is whole (its layout.json written last), no scratch is left."""
    for template in (workdir / "envs").iterdir():
        assert (template / "layout.json").is_file(), template
    assert [p.name for p in (workdir / "tmp").iterdir() if not p.name.endswith(".lock")] == []
    scratch = [p for p in workdir.rglob("*.tmp") if "uv" not in p.relative_to(workdir).parts]
    assert scratch == []


def test_a_full_disk_is_named_in_every_failed_cell(
    tmp_path: Path, family_dir: Callable[..., Path], mounted: Callable[[str], Path]
) -> None:
    family = family_dir("libfoo", "pyfoo")
    point = mounted("size=1m")
    workdir = point / "work"
    status, cells = _check(workdir, family, tmp_path / "full")
    errors = {name: cell for name, cell in cells.items() if cell["status"] == "error"}
    assert status == 1 and errors, cells
    for name, cell in errors.items():
        assert cell["cause"]["what"].startswith(f"no space left on device at {point} ("), name
        assert "free space" in cell["cause"]["fix"]
    # room again: the next run passes on the same work dir
    mounted("size=200m")
    status, cells = _check(workdir, family, tmp_path / "room")
    assert status == 0, {name: cell["cause"] for name, cell in cells.items()}
    _no_partial_entries(workdir)


def test_a_read_only_work_dir_is_named_in_every_cell(
    tmp_path: Path, family_dir: Callable[..., Path], mounted: Callable[[str], Path]
) -> None:
    family = family_dir("libfoo", "pyfoo")
    point = mounted("size=200m")
    workdir = point / "work"
    assert _check(workdir, family, tmp_path / "first")[0] == 0  # the control
    mounted("ro")
    status, cells = _check(workdir, family, tmp_path / "ro")
    assert status == 1
    for name, cell in cells.items():
        assert cell["status"] == "error", name
        assert cell["cause"]["what"].startswith(f"read-only file system at {point} ("), name
    mounted("rw")
    assert _check(workdir, family, tmp_path / "rw")[0] == 0
    _no_partial_entries(workdir)


def test_an_interpreter_gone_or_unrunnable_is_named_in_every_cell(
    tmp_path: Path, family_dir: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cells' interpreter is a copy of the running one (its binary finds its standard
    library by its built-in prefix), chosen as interpreters.find's answer: the harness has
    no other way to be given an interpreter path. Made unrunnable, then removed, then put
    back."""
    family = family_dir("libfoo", "pyfoo")
    version = interpreters.running_version()
    real = interpreters.find(version).executable
    copy = tmp_path / "python" / "bin" / real.name
    copy.parent.mkdir(parents=True)
    shutil.copy2(os.path.realpath(real), copy)
    monkeypatch.setattr(interpreters, "find", lambda _: interpreters.Interpreter(version, copy))
    workdir = tmp_path / "work"
    assert _check(workdir, family, tmp_path / "first")[0] == 0  # the control: it runs

    copy.chmod(0)
    status, cells = _check(workdir, family, tmp_path / "unrunnable")
    assert status == 1
    for name, cell in cells.items():
        assert cell["status"] == "error", name
        assert cell["cause"]["what"].startswith(
            f"the interpreter {copy} cannot be run (permission denied"
        ), (name, cell["cause"])

    copy.unlink()
    status, cells = _check(workdir, family, tmp_path / "removed")
    assert status == 1
    for name, cell in cells.items():
        assert cell["cause"]["what"].startswith(f"the interpreter {copy} is missing"), name

    shutil.copy2(os.path.realpath(real), copy)
    assert _check(workdir, family, tmp_path / "back")[0] == 0


def test_harness_run_on_a_read_only_work_dir_is_one_line(
    mounted: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """`harness run` writes pytest's temporary directory into the work dir before any cell
    runs: on a read-only one it stops there with one line naming the fault and the fix.
    The control, the same run on the work dir still writable (``-k`` selecting no cell, so
    nothing is built), says nothing of the kind."""
    point = mounted("size=20m")
    workdir = point / "work"
    argv = ["--workdir", str(workdir), "run", "-n", "0", "-k", "selects-no-cell", "venv-basic"]
    main(argv)
    assert "harness run:" not in capsys.readouterr().err  # the control
    mounted("ro")
    status = main(argv)
    err = capsys.readouterr().err
    assert status != 0
    assert "Traceback" not in err
    (line,) = [text for text in err.splitlines() if text.startswith("harness run:")]
    assert f"read-only file system at {point}" in line and "--workdir" in line
