"""pytest plugin: every ``scenarios/<name>/scenario.toml`` becomes test items, one per cell.

Cells are scenario x interpreter (``--python 3.9,3.12``) x layout kind x installer,
named like ``venv-basic[cp312-venv-uv]`` so ``-k`` selects by scenario name, layout,
installer, interpreter tag or location label. A scenario's own ``test_*.py`` gets the
fixtures ``scenario_cell``, ``scenario_layout``, ``scenario_evidence``,
``scenario_observed`` and ``run_probe``, parametrized over the same cells.

At the end of the session the controller (never an xdist worker) writes the report
(Markdown, HTML, JSON) under ``<workdir>/reports/<run id>/`` and copies it to
``<workdir>/reports/`` (the latest report); each run has its own cells
(:class:`harness.workdir.Run`), so runs on one work dir do not disturb each other.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness import platforms, report
from harness.envs.layout import Layout
from harness.evidence import Evidence
from harness.scenarios import parse, scheduling
from harness.scenarios.cell_runner import (
    PROBE_TIMEOUT_VAR,
    CellEnvironment,
    CellRunner,
    probe_timeout,
)
from harness.scenarios.cells import Cell, Selection, expand, split_list
from harness.scenarios.observed import Observed
from harness.scenarios.results import CHECK_OF_PROPERTY, ResultCollector, verdict_property
from harness.scenarios.schema import Scenario
from harness.scenarios.verdict import CellFailedError, CellVerdict, cell_key
from harness.workdir import Run, WorkDir, publish_latest

_STATE_KEY = pytest.StashKey["HarnessState"]()
_FIXTURES = frozenset(
    {"scenario_cell", "scenario_layout", "scenario_evidence", "scenario_observed", "run_probe"}
)


class ScenarioExpectationError(AssertionError):
    """Expectations not met; the message is the readable expectation/evidence diff."""


class CellError(RuntimeError):
    """The cell produced no evidence; the message is its cause in a few lines."""


class HarnessState:
    """Per-process state: options, the cell runner (lazy), collected results."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.selection = Selection(
            pythons=split_list(config.getoption("harness_python")),
            layouts=split_list(config.getoption("harness_layout")),
            installers=split_list(config.getoption("harness_installer")),
            locations=split_list(config.getoption("harness_location")),
        )
        workdir = config.getoption("harness_workdir")
        self.workdir = WorkDir(Path(workdir) if workdir else None)
        worker = hasattr(config, "workerinput")
        self.run = Run.current(self.workdir) if worker else Run.new(self.workdir)
        self.kept_cells: Path | None = None
        self.collector = ResultCollector()
        self.report_paths: dict[str, Path] = {}
        self._runner: CellRunner | None = None
        self._scenarios: dict[Path, Scenario] = {}
        self._failed_here = False
        """An item of this process failed (its cells are kept for inspection)."""

    def scenario(self, path: Path) -> Scenario:
        """The scenario in ``path``, parsed once per process: its items and every test
        function of its ``test_*.py`` share it."""
        scenario = self._scenarios.get(path)
        if scenario is None:
            scenario = parse.load(path)
            self._scenarios[path] = scenario
        return scenario

    @property
    def runner(self) -> CellRunner:
        if self._runner is None:
            timeout = probe_timeout(os.environ.get(PROBE_TIMEOUT_VAR))
            self._runner = CellRunner(self.workdir, run=self.run, probe_timeout=timeout)
        return self._runner

    @pytest.hookimpl(tryfirst=True)
    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """A malformed scenario must not stop the other scenarios from running, and
        shows in the report as an error row (so a report never says "all passed" while
        a scenario did not run)."""
        if report.failed and report.nodeid.endswith(parse.SCENARIO_FILE):
            self.config.option.continue_on_collection_errors = True
            problem = str(report.longrepr) if report.longrepr else "unreadable"
            self.collector.add_scenario_error(Path(report.nodeid), problem)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self._failed_here = self._failed_here or report.failed
        self.collector.add(
            nodeid=report.nodeid,
            when=report.when or "",
            outcome=report.outcome,
            user_properties=report.user_properties,
            message=_message(report),
        )

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self._runner is not None:
            self._runner.close()  # every process: stops what the run started (wine server)
        if hasattr(self.config, "workerinput"):
            # an xdist worker: the controller writes the report; a worker whose items all
            # passed removes its cells now, beside the other workers still running
            if self._runner is not None and not self._failed_here:
                self._runner.remove_cells()
            return
        results = self.collector.results()
        keep = any(cell.status in ("failed", "error") for cell in results)
        self.run.finish(keep_cells=keep)
        if keep and (self.workdir.root / "cells" / self.run.id).is_dir():
            self.kept_cells = self.workdir.root / "cells" / self.run.id
        if not results or not self.config.getoption("harness_report"):
            return
        reports = self.config.getoption("harness_reports")
        if reports:
            self.report_paths = report.write(results, Path(reports))
            return
        self.report_paths = report.write(results, self.run.reports)
        publish_latest(self.report_paths, self.workdir.reports)
        self.run.prune_reports()

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.report_paths:
            return
        terminalreporter.write_sep("=", "harness scenario report")
        for line in report.summary(self.collector.results(), self.report_paths):
            terminalreporter.write_line(line)
        if self.kept_cells is not None:
            terminalreporter.write_line(f"cells of failed cells kept in {self.kept_cells}")


def _message(report: pytest.TestReport) -> str:
    """A failed or skipped item's own message: the assertion or exception pytest reports
    (``reprcrash``), or the skip reason; not the first line of the traceback's text."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):
        return str(longrepr[2]).removeprefix("Skipped: ")
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None:
        return str(crash.message)
    return str(longrepr) if longrepr else ""


def _state(config: pytest.Config) -> HarnessState:
    return config.stash[_STATE_KEY]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "interop harness scenarios")
    group.addoption(
        "--python",
        dest="harness_python",
        action="append",
        metavar="VERSIONS",
        help="interpreter versions to run scenarios with, e.g. 3.9,3.12, or current, oldest, "
        "newest, all (of the CPython versions found here; default: the running one)",
    )
    group.addoption(
        "--layout",
        dest="harness_layout",
        action="append",
        metavar="KINDS",
        help="only these layout kinds, e.g. venv or venv,conda (native: the C probe per loader)",
    )
    group.addoption(
        "--installer",
        dest="harness_installer",
        action="append",
        metavar="NAMES",
        help="only these installers (uv, pip) or native loaders (glibc, musl, wine)",
    )
    group.addoption(
        "--location",
        dest="harness_location",
        action="append",
        metavar="LABELS",
        help="only scenarios that use one of these locations (site, target, user, system)",
    )
    group.addoption(
        "--harness-workdir",
        dest="harness_workdir",
        default=None,
        help="work directory for caches, cells and reports (default: $HARNESS_WORKDIR or ./.harness)",
    )
    group.addoption(
        "--harness-reports",
        dest="harness_reports",
        default=None,
        metavar="DIR",
        help="write report.md/.html/.json here (default: <workdir>/reports)",
    )
    group.addoption(
        "--no-harness-report",
        dest="harness_report",
        action="store_false",
        default=True,
        help="do not write the scenario report at the end of the session",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "harness_no_cells: a scenario check with no cell in the selection (deselected)"
    )
    state = HarnessState(config)
    config.stash[_STATE_KEY] = state
    config.pluginmanager.register(state, "harness_scenarios_state")


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """With ``--dist loadgroup``: each cell's items on one worker (:mod:`.scenarios.scheduling`)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    return scheduling.make_scheduler(config, log)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.name == parse.SCENARIO_FILE:
        scenario_file: ScenarioFile = ScenarioFile.from_parent(parent, path=file_path)
        return scenario_file
    return None


class ScenarioFile(pytest.File):
    """A ``scenario.toml``: validated at collection, one item per selected cell."""

    def collect(self) -> Iterator[pytest.Item]:
        scenario = _state(self.config).scenario(self.path)
        for cell in expand(scenario, _state(self.config).selection):
            yield ScenarioItem.from_parent(self, name=cell.name, cell=cell)

    def repr_failure(  # type: ignore[override]
        self, excinfo: pytest.ExceptionInfo[BaseException]
    ) -> str | Any:
        if isinstance(excinfo.value, parse.ScenarioError):
            return (
                f"malformed scenario (this scenario does not run; the others do):\n{excinfo.value}"
            )
        return super().repr_failure(excinfo)


class ScenarioItem(pytest.Item):
    """One cell: a thin adapter from :meth:`CellRunner.run_cell`'s verdict to pytest."""

    def __init__(self, *, cell: Cell, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cell = cell
        self.verdict: CellVerdict | None = None
        for word in (cell.layout, cell.installer, *cell.scenario.locations):
            self.extra_keyword_matches.add(word)

    def runtest(self) -> None:
        verdict = _state(self.config).runner.run_cell(self.cell)
        self.verdict = verdict
        self.user_properties.append(verdict_property(verdict))
        if verdict.status in ("skipped", "not-applicable"):
            pytest.skip(verdict.cause.what if verdict.cause else verdict.status)
        if verdict.status == "error":
            raise CellError(verdict.message)
        if verdict.status == "failed":
            raise ScenarioExpectationError(verdict.diff)

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None
    ) -> str | Any:
        if isinstance(excinfo.value, ScenarioExpectationError):
            return str(excinfo.value)
        if isinstance(excinfo.value, CellError) and self.verdict and self.verdict.cause:
            return "\n".join([f"{self.name}: no evidence", *self.verdict.cause.lines()])
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"scenario {self.name}"


def _environment_or_skip(config: pytest.Config, cell: Cell) -> CellEnvironment:
    try:
        return _state(config).runner.environment(cell)
    except CellFailedError as error:
        if error.skip:
            pytest.skip(f"cell cannot run here: {error.cause.what}")
        pytest.fail("\n".join(["the cell has no layout", *error.cause.lines()]), pytrace=False)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize a scenario's own ``test_*.py`` over that scenario's cells."""
    if not _FIXTURES & set(metafunc.fixturenames):
        return
    scenario_path = Path(metafunc.definition.path).parent / parse.SCENARIO_FILE
    if not scenario_path.is_file():
        return
    state = _state(metafunc.config)
    cells = expand(state.scenario(scenario_path), state.selection)
    if not cells:
        # the selection (--python/--layout/...) leaves this scenario no cell: its checks
        # are deselected below, not reported as skips that look like missing coverage
        metafunc.parametrize(
            "scenario_cell",
            [pytest.param(None, marks=pytest.mark.harness_no_cells)],
            ids=["no-cells"],
            indirect=True,
        )
        return
    metafunc.parametrize("scenario_cell", cells, ids=[c.id for c in cells], indirect=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect scenario checks whose scenario has no cell in this run's selection."""
    unselected = [item for item in items if item.get_closest_marker("harness_no_cells")]
    if unselected:
        config.hook.pytest_deselected(items=unselected)
        items[:] = [item for item in items if not item.get_closest_marker("harness_no_cells")]


@pytest.fixture
def scenario_cell(request: pytest.FixtureRequest) -> Cell:
    """The cell (scenario, interpreter, layout kind, installer) this check runs for."""
    cell: Cell | None = getattr(request, "param", None)
    if cell is None:
        pytest.fail("scenario fixtures work only in a test_*.py beside a scenario.toml")
    key = cell_key(cell.scenario.name, cell.python, cell.layout, cell.installer)
    request.node.user_properties.append((CHECK_OF_PROPERTY, json.dumps(key)))
    here = platforms.current().name
    if not cell.scenario.applies_to(here):
        pytest.skip(f"not applicable on {here}")
    return cell


@pytest.fixture
def scenario_environment(request: pytest.FixtureRequest, scenario_cell: Cell) -> CellEnvironment:
    """The cell's ready environment (layout + scenario variables); shared with the item."""
    return _environment_or_skip(request.config, scenario_cell)


@pytest.fixture
def scenario_layout(scenario_environment: CellEnvironment) -> Layout:
    """The cell's :class:`harness.envs.layout.Layout`."""
    return scenario_environment.layout


@pytest.fixture
def scenario_evidence(scenario_environment: CellEnvironment) -> Evidence:
    """The probe's evidence (schema 1) for the scenario's own steps."""
    return scenario_environment.evidence()


@pytest.fixture
def scenario_observed(
    scenario_environment: CellEnvironment, scenario_evidence: Evidence
) -> Observed:
    """The evidence with loaded libraries mapped to location labels."""
    return scenario_environment.observe(scenario_evidence)


@pytest.fixture
def run_probe(scenario_environment: CellEnvironment) -> Callable[..., Evidence]:
    """``run_probe(spec, extra_env=None) -> Evidence``: run any probe spec in the cell's layout
    (:meth:`harness.scenarios.cell_runner.CellEnvironment.run_probe`)."""
    return scenario_environment.run_probe
