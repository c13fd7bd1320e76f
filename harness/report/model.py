"""The one report model: runs, cells and what every renderer derives from them.

A report is a list of runs (one per ``harness run`` or ``harness check``: OS, machine,
interpreters, harness version, time) and their cells, each cell a run's
:class:`~harness.scenarios.verdict.CellVerdict` in a column (OS and machine > Python >
layout/installer). A single run's report is the merge of that one run, so every format
reads the same thing whether one run or twenty went in.

What a cell shows besides its matrix mark comes from :data:`FACTS` (one line per
verdict field worth showing), its expectations, its cause (every field of it, so a
cause that grows a field shows it) and its loaded libraries grouped by location.
"""

from __future__ import annotations

import platform
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from harness import __version__, platforms
from harness.report.statuses import is_problem
from harness.scenarios.verdict import ANY, STATUSES, Cause, CellVerdict
from harness.vocabulary import ALL_OS, NATIVE_PYTHON

SCHEMA = 3
"""report.json's schema: 3 holds ``runs`` (a list) and cells naming their run; 2 held
one ``run`` object (still read, see :mod:`harness.report.as_json`)."""


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_text(item)}" for key, item in value.items())
    return str(value)


def _cause_text(cause: Any) -> str:
    """One ``harness check`` step cause as ``kind (step): what; fix: ...``."""
    step = f" ({cause.step})" if cause.step else ""
    return f"{cause.kind}{step}: {cause.what}; fix: {cause.fix}"


def _build_text(build: dict[str, Any]) -> str:
    """One source build: the sdist, how, what it linked and what its binaries search."""
    isolation = "isolated" if build.get("build_isolation") else "no isolation"
    text = f"{build.get('sdist')} into {build.get('location')} ({build.get('installer')}, "
    text += f"{isolation}), linked against {', '.join(build.get('linked_against') or ['?'])}"
    for binary in build.get("binaries") or []:
        rpath = ":".join(binary.get("rpaths") or []) or "none"
        text += f"; {binary.get('binary')}: rpath {rpath}"
        if binary.get("dangling"):
            text += f", into vanished build envs: {', '.join(binary['dangling'])}"
    return text


@dataclass(frozen=True)
class Fact:
    """A verdict field a reader sees in a cell's details (every format), when not empty."""

    field: str
    label: str
    show: Callable[[Any], str] = _text


FACTS: tuple[Fact, ...] = (
    Fact("platforms", "declared for"),
    Fact("duration", "seconds"),
    Fact("python_version", "Python"),
    Fact("loader_version", "loader"),
    Fact("timings", "phases (s)"),
    Fact("sandboxed", "sandboxed"),
    Fact("left_processes", "left running after the probe (killed)"),
    Fact("outcome", "outcome"),
    Fact("causes", "causes", lambda causes: "; ".join(_cause_text(c) for c in causes)),
    Fact("not_exercised", "not exercised"),
    Fact("copies_used", "copy used"),
    Fact("source_builds", "built from source", lambda builds: "; ".join(map(_build_text, builds))),
)
"""The facts of a cell, in the order shown. A new :class:`CellVerdict` field is one line
here; JSON carries every field without one."""


def facts(verdict: CellVerdict) -> list[tuple[str, str]]:
    """``(label, text)`` of every :data:`FACTS` entry the verdict has a value for."""
    shown = []
    for fact in FACTS:
        value = getattr(verdict, fact.field, None)
        if value in (None, "", [], {}, ()):
            continue
        shown.append((fact.label, fact.show(value)))
    return shown


def cause_items(cause: Cause) -> list[tuple[str, str]]:
    """Every field of a cause after its kind and what, as ``(name, text)``, empty ones left
    out: a structured cause that grows a field shows it in every format."""
    items = []
    for name, value in cause.to_json().items():
        if name in ("kind", "what") or value in (None, "", [], {}, ()):
            continue
        text = "\n".join(map(str, value)) if isinstance(value, list) else _text(value)
        items.append((name, text))
    return items


def by_location(libraries: dict[str, list[str]]) -> dict[str, list[tuple[str, str]]]:
    """``{"libfoo": ["site:libfoo/lib/libfoo.so.1"]}`` -> ``{"site": [("libfoo",
    "libfoo/lib/libfoo.so.1")]}``; a library with no loaded copy is under ``not loaded``."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for name, origins in libraries.items():
        if not origins:
            grouped.setdefault("not loaded", []).append((name, ""))
        for origin in origins:
            location, sep, path = origin.partition(":")
            if not sep:
                location, path = "other", origin
            grouped.setdefault(location, []).append((name, path))
    return grouped


@dataclass(frozen=True)
class Run:
    """What makes one run: where and with what it ran."""

    os: str
    machine: str
    pythons: dict[str, str]
    harness_version: str
    created: str
    loaders: dict[str, str] = field(default_factory=dict)
    """Native cells: loader -> the version its probe reported."""

    @property
    def platform(self) -> str:
        return f"{self.os} {self.machine}"

    @classmethod
    def here(cls, cells: Sequence[CellVerdict]) -> Run:
        """This machine's run of ``cells``, now."""
        return cls(
            os=platforms.current().name,
            machine=platform.machine(),
            pythons=dict(
                sorted({c.python: c.python_version for c in cells if c.python_version}.items())
            ),
            harness_version=__version__,
            created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            loaders=dict(
                sorted({c.installer: c.loader_version for c in cells if c.loader_version}.items())
            ),
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "os": self.os,
            "machine": self.machine,
            "pythons": self.pythons,
            "harness_version": self.harness_version,
            "created": self.created,
        }
        if self.loaders:
            data["loaders"] = self.loaders
        return data


def _version_key(python: str) -> tuple[int, ...]:
    if python == NATIVE_PYTHON:
        return (999,)  # native cells (no interpreter, one per loader) after every CPython
    if python == ANY:
        return (-1,)  # a scenario that could not be parsed: first
    return tuple(int(p) if p.isdigit() else -1 for p in python.split("."))


@dataclass(frozen=True, order=True)
class Column:
    """One matrix column: OS and machine > Python > layout/installer."""

    sort_key: tuple[Any, ...] = field(repr=False)
    os: str
    machine: str
    python: str
    layout: str
    installer: str

    @classmethod
    def of(cls, run: Run, verdict: CellVerdict) -> Column:
        order: tuple[str, ...] = ALL_OS
        rank = order.index(run.os) if run.os in order else len(order)
        python, layout, installer = verdict.python, verdict.layout, verdict.installer
        key = (rank, run.os, run.machine, _version_key(python), layout, installer)
        return cls(key, run.os, run.machine, python, layout, installer)

    @property
    def platform(self) -> str:
        return f"{self.os} {self.machine}"

    @property
    def setup(self) -> str:
        if self.layout == ANY:
            return "scenario"
        return f"{self.layout}/{self.installer}"

    @property
    def python_label(self) -> str:
        return "any" if self.python == ANY else self.python

    @property
    def label(self) -> str:
        return f"{self.platform} · {self.short_label}"

    @property
    def short_label(self) -> str:
        """The label within one OS and machine: ``3.13 · venv/uv``."""
        return f"{self.python_label} · {self.setup}"

    def to_json(self) -> dict[str, str]:
        return {
            "os": self.os,
            "machine": self.machine,
            "python": self.python,
            "layout": self.layout,
            "installer": self.installer,
        }


@dataclass(frozen=True)
class Cell:
    run: int
    """Index of the cell's run in :attr:`Report.runs`."""
    column: Column
    verdict: CellVerdict

    @property
    def scenario(self) -> str:
        return self.verdict.scenario

    @property
    def status(self) -> str:
        return self.verdict.status

    @property
    def problem(self) -> bool:
        return is_problem(self.verdict.status)

    @property
    def anchor(self) -> str:
        """A stable id for links: ``cell-linux-x86_64-3.13-venv-uv-venv-basic``."""
        c = self.column
        raw = "-".join(
            (c.os, c.machine, c.python_label, c.layout, c.installer, self.scenario)
        ).replace(ANY, "any")
        return "cell-" + re.sub(r"[^A-Za-z0-9_.-]+", "_", raw)


class DuplicateCellError(ValueError):
    """Two runs hold the same cell (scenario on the same column)."""

    def __init__(self, cell: Cell, other: Cell) -> None:
        super().__init__(f"cell {cell.scenario} on {cell.column.label} is in two runs")
        self.cell = cell
        self.other = other


@dataclass(frozen=True)
class Report:
    runs: tuple[Run, ...]
    cells: tuple[Cell, ...]
    """In the order the runs gave them (``harness check``: its matrix's order); the
    matrix itself is ordered by :attr:`scenarios` and :attr:`columns`."""

    @classmethod
    def of_run(cls, verdicts: Sequence[CellVerdict], run: Run | None = None) -> Report:
        """A single run's report: the merge of that one run."""
        return merge([(run or Run.here(verdicts), verdicts)])

    @property
    def columns(self) -> list[Column]:
        return sorted({cell.column for cell in self.cells})

    @property
    def scenarios(self) -> list[str]:
        return sorted({cell.scenario for cell in self.cells})

    def table(self) -> dict[tuple[str, Column], Cell]:
        return {(cell.scenario, cell.column): cell for cell in self.cells}

    def totals(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
        for cell in self.cells:
            counts[cell.status] = counts.get(cell.status, 0) + 1
        return counts

    def totals_line(self) -> str:
        """``3 passed, 1 failed, 0 error, 0 skipped, 0 not-applicable``."""
        return ", ".join(f"{n} {status}" for status, n in self.totals().items())

    def problems(self) -> list[Cell]:
        """Failed and error cells (every problem status), in matrix order."""
        found = [cell for cell in self.cells if cell.problem]
        return sorted(found, key=lambda cell: (cell.scenario, cell.column))


def merge(runs: Iterable[tuple[Run, Iterable[CellVerdict]]]) -> Report:
    """Runs and their verdicts as one report; the same cell in two runs is an error."""
    all_runs: list[Run] = []
    cells: dict[tuple[str, Column], Cell] = {}
    for index, (run, verdicts) in enumerate(runs):
        all_runs.append(run)
        for verdict in verdicts:
            cell = Cell(index, Column.of(run, verdict), verdict)
            key = (cell.scenario, cell.column)
            if key in cells:
                raise DuplicateCellError(cell, cells[key])
            cells[key] = cell
    return Report(tuple(all_runs), tuple(cells.values()))
