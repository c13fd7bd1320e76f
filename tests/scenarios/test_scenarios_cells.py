"""Cell expansion: interpreter x layout kind x installer, filtered by the command line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from scenario_testlib import VALID

from harness import interpreters
from harness.scenarios import parse
from harness.scenarios.cells import Selection, expand, split_list


def _scenario(write_scenario: Callable[[str, str], Path], text: str = VALID) -> parse.Scenario:
    return parse.load(write_scenario("venv-basic", text))


def test_default_is_the_running_interpreter(write_scenario: Callable[[str, str], Path]) -> None:
    cells = expand(_scenario(write_scenario), Selection())
    tag = interpreters.tag(interpreters.running_version())
    assert [c.name for c in cells] == [f"venv-basic[{tag}-venv-uv]", f"venv-basic[{tag}-venv-pip]"]


def test_interpreters_layouts_installers_multiply(
    write_scenario: Callable[[str, str], Path],
) -> None:
    scenario = _scenario(
        write_scenario, VALID.replace('layouts = ["venv"]', 'layouts = ["venv", "conda"]')
    )
    cells = expand(scenario, Selection(pythons=("3.9", "3.13")))
    assert [c.id for c in cells] == [
        "cp39-venv-uv", "cp39-venv-pip", "cp39-conda-uv", "cp39-conda-pip",
        "cp313-venv-uv", "cp313-venv-pip", "cp313-conda-uv", "cp313-conda-pip",
    ]  # fmt: skip


def test_filters(write_scenario: Callable[[str, str], Path]) -> None:
    scenario = _scenario(
        write_scenario, VALID.replace('layouts = ["venv"]', 'layouts = ["venv", "conda"]')
    )
    only_conda_pip = expand(
        scenario, Selection(pythons=("3.12",), layouts=("conda",), installers=("pip",))
    )
    assert [c.id for c in only_conda_pip] == ["cp312-conda-pip"]
    assert expand(scenario, Selection(layouts=("nothing",))) == []
    assert expand(scenario, Selection(locations=("target",))) == []
    assert len(expand(scenario, Selection(locations=("site", "target")))) == 4


def test_not_applicable_platform_still_expands(write_scenario: Callable[[str, str], Path]) -> None:
    scenario = _scenario(
        write_scenario,
        VALID.replace('platforms = ["linux", "macos", "windows"]', 'platforms = ["windows"]'),
    )
    cells = expand(scenario, Selection(pythons=("3.12",)))
    assert len(cells) == 2
    assert not scenario.applies_to("linux")


def test_split_list_keeps_order_and_drops_repeats() -> None:
    assert split_list(["3.9,3.12", " 3.13 ", "3.9"]) == ("3.9", "3.12", "3.13")
    assert split_list(None) == ()
