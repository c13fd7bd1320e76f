"""End to end with real wheels, real layouts and the real probe: a copied scenario with
false expectations fails (with the expectation/evidence diff), the original passes.

Also the negative control's own control: no-soname with the SONAME'd libfoo installed
instead must fail, because then the import works.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness import platforms

PROJECT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        platforms.current().name != "linux",
        reason="the copied scenarios state Linux loader messages",
    ),
]


def _copy(root: Path, source: str, name: str, *replacements: tuple[str, str]) -> None:
    shutil.copytree(PROJECT / "scenarios" / source, root / name)
    path = root / name / "scenario.toml"
    text = path.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def _passing_and_failing(root: Path) -> Path:
    """``root`` with ``venv-basic`` and a copy of it expecting the wrong libfoo."""
    root.mkdir()
    _copy(root, "venv-basic", "venv-basic")
    _copy(
        root, "venv-basic", "venv-basic-false",
        ('identity = "libfoo 1.0 wheel"', 'identity = "libfoo 1.0 system"'),
    )  # fmt: skip
    return root


def test_false_expectations_fail_and_true_ones_pass(tmp_path: Path) -> None:
    root = _passing_and_failing(tmp_path / "scenarios")
    _copy(root, "no-soname", "no-soname")
    _copy(root, "no-soname", "no-soname-with-soname", ('"libfoo-nosoname"', '"libfoo"'))
    reports = tmp_path / "reports"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(PROJECT)
    result = subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", "--scenarios", str(root), "--installer", "uv",
         "--", "--harness-reports", str(reports), "-p", "no:cacheprovider"],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=1500, check=False,
    )  # fmt: skip
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    statuses = {
        c["scenario"]: c["status"]
        for c in json.loads((reports / "report.json").read_text())["cells"]
    }
    assert statuses == {
        "venv-basic": "passed",
        "venv-basic-false": "failed",
        "no-soname": "passed",
        "no-soname-with-soname": "failed",
    }, out
    # the diff names the expectation and what the evidence showed, with location labels
    assert "FAIL  library libfoo: identity (foo_identity)" in out
    assert "- expected: 'libfoo 1.0 system'" in out
    assert "+ evidence: site:libfoo/lib/libfoo.so.1 -> 'libfoo 1.0 wheel'" in out
    # with a SONAME the preload satisfies the extension: the expected loader error is absent
    assert "FAIL  step import (import pyfoo)" in out
    assert "+ evidence: ok, value None" in out


def _pytest_dirs(system_tmp: Path) -> list[str]:
    return sorted(str(p.relative_to(system_tmp)) for p in system_tmp.glob("pytest-of-*/*"))


@pytest.mark.skipif(shutil.which("gcc") is None, reason="the native cell's probe needs gcc")
def test_a_run_keeps_pytests_temporary_directories_in_the_work_dir(tmp_path: Path) -> None:
    """A run with workers (pytest-xdist makes pytest's base temporary directory for them)
    writes nothing to the system temp dir and leaves no scratch in the work dir; the control,
    plain pytest with workers, shows where pytest puts it by default. There, every later
    session deletes the oldest sessions' trees on its way out: a whole test suite's
    hundreds of thousands of files, in the next `harness run`'s time."""
    system_tmp = tmp_path / "system-tmp"
    control_tmp = tmp_path / "control-tmp"
    system_tmp.mkdir()
    control_tmp.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(PROJECT)
    tests = tmp_path / "plain"
    tests.mkdir()
    (tests / "test_nothing.py").write_text("def test_nothing():\n    pass\n", encoding="utf-8")
    control = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", "2", "-p", "no:cacheprovider", str(tests)],
        cwd=tests, env={**env, "TMPDIR": str(control_tmp)},
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert control.returncode == 0, control.stdout + control.stderr
    assert _pytest_dirs(control_tmp) != []  # pytest's default: the system temp dir
    workdir = tmp_path / "work"
    result = subprocess.run(
        [sys.executable, "-m", "harness.cli", "--workdir", str(workdir), "run", "--layout",
         "native", "--installer", "glibc", "-n", "2", "native-preload", "--", "-p", "no:cacheprovider"],
        cwd=PROJECT, env={**env, "TMPDIR": str(system_tmp)},
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert _pytest_dirs(system_tmp) == []
    assert "--basetemp " + str(workdir / "tmp") in result.stderr
    assert [p.name for p in (workdir / "tmp").iterdir() if not p.name.endswith(".lock")] == []


def _kept_cells(root: Path, workers: str) -> list[str]:
    """The cells a failed run keeps (``<scenario>/<cell>`` under its cells directory)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(PROJECT)
    result = subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", "--scenarios", str(root), "--installer", "uv",
         "--python", "current", "-n", workers, "--", "-p", "no:cacheprovider"],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    (line,) = [x for x in result.stdout.splitlines() if x.startswith("cells of failed cells kept")]
    cells = Path(line.rsplit(" in ", 1)[1])
    kept = sorted(str(p.relative_to(cells)) for p in cells.glob("*/*"))
    shutil.rmtree(cells)
    return kept


def test_a_worker_whose_cells_passed_removes_them_and_a_failed_cell_stays(tmp_path: Path) -> None:
    """Each cell is one xdist work unit, so with two cells and two workers each worker
    runs one. The worker whose cell passed removes it at its end (beside the other
    worker, not after it); the failed cell stays for inspection. The control runs both
    cells in one process: a failure there keeps every cell, as the run's end decides."""
    root = _passing_and_failing(tmp_path / "scenarios")
    kept = _kept_cells(root, "2")
    assert [p.split("/")[0] for p in kept] == ["venv-basic-false"], kept
    assert kept[0].endswith(("@gw0", "@gw1")), kept  # made on a worker
    assert sorted(p.split("/")[0] for p in _kept_cells(root, "0")) == [
        "venv-basic",
        "venv-basic-false",
    ]
