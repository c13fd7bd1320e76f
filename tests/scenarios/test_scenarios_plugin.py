"""The pytest plugin, run through pytester on a temporary scenarios directory.

These runs need no wheels: cells of a scenario for another platform are reported
"not applicable" without building anything, and ``--collect-only`` shows the items.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from scenario_testlib import VALID

from harness import platforms
from harness.scenarios.pluginload import plugin_args

PROJECT = Path(__file__).resolve().parents[2]
HERE = platforms.current().name
ELSEWHERE = "windows" if HERE != "windows" else "linux"


def _make(pytester: pytest.Pytester) -> None:
    elsewhere = VALID.replace(
        'platforms = ["linux", "macos", "windows"]', f'platforms = ["{ELSEWHERE}"]'
    )
    for name, text in {
        "venv-basic": VALID,
        "elsewhere-only": elsewhere,
        "broken": VALID.replace('layouts = ["venv"]', 'layouts = ["docker"]'),
    }.items():
        directory = pytester.path / "scenarios" / name
        directory.mkdir(parents=True)
        (directory / "scenario.toml").write_text(text, encoding="utf-8")
    (pytester.path / "scenarios" / "elsewhere-only" / "test_custom.py").write_text(
        textwrap.dedent(
            """
            def test_custom(scenario_cell):
                raise AssertionError("must be skipped: not applicable here")
            """
        )
    )
    (pytester.path / "scenarios" / "venv-basic" / "test_ids.py").write_text(
        textwrap.dedent(
            """
            def test_cell_param(scenario_cell):
                assert scenario_cell.scenario.name == "venv-basic"
            """
        )
    )


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest(
        *plugin_args(), "--import-mode=importlib", "-p", "no:cacheprovider", *args
    )


def test_collects_cells_with_readable_ids(pytester: pytest.Pytester) -> None:
    _make(pytester)
    result = _run(pytester, "scenarios", "--collect-only", "-q", "--python", "3.9,3.12")
    out = result.stdout.str()
    for cell in ("cp39-venv-uv", "cp39-venv-pip", "cp312-venv-uv", "cp312-venv-pip"):
        assert f"scenarios/venv-basic/scenario.toml::venv-basic[{cell}]" in out
        assert f"scenarios/venv-basic/test_ids.py::test_cell_param[{cell}]" in out
    assert "elsewhere-only[cp39-venv-uv]" in out


def test_malformed_scenario_is_a_collection_error_and_the_others_run(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    _make(pytester)
    reports = tmp_path / "reports"
    result = _run(
        pytester, "scenarios", "-k", "elsewhere", "--harness-reports", str(reports), "-rs"
    )
    out = result.stdout.str()
    assert "ERROR collecting scenarios/broken/scenario.toml" in out
    assert (
        "scenario.toml: key `layouts`: unknown value 'docker'. Fix: use one or more of 'venv', 'conda'"
        in out
    )
    # the other scenario still ran: its cells are "not applicable" here, and its own test is skipped
    result.assert_outcomes(skipped=4, errors=1)
    assert f"not applicable on {HERE}" in out
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    cells = json.loads((reports / "report.json").read_text())["cells"]
    assert {(c["scenario"], c["installer"], c["status"]) for c in cells} == {
        ("elsewhere-only", "uv", "not-applicable"),
        ("elsewhere-only", "pip", "not-applicable"),
        ("broken", "*", "error"),  # the malformed scenario is a row, not a silent gap
    }
    (broken,) = (c for c in cells if c["scenario"] == "broken")
    assert broken["cause"]["kind"] == "scenario"
    assert "unknown value 'docker'" in "\n".join(broken["cause"]["details"])
    assert "harness scenario report" in out and str(reports / "report.html") in out


def test_k_selects_by_scenario_layout_installer_and_location(pytester: pytest.Pytester) -> None:
    _make(pytester)
    result = _run(
        pytester, "scenarios", "--collect-only", "-q", "-k", "venv-basic and pip and site"
    )
    selected = [line for line in result.stdout.lines if "::" in line]
    # "site" is a location keyword of the scenario item only, not of its test_ids.py
    assert selected == [
        f"scenarios/venv-basic/scenario.toml::venv-basic[cp{platforms_version()}-venv-pip]"
    ]


def test_layout_and_installer_options_filter(pytester: pytest.Pytester) -> None:
    _make(pytester)
    result = _run(
        pytester,
        "scenarios/venv-basic",
        "--collect-only",
        "-q",
        "--installer",
        "pip",
        "--layout",
        "venv",
    )
    selected = [line for line in result.stdout.lines if "scenario.toml::" in line]
    assert [line.rsplit("[", 1)[1] for line in selected] == [f"cp{platforms_version()}-venv-pip]"]


def platforms_version() -> str:
    import sys

    return f"{sys.version_info[0]}{sys.version_info[1]}"


def test_report_collected_from_xdist_workers(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("xdist", reason="pytest-xdist is not installed")
    monkeypatch.setenv("PYTHONPATH", str(PROJECT))
    _make(pytester)
    (pytester.path / "scenarios" / "broken" / "scenario.toml").unlink()
    reports = tmp_path / "reports"
    result = _run(
        pytester, "scenarios", "-n", "2", "-k", "elsewhere", "--python", "3.9,3.12",
        "--harness-reports", str(reports),
    )  # fmt: skip
    result.assert_outcomes(skipped=8)
    cells = json.loads((reports / "report.json").read_text())["cells"]
    assert sorted(c["python"] + "/" + c["installer"] for c in cells) == [
        "3.12/pip", "3.12/uv", "3.9/pip", "3.9/uv"
    ]  # fmt: skip
    assert {c["status"] for c in cells} == {"not-applicable"}


def test_checks_of_a_scenario_without_cells_are_deselected_not_skipped(
    pytester: pytest.Pytester,
) -> None:
    """``--layout conda`` leaves venv-basic no cell: its test_ids.py must not show as a skip."""
    _make(pytester)
    result = _run(pytester, "scenarios/venv-basic", "--layout", "conda", "-rs")
    result.assert_outcomes(deselected=1)
    assert "empty parameter set" not in result.stdout.str()
    # control: with its layout selected, the same check is collected and runs
    control = _run(pytester, "scenarios/venv-basic", "--collect-only", "-q", "--layout", "venv")
    assert "test_ids.py::test_cell_param[" in control.stdout.str()
