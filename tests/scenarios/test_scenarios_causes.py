"""A cell that cannot produce evidence says why in a few lines: what, where, the fix, the log.

Each fault is real: a project that does not build, an install the installer refuses, a
probe step that hangs past the probe's time limit. The verdict is an ``error`` with a
:class:`~harness.scenarios.verdict.Cause` of the right kind, printed in <= 15 lines,
and pytest shows those lines instead of a traceback.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from scenario_testlib import pure_wheel

from harness import interpreters, platforms, project
from harness.builder import Wheelhouse
from harness.builder.wheelhouse import WheelEntry
from harness.envs.locations import pex_app
from harness.hashing import file_sha256
from harness.scenarios import parse
from harness.scenarios.cell_runner import CellRunner
from harness.scenarios.cells import Cell, Selection, expand
from harness.scenarios.verdict import MAX_CAUSE_LINES
from harness.scenarios.wheel_builds import PREBUILT_WHEELHOUSE_VAR
from harness.workdir import WorkDir

pytestmark = pytest.mark.slow  # creates venvs, runs a build

HEADER = """\
schema = 1
description = "A cell made to fail before it has evidence."
platforms = ["linux", "macos", "windows"]
layouts = ["venv"]
installers = ["uv"]
"""


def _prebuilt(root: Path, tag: str, wheels: dict[str, Path]) -> Path:
    house = Wheelhouse(root / tag, tag, platforms.current().name)
    house.directory.mkdir(parents=True, exist_ok=True)
    for wheel_id, built in wheels.items():
        wheel = Path(shutil.copy2(built, house.directory / built.name))
        house.wheels[wheel_id] = WheelEntry(
            file=wheel.name, dist=wheel_id, version="1.0", role="other", sha256=file_sha256(wheel)
        )
    house.write()
    return root


def _prebuilt_pure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, source: str, requires: str = ""
) -> None:
    """A prebuilt wheelhouse of the running interpreter holding one pure wheel ``name``."""
    tag = interpreters.find(interpreters.running_version()).tag
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    wheel = pure_wheel(wheels, name, name, source, requires=requires)
    monkeypatch.setenv(
        PREBUILT_WHEELHOUSE_VAR, str(_prebuilt(tmp_path / "prebuilt", tag, {name: wheel}))
    )


def _cell(tmp_path: Path, body: str) -> Cell:
    path = tmp_path / "scenarios" / "fault" / parse.SCENARIO_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + body, encoding="utf-8")
    (cell,) = expand(parse.load(path), Selection())
    return cell


def _assert_short(lines: list[str], *needles: str) -> None:
    assert len(lines) <= MAX_CAUSE_LINES, "\n".join(lines)
    text = "\n".join(lines)
    for needle in needles:
        assert needle in text, text


def test_a_build_failure_names_the_wheel_and_its_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a checkout whose first wheel names a build backend that does not exist (the other
    # projects are left out, so they fail at once instead of building for a minute)
    checkout = tmp_path / "checkout"
    source = project.wheels_src() / "shared_lib_manager"
    shutil.copytree(source, checkout / "wheels-src" / "shared_lib_manager")
    (checkout / "scenarios").mkdir()
    broken = checkout / "wheels-src" / "shared_lib_manager" / "pyproject.toml"
    text = broken.read_text(encoding="utf-8")
    backend = next(line for line in text.splitlines() if line.startswith("build-backend"))
    broken.write_text(text.replace(backend, 'build-backend = "no_such_backend_here"'), "utf-8")
    monkeypatch.setenv(project.ENV_VAR, str(checkout))
    monkeypatch.delenv(PREBUILT_WHEELHOUSE_VAR, raising=False)
    install = '[[install]]\nlocation = "site"\nwheels = ["shared_lib_manager"]\n'
    cell = _cell(tmp_path, install + '[[steps]]\nid = "import"\nimport = "json"\n')

    verdict = CellRunner(WorkDir(tmp_path / "work")).run_cell(cell)

    assert verdict.status == "error", verdict
    assert verdict.cause is not None and verdict.cause.kind == "build"
    assert verdict.cause.log is not None and Path(verdict.cause.log).is_file()
    _assert_short(verdict.cause.lines(), "shared_lib_manager", "log: ", "harness build")
    assert "no_such_backend_here" in Path(verdict.cause.log).read_text(encoding="utf-8")
    assert verdict.expectations == []


def test_a_layout_error_names_the_command_and_its_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _prebuilt_pure(tmp_path, monkeypatch, "needy", "", requires="not-on-any-index-here>=1")
    # deps = true: the installer must resolve Requires-Dist from the given wheels only
    body = '[[install]]\nlocation = "site"\nwheels = ["needy"]\ndeps = true\n'
    cell = _cell(tmp_path, body + '[[steps]]\nid = "import"\nimport = "needy"\n')

    verdict = CellRunner(WorkDir(tmp_path / "work")).run_cell(cell)

    assert verdict.status == "error", verdict
    assert verdict.cause is not None and verdict.cause.kind == "layout"
    assert verdict.cause.log is not None and Path(verdict.cause.log).is_file()
    _assert_short(verdict.cause.lines(), "install", "not-on-any-index-here", "log: ")


def test_a_probe_timeout_names_the_cell_and_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _prebuilt_pure(
        tmp_path, monkeypatch, "sleepy", "import time\n\ndef nap(s):\n    time.sleep(s)\n"
    )
    body = '[[install]]\nlocation = "site"\nwheels = ["sleepy"]\n'
    steps = '[[steps]]\nid = "quick"\ncall = "sleepy.nap"\nargs = [0]\n'
    hang = '[[steps]]\nid = "hang"\ncall = "sleepy.nap"\nargs = [600]\n'
    runner = CellRunner(WorkDir(tmp_path / "work"), probe_timeout=3)

    verdict = runner.run_cell(_cell(tmp_path, body + steps + hang))

    assert verdict.status == "error", verdict
    assert verdict.cause is not None and verdict.cause.kind == "timeout"
    _assert_short(verdict.cause.lines(), "did not finish in 3", "fix: ")
    # control: the same cell without the hanging step produces evidence and passes
    (tmp_path / "scenarios").rename(tmp_path / "hung-scenarios")
    # (its own limit is generous: only the hanging step may decide the outcome, never a
    # probe that a loaded CI machine kept waiting for a CPU)
    control = CellRunner(WorkDir(tmp_path / "work"), probe_timeout=120).run_cell(
        _cell(tmp_path, body + steps)
    )
    assert control.status == "passed", control


def test_pytest_prints_the_cause_not_a_traceback(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plugin's item shows the cause's lines for an error cell."""
    tag = interpreters.find(interpreters.running_version()).tag
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    needy = pure_wheel(wheels, "needy", "needy", "", requires="not-on-any-index-here>=1")
    prebuilt = _prebuilt(tmp_path / "prebuilt", tag, {"needy": needy})
    scenario = pytester.path / "scenarios" / "fault" / parse.SCENARIO_FILE
    scenario.parent.mkdir(parents=True)
    body = '[[install]]\nlocation = "site"\nwheels = ["needy"]\ndeps = true\n'
    scenario.write_text(HEADER + body + '[[steps]]\nid = "i"\nimport = "needy"\n', "utf-8")
    monkeypatch.setenv(PREBUILT_WHEELHOUSE_VAR, str(prebuilt))

    result = pytester.runpytest_subprocess(
        "scenarios", "--harness-workdir", str(tmp_path / "work"), "-p", "no:cacheprovider"
    )

    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "layout: " in out and "not-on-any-index-here" in out
    assert "Traceback" not in out and "harness/scenarios/cell_runner.py" not in out


@pytest.mark.skipif(sys.platform == "win32", reason="the pex location runs a sh launcher")
def test_a_location_whose_tool_is_missing_is_a_skip_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _prebuilt_pure(tmp_path, monkeypatch, "plain", "VALUE = 1\n")
    body = '[[install]]\nlocation = "pex"\nwheels = ["plain"]\n[[steps]]\nimport = "plain"\n'
    cell = _cell(tmp_path, body)
    if pex_app.tools.find("pex") is None:
        pytest.skip("needs pex (the test extras install it) for the control")
    # control: with the tool the same cell passes
    assert CellRunner(WorkDir(tmp_path / "work")).run_cell(cell).status == "passed"
    # the pex tool as if it were not installed (the harness's own copy is found first)
    monkeypatch.setattr(pex_app.tools, "find", lambda name, path=None: None)
    skipped = CellRunner(WorkDir(tmp_path / "work2")).run_cell(cell)
    assert skipped.status == "skipped", skipped
    assert skipped.cause is not None and skipped.cause.kind == "unavailable"
    _assert_short(skipped.cause.lines(), "needs the `pex` tool", "pip install pex")
