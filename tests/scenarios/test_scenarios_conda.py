"""The ``[conda] packages`` table: validation, plumbing to the conda provider, cache keys."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness.envs import registry
from harness.scenarios import parse
from harness.scenarios.cell_runner import CellRunner
from harness.scenarios.cells import Cell, Selection
from harness.workdir import WorkDir

CONDA_VALID = textwrap.dedent(
    """
    schema = 1
    description = "conda's libfoo and the wheels in one prefix"
    platforms = ["linux"]
    layouts = ["conda"]
    installers = ["pip"]

    [conda]
    packages = ["libfoo 1.*"]

    [[install]]
    location = "site"
    wheels = ["shared_lib_manager", "shared_lib_consumer", "libfoo", "pyfoo"]

    [[steps]]
    id = "import"
    import = "pyfoo"

    [libraries.libfoo]
    location = "site"
    """
)


def _broken(
    write_scenario: Callable[[str, str], Path], old: str, new: str
) -> tuple[Path, parse.ScenarioError]:
    assert old in CONDA_VALID, old
    path = write_scenario("broken", CONDA_VALID.replace(old, new))
    with pytest.raises(parse.ScenarioError) as caught:
        parse.load(path)
    return path, caught.value


def test_conda_packages_parse(write_scenario: Callable[[str, str], Path]) -> None:
    scenario = parse.load(write_scenario("conda-ok", CONDA_VALID))
    assert scenario.conda_packages == ("libfoo 1.*",)
    assert "conda-lib" in scenario.locations
    assert Selection(locations=("conda-lib",)).wants_scenario(scenario)


def test_scenarios_without_conda_table_have_no_packages(
    write_scenario: Callable[[str, str], Path],
) -> None:
    text = CONDA_VALID.replace('[conda]\npackages = ["libfoo 1.*"]\n', "")
    scenario = parse.load(write_scenario("plain", text))
    assert scenario.conda_packages == ()
    assert "conda-lib" not in scenario.locations


# (replace this text of CONDA_VALID, with this, expected key, words in the message, in the fix)
BROKEN = [
    ('layouts = ["conda"]', 'layouts = ["venv"]', "conda", "`layouts` is ['venv']", "conda"),
    (
        'layouts = ["conda"]',
        'layouts = ["venv", "conda"]',
        "conda",
        "need a conda prefix",
        'layouts = ["conda"]',
    ),
    ('layouts = ["conda"]', "", "conda", "`layouts` is ['venv']", "remove the [conda] table"),
    ('packages = ["libfoo 1.*"]', "", "conda.packages", "is missing", "packages = "),
    ('packages = ["libfoo 1.*"]', "packages = []", "conda.packages", "is empty", "match spec"),
    (
        'packages = ["libfoo 1.*"]',
        'packages = "libfoo 1.*"',
        "conda.packages",
        "expected an array",
        "match specs",
    ),
    ('packages = ["libfoo 1.*"]', "packages = [1]", "conda.packages", "list of strings", "specs"),
    (
        'packages = ["libfoo 1.*"]',
        'packages = ["libfoo =="]',
        "conda.packages",
        "is not a conda match spec",
        "name [version [build]]",
    ),
    (
        'packages = ["libfoo 1.*"]',
        'packages = ["1.*"]',
        "conda.packages",
        "does not start with a conda package name",
        "libfoo 1.*",
    ),
    (
        'packages = ["libfoo 1.*"]',
        'packages = ["python 3.12.*"]',
        "conda.packages",
        "always in the prefix",
        "--python",
    ),
    (
        'packages = ["libfoo 1.*"]',
        'packages = ["libfoo 1.*", "libfoo 2.*"]',
        "conda.packages",
        "listed twice",
        "one match spec per package",
    ),
    (
        'packages = ["libfoo 1.*"]',
        'packages = ["libfoo 1.*"]\nchannel = "x"',
        "conda.channel",
        "not a known key",
        "`packages`",
    ),
    (
        '[conda]\npackages = ["libfoo 1.*"]',
        'conda = "libfoo"',
        "conda",
        "expected a table",
        "[conda]",
    ),
]


@pytest.mark.parametrize("case", BROKEN, ids=[f"{c[2]}:{c[3]}" for c in BROKEN])
def test_bad_conda_table_names_file_key_and_fix(
    write_scenario: Callable[[str, str], Path], case: tuple[str, str, str, str, str]
) -> None:
    old, new, key, what, fix = case
    path, error = _broken(write_scenario, old, new)
    matching = [p for p in error.problems if p.key == key]
    assert matching, f"no problem for key {key!r}: {[p.key for p in error.problems]}"
    assert any(what in p.what and fix in p.fix for p in matching), matching
    assert str(path) in str(error) and f"key `{key}`" in str(error)


def test_env_may_name_conda_lib_only_with_conda_packages(
    write_scenario: Callable[[str, str], Path],
) -> None:
    with_env = CONDA_VALID + '\n[env]\nLD_PRELOAD = "{location:conda-lib}/libfoo.so.1"\n'
    scenario = parse.load(write_scenario("env-ok", with_env))
    assert scenario.env["LD_PRELOAD"] == "{location:conda-lib}/libfoo.so.1"
    # Negative control: without [conda] the prefix's lib/ is not a location of the scenario.
    without = with_env.replace('[conda]\npackages = ["libfoo 1.*"]\n', "")
    with pytest.raises(parse.ScenarioError, match=r"key `env.LD_PRELOAD`.*conda-lib"):
        parse.load(write_scenario("env-bad", without))


def test_providers_pass_conda_packages_to_the_conda_provider(tmp_path: Path) -> None:
    workdir = WorkDir(tmp_path / "work")
    provider: Any = registry.get("conda", workdir, conda_packages=["libfoo 2.*"])
    assert provider.conda_packages == ("libfoo 2.*",)
    assert registry.get("conda", workdir).conda_packages == ()  # type: ignore[attr-defined]


def test_providers_refuse_conda_packages_for_a_venv(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"conda packages \['libfoo 1\.\*'\].*'venv' layout"):
        registry.get("venv", WorkDir(tmp_path / "work"), conda_packages=["libfoo 1.*"])


class _StopHereError(Exception):
    """Ends ``CellRunner._create`` right after the provider is chosen (nothing is built)."""


def test_cell_runner_hands_the_scenario_packages_to_the_provider(
    write_scenario: Callable[[str, str], Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scenario = parse.load(write_scenario("conda-ok", CONDA_VALID))
    asked: list[dict[str, Any]] = []

    def record(kind: str, workdir: WorkDir, **options: Any) -> Any:
        asked.append({"kind": kind, **options})
        raise _StopHereError

    monkeypatch.setattr(registry, "get", record)
    runner = CellRunner(WorkDir(tmp_path / "work"))
    with pytest.raises(_StopHereError):
        runner.environment(Cell(scenario, "current", "conda", "pip"))
    assert asked == [{"kind": "conda", "conda_packages": ("libfoo 1.*",)}]
