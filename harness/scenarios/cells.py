"""Expansion of a scenario into cells: scenario x interpreter x layout kind x installer.

A cell is the unit that gets its own environment, its own probe run and its own row
in the report. Cells of scenarios that do not apply to this platform are still
produced (reported as "not applicable"), so a report shows the whole matrix.

Native cells (layout kind ``native``) have no interpreter: their python is the fixed
:data:`~harness.vocabulary.NATIVE_PYTHON` whatever ``--python`` says, and their
installer axis is the loader (``glibc``, ``musl``, ``wine``; ``--installer musl``
selects it). Every loader gets a cell; those a scenario does not list are not applicable.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from harness import interpreters
from harness.scenarios.schema import Scenario
from harness.vocabulary import NATIVE_PYTHON


@dataclass(frozen=True)
class Cell:
    scenario: Scenario
    python: str
    """Interpreter version, ``"3.12"`` (``"native"`` for a native cell)."""
    layout: str
    """Base layout kind (``venv``, ``conda``, ``native``)."""
    installer: str
    """``uv``, ``pip``; a native cell's loader (``glibc``, ``musl``, ``wine``)."""

    @property
    def id(self) -> str:
        """``cp312-venv-uv``: the parameter id in ``venv-basic[cp312-venv-uv]``
        (``native-musl`` for a native cell)."""
        if self.python == NATIVE_PYTHON:
            return f"{self.layout}-{self.installer}"
        return f"{interpreters.tag(self.python)}-{self.layout}-{self.installer}"

    @property
    def name(self) -> str:
        return f"{self.scenario.name}[{self.id}]"


@dataclass(frozen=True)
class Selection:
    """Filters from the command line; empty means "no filter"."""

    pythons: tuple[str, ...] = ()
    layouts: tuple[str, ...] = ()
    installers: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()

    def wants_scenario(self, scenario: Scenario) -> bool:
        if self.locations and not set(self.locations) & set(scenario.locations):
            return False
        return not self.layouts or bool(set(self.layouts) & set(scenario.layouts))


def split_list(values: Iterable[str] | None) -> tuple[str, ...]:
    """``["3.9,3.12", "3.13"]`` -> ``("3.9", "3.12", "3.13")`` (order kept, repeats dropped)."""
    result: list[str] = []
    for value in values or ():
        for part in value.split(","):
            item = part.strip()
            if item and item not in result:
                result.append(item)
    return tuple(result)


def expand(scenario: Scenario, selection: Selection) -> list[Cell]:
    """The cells of one scenario that the selection keeps, in a stable order."""
    if not selection.wants_scenario(scenario):
        return []
    pythons: Sequence[str] = (
        (NATIVE_PYTHON,)
        if scenario.is_native
        else interpreters.expand_keywords(selection.pythons or (interpreters.running_version(),))
    )
    cells: list[Cell] = []
    for python in pythons:
        for layout in scenario.layouts:
            if selection.layouts and layout not in selection.layouts:
                continue
            for installer in scenario.installers:
                if selection.installers and installer not in selection.installers:
                    continue
                cells.append(Cell(scenario, python, layout, installer))
    return cells
