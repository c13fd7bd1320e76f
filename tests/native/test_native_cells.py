"""Native scenarios run through the one path every cell takes: ``CellRunner.run_cell``.

The scenarios under ``scenarios/native-*`` are run with real loaders and their verdicts
checked: each applicable cell passes from evidence, the others are not applicable, and
the verdict names where each copy of foo came from by the build's location labels (Wine's
``Z:\\`` paths mapped back to host files). The negative controls: the musl and Wine
scenarios with their expectation flipped to what glibc would do fail, with the evidence
the loader rules predict.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import project
from harness.native import build, wine
from harness.scenarios import parse
from harness.scenarios.cell_runner import CellRunner
from harness.scenarios.cells import Cell, Selection, expand
from harness.scenarios.verdict import CellFailedError, CellVerdict
from harness.vocabulary import NATIVE_PYTHON
from harness.workdir import WorkDir

pytestmark = pytest.mark.slow

SCENARIOS = project.scenarios_dir()


def _require(loader: str) -> None:
    missing = build.missing_compiler(loader)
    if missing is None and loader == "wine":
        missing = wine.missing_tool()
    if missing is not None:
        pytest.skip(str(missing))


@pytest.fixture(scope="module")
def runner(native_workdir: WorkDir) -> Iterator[CellRunner]:
    cell_runner = CellRunner(native_workdir, probe_timeout=120)
    yield cell_runner
    cell_runner.close()


def _cell(scenario: parse.Scenario, loader: str) -> Cell:
    (cell,) = expand(scenario, Selection(installers=(loader,)))
    return cell


def _run(runner: CellRunner, name: str, loader: str, root: Path = SCENARIOS) -> CellVerdict:
    _require(loader)
    scenario = parse.load(root / name / parse.SCENARIO_FILE)
    return runner.run_cell(_cell(scenario, loader))


NATIVE_SCENARIOS = sorted(p.parent.name for p in SCENARIOS.glob("native-*/scenario.toml"))


def test_the_native_scenarios_exist() -> None:
    assert len(NATIVE_SCENARIOS) >= 8, NATIVE_SCENARIOS


@pytest.mark.parametrize("loader", ["glibc", "musl", "wine"])
@pytest.mark.parametrize("name", NATIVE_SCENARIOS)
def test_every_native_cell_passes_from_evidence_or_is_not_applicable(
    runner: CellRunner, name: str, loader: str
) -> None:
    scenario = parse.load(SCENARIOS / name / parse.SCENARIO_FILE)
    verdict = _run(runner, name, loader)
    assert (verdict.python, verdict.layout, verdict.installer) == (NATIVE_PYTHON, "native", loader)
    if loader not in scenario.loaders:
        assert verdict.status == "not-applicable", verdict.cause
        return
    assert verdict.status == "passed", verdict.diff or verdict.cause
    assert verdict.expectations and all(item.ok for item in verdict.expectations)
    assert verdict.loader_version.startswith(loader), verdict.loader_version
    assert verdict.python_version == "", "a native cell runs no interpreter"
    assert set(verdict.timings) == {"layout", "probe"}


@pytest.mark.parametrize(
    ("name", "loader", "origins"),
    [
        ("native-preload", "glibc", ["producer:libfoo.so.1"]),
        ("native-preload", "wine", ["producer:foo.dll"]),
        ("native-musl-preload-fails", "musl", ["producer:libfoo.so.1"]),
        ("native-musl-rpath-other-copy", "musl", ["copy:libfoo.so.1", "producer:libfoo.so.1"]),
        ("native-glibc-rpath-other-copy", "glibc", ["copy:libfoo.so.1"]),
        ("native-wine-two-copies", "wine", ["producer:foo.dll", "copy:foo.dll"]),
        ("native-wine-first-loaded-wins", "wine", ["bundled:foo.dll", "producer:foo.dll"]),
        ("native-wine-no-preload", "wine", []),
    ],
)
def test_the_verdict_names_each_copy_by_its_build_location(
    runner: CellRunner, name: str, loader: str, origins: list[str]
) -> None:
    verdict = _run(runner, name, loader)
    assert verdict.libraries["libfoo"] == origins


def _flipped(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """A copy of scenario ``name`` (renamed: its cells get their own directories) with
    ``old`` replaced by ``new`` in its scenario.toml."""
    root = tmp_path / "scenarios"
    target = root / f"flipped-{name}"
    shutil.copytree(SCENARIOS / name, target)
    toml = target / parse.SCENARIO_FILE
    text = toml.read_text(encoding="utf-8")
    assert old in text
    toml.write_text(text.replace(old, new), encoding="utf-8")
    return root


def test_flipped_musl_expectation_fails_as_the_rule_predicts(
    runner: CellRunner, tmp_path: Path
) -> None:
    """Expect the glibc outcome on musl: the consumer's load fails with musl's message."""
    root = _flipped(
        tmp_path,
        "native-musl-preload-fails",
        'expect = { error = "LoadError", error_matches = \'Error loading shared library '
        "libfoo\\.so\\.1: No such file or directory' }",
        "expect = { ok = true }",
    )
    verdict = _run(runner, "flipped-native-musl-preload-fails", "musl", root)
    assert verdict.status == "failed"
    (failed,) = verdict.failed_expectations
    assert failed.subject == "step consumer (load consumer)"
    assert failed.expected == "ok"
    assert failed.evidence.startswith(
        "LoadError: Error loading shared library libfoo.so.1: No such file or directory"
    )


def test_flipped_wine_expectation_fails_as_the_rule_predicts(
    runner: CellRunner, tmp_path: Path
) -> None:
    """Expect our preload to win: the import is bound to the DLL loaded first instead."""
    root = _flipped(
        tmp_path,
        "native-wine-first-loaded-wins",
        'expect = { value = "libfoo 1.0 native-bundled" }',
        'expect = { value = "libfoo 1.0 native" }',
    )
    verdict = _run(runner, "flipped-native-wine-first-loaded-wins", "wine", root)
    assert verdict.status == "failed"
    (failed,) = verdict.failed_expectations
    assert (failed.subject, failed.expected, failed.evidence) == (
        "step identity (call consumer_foo_identity)",
        "ok, value 'libfoo 1.0 native'",
        "ok, value 'libfoo 1.0 native-bundled'",
    )


def test_a_missing_tool_skips_the_cell_naming_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no musl-gcc, no wine
    work = WorkDir(tmp_path / "work")
    scenario = parse.load(SCENARIOS / "native-musl-preload-fails" / parse.SCENARIO_FILE)
    verdict = CellRunner(work).run_cell(_cell(scenario, "musl"))
    assert verdict.status == "skipped"
    assert verdict.cause is not None
    assert verdict.cause.what == (
        "musl-gcc not found: the musl native cells need it (Debian package: musl-tools)"
    )
    assert verdict.cause.fix == "install it (Debian: apt-get install musl-tools)"


def test_native_cells_offer_no_python_layout_to_scenario_checks(runner: CellRunner) -> None:
    scenario = parse.load(SCENARIOS / "native-preload" / parse.SCENARIO_FILE)
    with pytest.raises(CellFailedError, match="is a native cell: it has no Python layout"):
        runner.environment(_cell(scenario, "glibc"))


def test_the_wine_session_lives_as_long_as_the_runner(native_workdir: WorkDir) -> None:
    _require("wine")
    cell_runner = CellRunner(native_workdir)
    verdict = _run(cell_runner, "native-wine-no-preload", "wine")
    assert verdict.status == "passed", verdict.diff or verdict.cause
    session = cell_runner._native._session
    assert session is not None and session.running
    cell_runner.close()
    assert not session.running and cell_runner._native._session is None
