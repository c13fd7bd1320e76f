"""Fail the CI job when a scenario cell that should run on this OS was skipped or failed.

A skip is silent in a green run, so a scenario that quietly stopped running on
macOS or Windows would go unnoticed. The harness writes ``report.json`` with one
entry per cell; each cell names the ``platforms`` its scenario declares and its
``status`` (``passed``, ``failed``, ``error``, ``skipped`` or ``not-applicable``). A cell whose platforms include
this OS must not be skipped. Cells of scenarios declared for other OSes are
``not-applicable`` (or skipped); that is what declaring platforms is for. So are, on an
OS the scenario declares, cells a scenario key narrows away within it (``cause.where``
names the key): a native cell of a loader the scenario does not list (``loaders``), a
glibc-only cell on a musl host (``libc``).

Usage: python check_report.py --os linux .harness/reports/report.json
Stdlib only, Python >= 3.9, so it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

OS_NAMES = ("linux", "macos", "windows")
STATUSES = ("passed", "failed", "error", "skipped", "not-applicable")
NARROWING_KEYS = ("loaders", "libc")
"""scenario.toml keys that leave cells out within a declared OS (the cause's ``where``)."""


class ReportError(ValueError):
    """The report is missing or does not have the expected shape."""


def load_cells(path: Path) -> list[dict[str, Any]]:
    """The report's cells: a top-level list, or the ``cells`` list of a top-level object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportError(f"{path}: no report; did `harness run` run and write it?") from None
    except json.JSONDecodeError as error:
        raise ReportError(f"{path}: not valid JSON ({error})") from None
    cells = data.get("cells") if isinstance(data, dict) else data
    if not isinstance(cells, list):
        raise ReportError(f"{path}: expected a list of cells or an object with a 'cells' list")
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("status") not in STATUSES:
            raise ReportError(
                f"{path}: cell {index} has no 'status' in {STATUSES}: {json.dumps(cell)[:200]}"
            )
    return cells


def cell_name(cell: dict[str, Any]) -> str:
    keys = ("scenario", "python", "layout", "installer")
    parts = [str(cell[key]) for key in keys if cell.get(key)]
    return " / ".join(parts) or str(cell.get("id", "<unnamed cell>"))


def declared_for(cell: dict[str, Any], os_name: str) -> bool:
    """Whether the cell's scenario declares ``os_name`` (no declaration means every OS)."""
    platforms = cell.get("platforms")
    if not platforms:
        return True
    return os_name in platforms


def problems(cells: list[dict[str, Any]], os_name: str) -> list[str]:
    """Human-readable reasons to fail, empty when the run is complete and green."""
    found: list[str] = []
    mine = [cell for cell in cells if declared_for(cell, os_name)]
    if not mine:
        found.append(f"no cell in the report is declared for {os_name}: nothing was tested")
    for cell in mine:
        cause = cell.get("cause") or {}
        if cell["status"] == "not-applicable" and cause.get("where") in NARROWING_KEYS:
            continue
        if cell["status"] in ("skipped", "not-applicable"):
            reason = cause.get("what") or cell.get("message") or "no reason recorded"
            found.append(
                f"{cell['status']} on {os_name}, which it declares: {cell_name(cell)} ({reason})"
            )
        elif cell["status"] in ("failed", "error"):
            found.append(f"{cell['status']}: {cell_name(cell)}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--os", required=True, choices=OS_NAMES, dest="os_name")
    parser.add_argument("report", type=Path)
    args = parser.parse_args(argv)
    try:
        cells = load_cells(args.report)
    except ReportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    found = problems(cells, args.os_name)
    counts = {status: sum(cell["status"] == status for cell in cells) for status in STATUSES}
    print(f"{args.report}: {len(cells)} cells, " + ", ".join(f"{n} {s}" for s, n in counts.items()))
    for line in found:
        print(f"error: {line}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
