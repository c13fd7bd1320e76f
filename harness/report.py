"""The run's report: scenario x (interpreter, layout, installer) matrix, from the verdicts.

Written at the end of every scenario session to ``<workdir>/reports/``:
``report.md`` (for reading in a terminal or a PR), ``report.html`` (one self-contained
file, colour-coded) and ``report.json`` (schema 2: the run's facts and every cell's
structured verdict, for tools such as ``harness report merge``). Every failed cell
names its failed expectations with expected vs evidence; every error cell its cause.
"""

from __future__ import annotations

import html
import json
import os
import platform
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness import __version__, platforms
from harness.scenarios.verdict import ANY, STATUSES, CellVerdict
from harness.vocabulary import NATIVE, NATIVE_PYTHON

SCHEMA = 2

_SYMBOL = {
    "passed": "pass",
    "failed": "FAIL",
    "error": "ERROR",
    "skipped": "skip",
    "not-applicable": "n/a",
}
_COLOUR = {
    "passed": "#d4f4d4",
    "failed": "#f8d0d0",
    "error": "#f4c090",
    "skipped": "#eeeeee",
    "not-applicable": "#e4e8f4",
}


def run_facts(cells: Sequence[CellVerdict]) -> dict[str, Any]:
    """What makes this report one run: OS, machine, interpreters, harness, time."""
    pythons = {c.python: c.python_version for c in cells if c.python_version}
    facts: dict[str, Any] = {
        "os": platforms.current().name,
        "machine": platform.machine(),
        "pythons": dict(sorted(pythons.items())),
        "harness_version": __version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    loaders = {c.installer: c.loader_version for c in cells if c.loader_version}
    if loaders:  # native cells: loader -> the version its probe reported
        facts["loaders"] = dict(sorted(loaders.items()))
    return facts


def _column(cell: CellVerdict) -> str:
    if cell.python == ANY:
        return "scenario"
    if cell.python == NATIVE_PYTHON:
        return f"{cell.layout}/{cell.installer}"  # native/musl: the loader, no interpreter
    return f"{cell.python} {cell.layout}/{cell.installer}"


def _column_order(column: str) -> tuple[tuple[int, ...], str]:
    head = column.split(maxsplit=1)[0]
    if head.startswith(f"{NATIVE}/"):
        return (999,), column  # native columns after every interpreter's
    numbers = tuple(int(p) for p in head.split(".")) if head[0].isdigit() else (0,)
    return numbers, column


def _matrix(
    cells: Sequence[CellVerdict],
) -> tuple[list[str], list[str], dict[tuple[str, str], CellVerdict]]:
    scenarios = sorted({c.scenario for c in cells})
    columns = sorted({_column(c) for c in cells}, key=_column_order)
    table = {(c.scenario, _column(c)): c for c in cells}
    return scenarios, columns, table


def counts(cells: Sequence[CellVerdict]) -> dict[str, int]:
    result: dict[str, int] = dict.fromkeys(STATUSES, 0)
    for cell in cells:
        result[cell.status] += 1
    return result


def _totals(cells: Sequence[CellVerdict]) -> str:
    """``3 passed, 1 failed, 0 error, 0 skipped, 0 not-applicable``."""
    return ", ".join(f"{n} {status}" for status, n in counts(cells).items())


def _origins(cell: CellVerdict) -> list[str]:
    return [
        f"{name}: {', '.join(origins) if origins else 'not loaded'}"
        for name, origins in cell.libraries.items()
    ]


def _why(cell: CellVerdict) -> list[str]:
    """What went wrong in a cell, one item a line: failed expectations, cause, checks."""
    lines = [
        f"{item.subject}: expected {item.expected}; evidence {item.evidence}"
        for item in cell.failed_expectations
    ]
    if cell.cause is not None and cell.status != "passed":
        lines += cell.cause.lines()
    lines += [f"check {c.test} failed: {c.message}" for c in cell.checks if not c.ok]
    return lines


def render_markdown(cells: Sequence[CellVerdict]) -> str:
    scenarios, columns, table = _matrix(cells)
    lines = [
        "# Interop harness report",
        "",
        _totals(cells),
        "",
        "| scenario | " + " | ".join(columns) + " |",
        "| --- |" + " --- |" * len(columns),
    ]
    for scenario in scenarios:
        row = [f"`{scenario}`"]
        for column in columns:
            cell = table.get((scenario, column))
            row.append(_SYMBOL[cell.status] if cell else "")
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "## Cells", ""]
    for cell in sorted(cells, key=lambda c: (c.scenario, _column_order(_column(c)))):
        loader = f", {cell.loader_version}" if cell.loader_version else ""
        loader += ", sandboxed" if cell.sandboxed else ""
        lines.append(
            f"### `{cell.scenario}` {_column(cell)}: {_SYMBOL[cell.status]}"
            f" ({cell.duration:.2f} s{loader})"
        )
        lines.append("")
        if cell.description:
            lines.append(" ".join(cell.description.split()))
            lines.append("")
        for origin in _origins(cell):
            lines.append(f"- {origin}")
        lines += [f"- left running after the probe (killed): `{p}`" for p in cell.left_processes]
        why = _why(cell)
        if why and cell.status in ("failed", "error"):
            lines += ["", "```text", *why, "```"]
        elif cell.cause is not None and cell.status != "passed":
            lines.append(f"- {cell.status}: {cell.cause.what}")
        lines.append("")
    return "\n".join(lines)


_CSS = """
body { font-family: sans-serif; margin: 1.5em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #999; padding: 4px 8px; vertical-align: top; font-size: 13px; }
th { background: #f4f4f4; }
td.status { white-space: nowrap; }
td .libs { font-family: monospace; font-size: 11px; color: #333; }
td .why { font-family: monospace; font-size: 11px; color: #700; max-width: 40em;
          white-space: pre-wrap; }
""".strip()


def render_html(cells: Sequence[CellVerdict]) -> str:
    scenarios, columns, table = _matrix(cells)
    esc = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        "<title>Interop harness report</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<h1>Interop harness report</h1>",
        "<p>" + esc(_totals(cells)) + "</p>",
        "<table>",
        "<thead><tr><th>scenario</th>"
        + "".join(f"<th>{esc(column)}</th>" for column in columns)
        + "</tr></thead>",
        "<tbody>",
    ]
    for scenario in scenarios:
        row = [f"<tr><th>{esc(scenario)}</th>"]
        for column in columns:
            cell = table.get((scenario, column))
            if cell is None:
                row.append("<td></td>")
                continue
            libs = "<br>".join(esc(origin) for origin in _origins(cell))
            why = _why(cell) if cell.status in ("failed", "error") else []
            details = (
                "<details><summary>why</summary>"
                f'<div class="why">{esc(chr(10).join(why))}</div></details>'
                if why
                else ""
            )
            row.append(
                f'<td class="status {esc(cell.status)}" style="background:{_COLOUR[cell.status]}"'
                f' title="{esc(cell.description)}">'
                f"<b>{esc(_SYMBOL[cell.status])}</b> {cell.duration:.2f} s"
                f'<div class="libs">{libs}</div>{details}</td>'
            )
        row.append("</tr>")
        out.append("".join(row))
    out += ["</tbody>", "</table>", "</body>", "</html>", ""]
    return "\n".join(out)


def document(cells: Sequence[CellVerdict]) -> dict[str, Any]:
    """The report.json document (schema 2)."""
    return {
        "schema": SCHEMA,
        "run": run_facts(cells),
        "totals": counts(cells),
        "cells": [cell.to_json() for cell in cells],
    }


def render_json(cells: Sequence[CellVerdict]) -> str:
    return json.dumps(document(cells), indent=2, sort_keys=True) + "\n"


def _write_atomic(path: Path, text: str) -> None:
    fd, scratch = tempfile.mkstemp(prefix=path.name + ".", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    Path(scratch).replace(path)


def write(cells: Sequence[CellVerdict], directory: Path) -> dict[str, Path]:
    """Write the three reports into ``directory``; return their paths by format."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {
        "md": directory / "report.md",
        "html": directory / "report.html",
        "json": directory / "report.json",
    }
    _write_atomic(paths["md"], render_markdown(cells))
    _write_atomic(paths["html"], render_html(cells))
    _write_atomic(paths["json"], render_json(cells))
    return paths


def summary(cells: Sequence[CellVerdict], paths: dict[str, Path]) -> list[str]:
    """The few terminal lines: counts, failed and error cells, where the report is."""
    lines = [f"{len(cells)} cells: {_totals(cells)}"]
    for cell in cells:
        if cell.status in ("failed", "error"):
            lines.append(
                f"  {_SYMBOL[cell.status]} {cell.scenario} {_column(cell)}: {cell.message}"
            )
    lines.append(f"report: {paths['html']} (also {paths['md'].name}, {paths['json'].name})")
    return lines
