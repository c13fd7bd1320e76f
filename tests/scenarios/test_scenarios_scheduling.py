"""A cell's items run on one pytest-xdist worker with ``--dist loadgroup`` (real workers).

The cells here are for another platform: "not applicable" without building anything, so
the runs are fast; where each item ran is read from pytest-xdist's ``-v`` lines. The
control runs the same tests with xdist's default scheduling, which splits the first
scenario's items between the workers (its first chunk of two items goes to one worker,
the next chunk to the other), the waste the grouping removes: the other worker makes
the cell again.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from scenario_testlib import VALID

from harness import platforms
from harness.scenarios.pluginload import plugin_args
from harness.scenarios.scheduling import CellGroups

pytest.importorskip("xdist", reason="pytest-xdist is not installed")

ELSEWHERE = "windows" if platforms.current().name != "windows" else "linux"
_RAN = re.compile(r"^\[(gw\d+)\] .*?(PASSED|SKIPPED|FAILED|ERROR) (\S+)")


def _scenarios(root: Path, count: int) -> None:
    text = VALID.replace(
        'platforms = ["linux", "macos", "windows"]', f'platforms = ["{ELSEWHERE}"]'
    )
    checks = "".join(f"def test_check_{i}(scenario_cell):\n    pass\n\n" for i in range(3))
    for index in range(count):
        directory = root / "scenarios" / f"s{index}"
        directory.mkdir(parents=True)
        (directory / "scenario.toml").write_text(text, encoding="utf-8")
        (directory / "test_checks.py").write_text(checks, encoding="utf-8")


def _workers_per_cell(pytester: pytest.Pytester, dist: str) -> dict[str, set[str]]:
    result = pytester.runpytest_subprocess(
        *plugin_args(), "--import-mode=importlib", "-p", "no:cacheprovider", "scenarios",
        "--installer", "uv", "-n", "2", "--dist", dist, "-v",
    )  # fmt: skip
    workers: dict[str, set[str]] = defaultdict(set)
    for line in result.stdout.lines:
        match = _RAN.match(line)
        if match:
            worker, _, nodeid = match.groups()
            cell = nodeid.split("/")[1] + nodeid[nodeid.rindex("[") :]
            workers[cell].add(worker)
    assert len(workers) == 4, result.stdout.str()  # four cells, each with four items
    return workers


def test_each_cells_items_run_on_one_worker(pytester: pytest.Pytester) -> None:
    _scenarios(pytester.path, 4)
    grouped = _workers_per_cell(pytester, "loadgroup")
    assert all(len(workers) == 1 for workers in grouped.values()), grouped
    assert len(set().union(*grouped.values())) == 2  # and both workers had cells
    spread = _workers_per_cell(pytester, "load")  # the control: xdist's default
    assert any(len(workers) == 2 for workers in spread.values()), spread


def test_units_are_cells_of_scenario_directories_only(tmp_path: Path) -> None:
    (tmp_path / "scenarios" / "a").mkdir(parents=True)
    (tmp_path / "scenarios" / "a" / "scenario.toml").write_text("", encoding="utf-8")
    (tmp_path / "tests").mkdir()
    groups = CellGroups(tmp_path)
    item = groups.unit("scenarios/a/scenario.toml::a[cp311-venv-uv]")
    assert item == "scenarios/a::cp311-venv-uv"
    assert groups.unit("scenarios/a/test_x.py::test_y[cp311-venv-uv]") == item
    assert groups.unit("scenarios/a/test_x.py::test_y[cp311-venv-pip]") != item
    # a parametrized test elsewhere stays a unit of its own, as do unparametrized ones
    assert groups.unit("tests/test_x.py::test_y[cp311-venv-uv]") is None
    assert groups.unit("scenarios/a/test_x.py::test_plain") is None
