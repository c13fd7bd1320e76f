"""The composite action's own bash, run here the way the runner runs it (issue 26, item 7).

``action.yml``'s "harness check" step is run with bash, the inputs in its environment
and ``$GITHUB_OUTPUT``/``$GITHUB_STEP_SUMMARY`` as files, on the project's libfoo +
pyfoo wheels (a passing family) and libfoo + pyfoo-rpath (a family whose split layouts
fail); then its "Fail on a failed verdict" step with the exit code the check step
wrote. Only the install step is not run here: it downloads CPythons from GitHub.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import suite_testlib
import yaml

ROOT = Path(__file__).resolve().parents[2]
BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(BASH is None, reason="bash not installed")


def step(name: str) -> str:
    data = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    (script,) = [s["run"] for s in data["runs"]["steps"] if s.get("name") == name]
    return str(script)


@pytest.fixture(scope="module")
def built_wheels(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    return suite_testlib.built_wheels(tmp_path_factory)


def run_step(
    name: str, tmp_path: Path, env: dict[str, str]
) -> tuple[subprocess.CompletedProcess[str], dict[str, str], str]:
    """Run one step's bash; return its result, what it wrote to $GITHUB_OUTPUT, the summary."""
    output, summary = tmp_path / "output", tmp_path / "summary.md"
    output.touch()
    summary.touch()
    full = {
        **os.environ,
        "RUNNER_TEMP": str(tmp_path / "temp"),
        "RUNNER_OS": "Linux",
        "RUNNER_ARCH": "X64",
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        **env,
    }
    assert BASH is not None
    done = subprocess.run(
        [BASH, "-e", "-c", step(name)],
        env=full,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    outputs = dict(
        line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines() if line
    )
    return done, outputs, summary.read_text(encoding="utf-8")


def inputs(wheels: Path, **given: str) -> dict[str, str]:
    """The step's environment as action.yml maps the inputs (their defaults, then ``given``)."""
    harness = Path(sys.executable).parent / "harness"
    if not harness.exists():
        pytest.skip("the harness CLI is not installed beside this interpreter")
    env = {
        "HARNESS": str(harness),
        "WHEELS": str(wheels),
        "INSTALLER": "uv",
        "INDEX": "false",
        "CONDA": "false",
        "STRICT_SYMBOLS": "false",
    }
    for name in ("PYTHONS", "FIND_LINKS", "LAYOUTS", "IMPORTS", "LOADS", "PRELOADS"):
        env[name] = ""
    for name in ("PRODUCERS", "CONSUMERS", "ARGS", "REPORT_NAME"):
        env[name] = ""
    env.update(given)
    return env


def family(tmp_path: Path, built_wheels: Callable[[str], Path], *ids: str) -> tuple[Path, Path]:
    """``dist/`` with the given wheels, ``deps/`` with the loader packages (--find-links)."""
    dist, deps = tmp_path / "dist", tmp_path / "deps"
    dist.mkdir()
    deps.mkdir()
    for wheel_id in ids:
        shutil.copy2(built_wheels(wheel_id), dist)
    for wheel_id in ("shared_lib_manager", "shared_lib_consumer"):
        shutil.copy2(built_wheels(wheel_id), deps)
    return dist, deps


def test_a_passing_family_reports_to_the_summary_and_passes(
    tmp_path: Path, built_wheels: Callable[[str], Path]
) -> None:
    dist, deps = family(tmp_path, built_wheels, "libfoo", "pyfoo")
    env = inputs(dist, FIND_LINKS=str(deps), LAYOUTS="venv,producer-target")
    done, outputs, summary = run_step("harness check", tmp_path, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert outputs["exit-code"] == "0", done.stdout + done.stderr
    assert outputs["artifact"] == "harness-check-Linux-X64"
    report = Path(outputs["report-dir"])
    assert (report / "report.json").is_file() and (report / "report.html").is_file()
    assert summary == (report / "report.md").read_text(encoding="utf-8")
    command = done.stdout.splitlines()[0]
    assert "--layout venv --layout producer-target" in command
    assert f"--find-links {deps}" in command and "--import" not in command


def test_negative_control_a_failing_family_fails_the_job(
    tmp_path: Path, built_wheels: Callable[[str], Path]
) -> None:
    """pyfoo-rpath reaches libfoo through an RPATH: the producer-target cell fails, the
    step records exit code 1 with the report in the summary, and the last step fails."""
    dist, deps = family(tmp_path, built_wheels, "libfoo", "pyfoo-rpath")
    env = inputs(dist, FIND_LINKS=str(deps), LAYOUTS="venv,producer-target", REPORT_NAME="r")
    done, outputs, summary = run_step("harness check", tmp_path, env)
    assert done.returncode == 0, done.stdout + done.stderr  # the verdict fails a later step
    assert outputs["exit-code"] == "1" and outputs["artifact"] == "r", outputs
    assert "producer-target" in summary and summary.strip()
    failed, _, _ = run_step("Fail on a failed verdict", tmp_path, {"STATUS": "1"})
    assert failed.returncode == 1
    assert "::error title=harness check::a cell failed" in failed.stdout


def test_negative_control_bad_input_is_a_failed_job_with_its_reason(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    done, outputs, summary = run_step("harness check", tmp_path, inputs(empty))
    assert outputs["exit-code"] == "2", done.stdout + done.stderr
    assert "harness check:" in done.stderr and "wrote no report (exit status 2)" in summary
    failed, _, _ = run_step("Fail on a failed verdict", tmp_path, {"STATUS": "2"})
    assert failed.returncode == 1 and "cannot be checked" in failed.stdout
