"""A cell's verdict as one structured value, from the runner to every report.

:func:`run_cell` turns a cell into a :class:`CellVerdict`: its status, each expectation
with what was expected and what the evidence showed, where each library came from,
timings, and -- when the cell could not produce evidence -- a :class:`Cause` that says
what went wrong, where, the fix and the log. The pytest plugin, the reports and the
merged cross-OS report all read this value; nothing is parsed back out of text.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from harness import platforms
from harness.scenarios.cells import Cell
from harness.scenarios.expectations import Check, check, format_failure
from harness.scenarios.observed import Observed

Status = Literal["passed", "failed", "error", "skipped", "not-applicable"]
STATUSES: tuple[Status, ...] = ("passed", "failed", "error", "skipped", "not-applicable")

CauseKind = Literal[
    "build", "wheel", "layout", "probe", "timeout", "scenario", "unavailable", "check"
]

MAX_CAUSE_LINES = 15
"""A cause prints in at most this many lines: what, where, the fix, the log, a short tail."""

ANY = "*"
"""The python/layout/installer of a verdict that stands for a whole scenario (one that
could not be parsed, so it has no cells)."""


@dataclass(frozen=True)
class Cause:
    """Why a cell produced no verdict from evidence (or was skipped)."""

    kind: CauseKind
    what: str
    """One line: what failed."""
    where: str | None = None
    """The file, key, wheel id or layout concerned."""
    fix: str | None = None
    log: str | None = None
    """The full log to read."""
    details: tuple[str, ...] = ()
    """A few lines of context (a log's tail), already cut short."""

    def lines(self) -> list[str]:
        """The cause in at most :data:`MAX_CAUSE_LINES` lines."""
        out = [f"{self.kind}: {self.what}"]
        if self.where:
            out.append(f"  where: {self.where}")
        if self.fix:
            out.append(f"  fix: {self.fix}")
        if self.log:
            out.append(f"  log: {self.log}")
        room = MAX_CAUSE_LINES - len(out)
        if self.details and room > 1:
            shown = self.details[-(room - 1) :]
            out.append(f"  last {len(shown)} lines:")
            out += [f"    {line}"[:200] for line in shown]
        return out

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["details"] = list(self.details)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Cause:
        return cls(**{**data, "details": tuple(data.get("details") or ())})


class CellFailedError(RuntimeError):
    """The cell could not produce evidence; carries the :class:`Cause`."""

    def __init__(self, cause: Cause, *, skip: bool = False) -> None:
        super().__init__("\n".join(cause.lines()))
        self.cause = cause
        self.skip = skip
        """The cell cannot run here (missing interpreter or tool): a skip, not an error."""


@dataclass(frozen=True)
class Expectation:
    """One expectation of the scenario against the evidence."""

    subject: str
    expected: str
    evidence: str
    ok: bool

    @classmethod
    def from_check(cls, item: Check) -> Expectation:
        return cls(item.subject, item.expected, item.observed, item.passed)


@dataclass(frozen=True)
class CheckOutcome:
    """One of the scenario's own ``test_*.py`` checks, run for this cell."""

    test: str
    ok: bool
    message: str = ""


@dataclass(frozen=True)
class StepCause:
    """Why a ``harness check`` cell did not pass, with its fix: the evidence (a step's error,
    the loaded copies) read together with the static picture of who provides each library."""

    kind: str
    """``rpath-other-location``, ``wheel-data``, ``bare-name``, ``soname-mismatch``,
    ``two-copies``, ``not-preloaded``, ``environment`` (a system library no wheel ships) or
    ``unexplained``."""
    step: str
    """The step id it explains (empty for a cause of the whole cell, such as two copies)."""
    what: str
    fix: str
    wheels: tuple[str, ...] = ()
    files: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StepCause:
        return cls(
            **{
                **data,
                "wheels": tuple(data.get("wheels") or ()),
                "files": tuple(data.get("files") or ()),
            }
        )


@dataclass
class CellVerdict:
    scenario: str
    python: str
    layout: str
    installer: str
    platforms: list[str]
    description: str = ""
    status: Status = "skipped"
    duration: float = 0.0
    expectations: list[Expectation] = field(default_factory=list)
    libraries: dict[str, list[str]] = field(default_factory=dict)
    """Library name -> origins of its loaded copies (``site:libfoo/lib/libfoo.so.1``)."""
    cause: Cause | None = None
    checks: list[CheckOutcome] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds per phase: ``layout`` (creation or reuse), ``probe``."""
    diff: str = ""
    """The readable expectation/evidence diff of a failed cell (pytest prints it)."""
    python_version: str = ""
    """The interpreter's full version, as the probe reported it (``3.13.0``); empty for a
    native cell, which runs no interpreter."""
    loader_version: str = ""
    """A native cell's loader version as its probe reported it (``glibc 2.36``, ``wine-8.0``;
    ``musl`` alone: musl has no version call). Empty for Python cells."""
    sandboxed: bool = False
    """The cell's probe ran in the sandbox (:mod:`harness.sandbox`): no network, the host
    read-only, an empty home."""
    left_processes: list[str] = field(default_factory=list)
    """Processes the package started that still ran when the probe ended, killed by the
    harness (unsandboxed; a sandbox's PID namespace ends them unseen): one line each."""
    source_builds: list[dict[str, Any]] = field(default_factory=list)
    """Per sdist the cell's layout built at install time: where and how, the producer files
    the build linked against and, per installed binary, its search path, needed names and
    paths into build environments that are gone (:mod:`harness.scenarios.source_evidence`)."""
    outcome: str = ""
    """``harness check`` only: ``passed``, ``failed``, ``nothing-exercised`` (no consumer
    binary was loaded), ``environment`` (only system libraries no wheel ships are missing),
    ``error`` or ``skipped``. Empty for scenario cells."""
    causes: list[StepCause] = field(default_factory=list)
    """``harness check`` only: the cause and fix of every failed step, in step order."""
    not_exercised: list[str] = field(default_factory=list)
    """``harness check`` only: family libraries no step needs (listed, never failed)."""
    copies_used: dict[str, str] = field(default_factory=dict)
    """``harness check`` only: for a name several wheels ship, the copy the process used."""

    @property
    def key(self) -> str:
        return cell_key(self.scenario, self.python, self.layout, self.installer)

    @property
    def failed_expectations(self) -> list[Expectation]:
        return [item for item in self.expectations if not item.ok]

    @property
    def message(self) -> str:
        """One line for listings: the first failed expectation, the cause or the failed check."""
        if self.cause is not None:
            return self.cause.what
        failed = self.failed_expectations
        if failed:
            first = failed[0]
            more = f" (+{len(failed) - 1} more)" if len(failed) > 1 else ""
            return f"{first.subject}: expected {first.expected}; evidence {first.evidence}{more}"
        bad = [c for c in self.checks if not c.ok]
        return f"check {bad[0].test}: {bad[0].message}" if bad else ""

    def add_check(self, outcome: CheckOutcome) -> None:
        """Fold in a scenario check's result: a failed check fails a passed cell."""
        if outcome not in self.checks:
            self.checks.append(outcome)
        if not outcome.ok and self.status == "passed":
            self.status = "failed"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["cause"] = self.cause.to_json() if self.cause else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CellVerdict:
        values = dict(data)
        values["expectations"] = [Expectation(**e) for e in values.get("expectations") or ()]
        values["checks"] = [CheckOutcome(**c) for c in values.get("checks") or ()]
        cause = values.get("cause")
        values["cause"] = Cause.from_json(cause) if cause else None
        values["causes"] = [StepCause.from_json(c) for c in values.get("causes") or ()]
        return cls(**values)


def cell_key(scenario: str, python: str, layout: str, installer: str) -> str:
    return f"{scenario}|{python}|{layout}|{installer}"


def verdict_for(cell: Cell) -> CellVerdict:
    """An empty verdict carrying the cell's facts."""
    return CellVerdict(
        scenario=cell.scenario.name,
        python=cell.python,
        layout=cell.layout,
        installer=cell.installer,
        platforms=list(cell.scenario.platforms),
        description=cell.scenario.description,
    )


def scenario_error(path: Path, problem: str) -> CellVerdict:
    """The verdict row of a scenario that cannot be parsed: it has no cells, so the
    report shows one error row for it instead of silently leaving it out."""
    return CellVerdict(
        scenario=path.parent.name,
        python=ANY,
        layout=ANY,
        installer=ANY,
        platforms=[],
        status="error",
        cause=Cause(
            "scenario",
            "the scenario cannot be parsed, so none of its cells ran",
            where=str(path),
            fix="correct the file as the problem says (docs/scenario-format.md)",
            details=tuple(problem.splitlines()),
        ),
    )


def library_origins(cell: Cell, observed: Observed) -> dict[str, list[str]]:
    """The scenario's libraries with the origins of their loaded copies, then every other
    object loaded from the layout's locations under its file name."""
    libraries = {
        library.name: [copy.origin for copy in observed.copies_of(library.name)]
        for library in cell.scenario.libraries
    }
    named = {origin for origins in libraries.values() for origin in origins}
    for obj in observed.located():
        if obj.origin not in named:
            name = observed.evidence.file_name(obj.path)  # Windows paths under Wine
            libraries.setdefault(name, []).append(obj.origin)
    return libraries


def judge(cell: Cell, observed: Observed, verdict: CellVerdict) -> CellVerdict:
    """Fill ``verdict`` from the evidence: every expectation, the library origins, the diff."""
    checks = check(cell.scenario, observed)
    verdict.expectations = [Expectation.from_check(item) for item in checks]
    verdict.libraries = library_origins(cell, observed)
    loader = observed.evidence.loader
    if loader is None:
        verdict.python_version = observed.evidence.python.version
    else:
        verdict.loader_version = " ".join(v for v in (loader.name, loader.version) if v)
    verdict.status = "passed" if all(item.passed for item in checks) else "failed"
    if verdict.status == "failed":
        verdict.diff = format_failure(cell.name, checks, observed)
    return verdict


def not_applicable(cell: Cell) -> CellVerdict | None:
    """The verdict of a cell whose scenario does not apply on this OS, to this Linux host's
    libc, or (a native cell) to its loader; else None."""
    here = platforms.current().name
    scenario = cell.scenario
    # `where` names the scenario key that narrows it within this OS (loaders, libc): CI's
    # report check accepts such a cell as not applicable on an OS the scenario declares.
    key: str | None = None
    if not scenario.applies_to(here):
        what = f"not applicable on {here}: the scenario declares platforms " + ", ".join(
            scenario.platforms
        )
    elif not scenario.applies_to_loader(cell.installer):
        what = (
            f"not applicable to the {cell.installer} loader: the scenario declares loaders "
            + ", ".join(scenario.loaders)
        )
        key = "loaders"
    elif not scenario.applies_to_libc(libc := platforms.current_libc()):
        what = f"not applicable on {libc}: the scenario declares libc {', '.join(scenario.libcs)}"
        key = "libc"
    else:
        return None
    verdict = verdict_for(cell)
    verdict.status = "not-applicable"
    verdict.cause = Cause("unavailable", what, where=key)
    return verdict


class Stopwatch:
    """Phase timings of one cell."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.timings: dict[str, float] = {}
        self._mark = self.started

    def lap(self, phase: str) -> None:
        now = time.monotonic()
        self.timings[phase] = round(now - self._mark, 4)
        self._mark = now

    def total(self) -> float:
        return round(time.monotonic() - self.started, 4)
