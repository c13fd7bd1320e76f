"""How verdicts travel through pytest to the report.

A scenario item attaches its :class:`~harness.scenarios.verdict.CellVerdict` to
``user_properties`` as JSON (so pytest-xdist ships it from workers to the controller);
a scenario's own ``test_*.py`` items attach the key of the cell they check. The
controller folds both into one verdict per cell; a scenario that cannot be parsed
becomes an error row. Nothing is read back out of pytest's text output: a failed check
contributes its own message (the assertion pytest reports).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from harness.scenarios.verdict import CellVerdict, CheckOutcome, scenario_error

VERDICT_PROPERTY = "harness_verdict"
"""user_properties key on a scenario item: its verdict (JSON)."""
CHECK_OF_PROPERTY = "harness_check_of"
"""user_properties key on a scenario's own ``test_*.py`` items: the cell key they check."""


def first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:300]
    return ""


def _check_name(nodeid: str) -> str:
    """``scenarios/x/test_y.py::test_z[cp313-venv-uv]`` -> ``test_y.py::test_z``."""
    path, _, name = nodeid.partition("::")
    return f"{Path(path).name}::{name.split('[', 1)[0]}"


class ResultCollector:
    """Folds pytest reports (possibly from xdist workers) into cell verdicts."""

    def __init__(self) -> None:
        self.cells: dict[str, CellVerdict] = {}
        self._checks: dict[str, list[CheckOutcome]] = {}

    def add(
        self,
        *,
        nodeid: str,
        when: str,
        outcome: str,
        user_properties: Iterable[tuple[str, object]],
        message: str,
    ) -> None:
        props = {name: value for name, value in user_properties if isinstance(value, str)}
        if VERDICT_PROPERTY in props and when == "call":
            verdict = CellVerdict.from_json(json.loads(props[VERDICT_PROPERTY]))
            self.cells[verdict.key] = verdict
            for check in self._checks.get(verdict.key, []):
                verdict.add_check(check)
        elif CHECK_OF_PROPERTY in props and (when == "call" or outcome == "failed"):
            if outcome == "skipped":
                return
            key = json.loads(props[CHECK_OF_PROPERTY])
            said = "" if outcome == "passed" else f"({when}) {first_line(message)}"
            check = CheckOutcome(_check_name(nodeid), outcome == "passed", said)
            self._checks.setdefault(key, []).append(check)
            if key in self.cells:
                self.cells[key].add_check(check)

    def add_scenario_error(self, path: Path, problem: str) -> None:
        """A ``scenario.toml`` that could not be parsed: one error row for the scenario."""
        verdict = scenario_error(path, problem)
        self.cells[verdict.key] = verdict

    def results(self) -> list[CellVerdict]:
        return sorted(
            self.cells.values(), key=lambda c: (c.scenario, c.python, c.layout, c.installer)
        )


def verdict_property(verdict: CellVerdict) -> tuple[str, str]:
    return VERDICT_PROPERTY, json.dumps(verdict.to_json())
