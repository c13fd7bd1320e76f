"""The run's report: scenario x (interpreter, layout, installer) matrix with library origins.

Written at the end of every scenario session to ``<workdir>/reports/``:
``report.md`` (for reading in a terminal or a PR), ``report.html`` (one self-contained
file, colour-coded) and ``report.json`` (a list of cells, for tools).
"""

from __future__ import annotations

import html
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from harness.scenarios.results import CellResult

_SYMBOL = {"passed": "pass", "failed": "FAIL", "skipped": "skip", "not-applicable": "n/a"}
_COLOUR = {
    "passed": "#d4f4d4",
    "failed": "#f8d0d0",
    "skipped": "#eeeeee",
    "not-applicable": "#e4e8f4",
}


def _column(cell: CellResult) -> str:
    return f"{cell.python} {cell.layout}/{cell.installer}"


def _matrix(
    cells: Sequence[CellResult],
) -> tuple[list[str], list[str], dict[tuple[str, str], CellResult]]:
    scenarios = sorted({c.scenario for c in cells})
    columns = sorted(
        {_column(c) for c in cells},
        key=lambda col: (tuple(int(p) for p in col.split()[0].split(".")), col),
    )
    table = {(c.scenario, _column(c)): c for c in cells}
    return scenarios, columns, table


def counts(cells: Sequence[CellResult]) -> dict[str, int]:
    result = dict.fromkeys(_SYMBOL, 0)
    for cell in cells:
        result[cell.status] += 1
    return result


def _totals(cells: Sequence[CellResult]) -> str:
    """``3 passed, 1 failed, 0 skipped, 0 not-applicable``."""
    return ", ".join(f"{n} {status}" for status, n in counts(cells).items())


def _origins(cell: CellResult) -> list[str]:
    return [
        f"{name}: {', '.join(origins) if origins else 'not loaded'}"
        for name, origins in cell.libraries.items()
    ]


def render_markdown(cells: Sequence[CellResult]) -> str:
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
    for cell in sorted(cells, key=lambda c: (c.scenario, _column(c))):
        lines.append(
            f"### `{cell.scenario}` {_column(cell)}: {_SYMBOL[cell.status]} ({cell.duration:.2f} s)"
        )
        lines.append("")
        if cell.description:
            lines.append(cell.description)
            lines.append("")
        for origin in _origins(cell):
            lines.append(f"- {origin}")
        if cell.message and cell.status != "passed":
            lines.append(f"- {cell.status}: {cell.message}")
        lines.append("")
    return "\n".join(lines)


_CSS = """
body { font-family: sans-serif; margin: 1.5em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #999; padding: 4px 8px; vertical-align: top; font-size: 13px; }
th { background: #f4f4f4; }
td.status { white-space: nowrap; }
td .libs { font-family: monospace; font-size: 11px; color: #333; }
td .msg { font-size: 11px; color: #700; max-width: 28em; }
""".strip()


def render_html(cells: Sequence[CellResult]) -> str:
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
            message = (
                f'<div class="msg">{esc(cell.message)}</div>'
                if cell.message and cell.status != "passed"
                else ""
            )
            row.append(
                f'<td class="status {esc(cell.status)}" style="background:{_COLOUR[cell.status]}"'
                f' title="{esc(cell.description)}">'
                f"<b>{esc(_SYMBOL[cell.status])}</b> {cell.duration:.2f} s"
                f'<div class="libs">{libs}</div>{message}</td>'
            )
        row.append("</tr>")
        out.append("".join(row))
    out += ["</tbody>", "</table>", "</body>", "</html>", ""]
    return "\n".join(out)


def render_json(cells: Sequence[CellResult]) -> str:
    return json.dumps([cell.to_json() for cell in cells], indent=2, sort_keys=True) + "\n"


def _write_atomic(path: Path, text: str) -> None:
    fd, scratch = tempfile.mkstemp(prefix=path.name + ".", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    Path(scratch).replace(path)


def write(cells: Sequence[CellResult], directory: Path) -> dict[str, Path]:
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


def summary(cells: Sequence[CellResult], paths: dict[str, Path]) -> list[str]:
    """The few terminal lines: counts, failed cells, where the report is."""
    lines = [f"{len(cells)} cells: {_totals(cells)}"]
    for cell in cells:
        if cell.status == "failed":
            lines.append(f"  FAIL {cell.scenario} {_column(cell)}: {cell.message}")
    lines.append(f"report: {paths['html']} (also {paths['md'].name}, {paths['json'].name})")
    return lines
