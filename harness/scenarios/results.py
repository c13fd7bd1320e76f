"""One cell's outcome as the report sees it, and how it travels through pytest.

Items attach their cell facts to ``user_properties`` (as JSON strings, so
pytest-xdist can ship them from workers to the controller), and the controller
folds the setup/call/teardown reports of each item into one :class:`CellResult`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["passed", "failed", "skipped", "not-applicable"]

CELL_PROPERTY = "harness_cell"
"""user_properties key: the static facts of the cell (JSON)."""
OUTCOME_PROPERTY = "harness_outcome"
"""user_properties key: what the run found (status hint, library origins; JSON)."""
CHECK_OF_PROPERTY = "harness_check_of"
"""user_properties key on a scenario's own ``test_*.py`` items: the cell key they check."""


@dataclass
class CellResult:
    scenario: str
    python: str
    layout: str
    installer: str
    platforms: list[str]
    status: Status = "skipped"
    libraries: dict[str, list[str]] = field(default_factory=dict)
    """Library name -> origins of its loaded copies (``site:libfoo/lib/libfoo.so.1``)."""
    duration: float = 0.0
    message: str = ""
    """Why it failed or was skipped (first line)."""
    description: str = ""
    checks: list[str] = field(default_factory=list)
    """Node ids of the scenario's own ``test_*.py`` checks that ran for this cell."""

    @property
    def key(self) -> str:
        return cell_key(self.scenario, self.python, self.layout, self.installer)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CellResult:
        return cls(**data)


def cell_key(scenario: str, python: str, layout: str, installer: str) -> str:
    return f"{scenario}|{python}|{layout}|{installer}"


def properties(user_properties: Iterable[tuple[str, object]]) -> dict[str, Any]:
    """The harness entries of a report's ``user_properties``, decoded."""
    found: dict[str, Any] = {}
    for name, value in user_properties:
        if name in (CELL_PROPERTY, OUTCOME_PROPERTY, CHECK_OF_PROPERTY) and isinstance(value, str):
            found[name] = json.loads(value)
    return found


def first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:300]
    return ""


class ResultCollector:
    """Folds pytest reports (possibly from xdist workers) into cell results."""

    def __init__(self) -> None:
        self.cells: dict[str, CellResult] = {}
        self._check_failures: dict[str, list[str]] = {}

    def add(
        self,
        *,
        nodeid: str,
        when: str,
        outcome: str,
        duration: float,
        user_properties: Iterable[tuple[str, object]],
        longrepr: str,
    ) -> None:
        props = properties(user_properties)
        if CELL_PROPERTY in props:
            self._add_cell(props, when, outcome, duration, longrepr)
        elif CHECK_OF_PROPERTY in props:
            self._add_check(nodeid, props[CHECK_OF_PROPERTY], when, outcome, longrepr)

    def _add_cell(
        self, props: dict[str, Any], when: str, outcome: str, duration: float, longrepr: str
    ) -> None:
        facts = props[CELL_PROPERTY]
        key = cell_key(facts["scenario"], facts["python"], facts["layout"], facts["installer"])
        cell = self.cells.get(key)
        if cell is None:
            cell = CellResult(**facts)
            self.cells[key] = cell
        cell.duration += duration
        found = props.get(OUTCOME_PROPERTY) or {}
        if found.get("libraries"):
            cell.libraries = found["libraries"]
        if outcome == "failed":
            cell.status = "failed"
            cell.message = cell.message or first_line(longrepr)
        elif outcome == "skipped":
            cell.status = "not-applicable" if found.get("status") == "not-applicable" else "skipped"
            cell.message = _skip_reason(longrepr)
        elif when == "call" and cell.status != "failed":
            cell.status = "passed"
        self._apply_checks(cell)

    def _add_check(self, nodeid: str, key: str, when: str, outcome: str, longrepr: str) -> None:
        if outcome != "failed":
            return
        self._check_failures.setdefault(key, []).append(
            f"{nodeid} ({when}): {first_line(longrepr)}"
        )
        if key in self.cells:
            self._apply_checks(self.cells[key])

    def _apply_checks(self, cell: CellResult) -> None:
        failures = self._check_failures.get(cell.key, [])
        for failure in failures:
            if failure not in cell.checks:
                cell.checks.append(failure)
        if failures and cell.status == "passed":
            cell.status = "failed"
            cell.message = "scenario check failed: " + failures[0]

    def results(self) -> list[CellResult]:
        return sorted(
            self.cells.values(), key=lambda c: (c.scenario, c.python, c.layout, c.installer)
        )


def _skip_reason(longrepr: str) -> str:
    # pytest's skip longrepr is "(path, lineno, 'Skipped: reason')" as text
    text = longrepr
    marker = "Skipped: "
    if marker in text:
        text = text.split(marker, 1)[1].rstrip("')\"")
    return first_line(text)
