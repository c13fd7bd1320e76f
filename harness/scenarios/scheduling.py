"""One pytest-xdist work unit per cell: a cell's item and its scenario's checks together.

A scenario's ``test_*.py`` checks use the cell its ``scenario.toml`` item made. Spread by
xdist's default scheduling, they often land on the other worker, which then makes the cell
again: a cold sdist or editable cell costs seconds twice. With ``--dist loadgroup`` (what
``harness run`` passes) the harness's scheduler makes each cell one work
unit: the node ids of a scenario directory that end in the same parameter id (the cell's
id). Every other test is a unit of its own, as in xdist's ``loadgroup``, and units are
handed out as workers free up.

xdist's own ``xdist_group`` marks do not work with pytest 9 (xdist 3.8 renames the node id
through an attribute pytest 9 no longer reads), so the grouping reads node ids instead.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from harness.scenarios.parse import SCENARIO_FILE

_PARAMETER = re.compile(r"\[([^\[\]]+)\]$")


class CellGroups:
    """Node id -> work unit: ``<scenario dir>::<cell id>`` for a cell's items."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._is_scenario: dict[str, bool] = {}

    def unit(self, nodeid: str) -> str | None:
        """The cell's unit of ``nodeid``, or None for a test outside a scenario directory."""
        path, _, name = nodeid.partition("::")
        parameter = _PARAMETER.search(name)
        if parameter is None or "/" not in path:
            return None
        directory = path.rsplit("/", 1)[0]
        known = self._is_scenario.get(directory)
        if known is None:
            known = (self.root / directory / SCENARIO_FILE).is_file()
            self._is_scenario[directory] = known
        return f"{directory}::{parameter.group(1)}" if known else None


def make_scheduler(config: Any, log: Any) -> Any:
    """xdist's ``loadgroup`` scheduling with one more rule: a cell's items are one unit."""
    from xdist.scheduler import LoadGroupScheduling  # noqa: PLC0415  # optional dependency

    groups = CellGroups(Path(config.rootpath))

    class CellScheduling(LoadGroupScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            unit = groups.unit(nodeid)
            return unit if unit is not None else str(super()._split_scope(nodeid))

    return CellScheduling(config, log)
