"""``harness report merge``: the report.json files of several runs as one matrix.

Each CI job (one OS, one machine, venv or conda) writes its own ``report.json``
(schema 2, ``docs/ci.md``). Merged, they become one table — scenario x OS/machine x
Python x layout/installer — written as ``report.md`` (also appended to
``$GITHUB_STEP_SUMMARY`` when set), ``report.json`` and a self-contained
``report.html`` (grouped headers, sticky header row and scenario column, a "failed
only" filter, failed cells opening to their unmet expectations). Every input is
checked before anything is written: a file that cannot be read or is not schema 2 is
an error naming it.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.report import SCHEMA
from harness.scenarios.verdict import STATUSES
from harness.vocabulary import NATIVE_PYTHON

OS_ORDER = ("linux", "macos", "windows")
RUN_KEYS = ("os", "machine", "pythons", "harness_version", "created")
CELL_KEYS = ("scenario", "python", "layout", "installer", "status")
SUMMARY_ENV = "GITHUB_STEP_SUMMARY"
# Markdown and HTML cell marks; the HTML adds colour and a title.
MARK = {"passed": "✓", "failed": "✗", "error": "!", "skipped": "\u2013", "not-applicable": "·"}
MD_MARK = {"passed": "✅", "failed": "❌", "error": "⚠️", "skipped": "⏭️", "not-applicable": "·"}


class MergeError(Exception):
    """An input that cannot be merged; the message names the file and the fix."""


@dataclass(frozen=True)
class Run:
    path: Path
    os: str
    machine: str
    pythons: dict[str, str]
    harness_version: str
    created: str
    totals: dict[str, int]

    @property
    def platform(self) -> str:
        return f"{self.os} {self.machine}"


@dataclass(frozen=True, order=True)
class Column:
    """One matrix column: OS and machine > Python > layout/installer."""

    sort_key: tuple[Any, ...]
    os: str
    machine: str
    python: str
    layout: str
    installer: str

    @property
    def platform(self) -> str:
        return f"{self.os} {self.machine}"

    @property
    def setup(self) -> str:
        return f"{self.layout}/{self.installer}"

    @property
    def label(self) -> str:
        return f"{self.platform} · {self.python} · {self.setup}"


def make_column(os_name: str, machine: str, python: str, layout: str, installer: str) -> Column:
    os_rank = OS_ORDER.index(os_name) if os_name in OS_ORDER else len(OS_ORDER)
    version = tuple(int(p) if p.isdigit() else -1 for p in python.split("."))
    if python == NATIVE_PYTHON:
        version = (999,)  # native cells (no interpreter, one per loader) after every CPython
    key = (os_rank, os_name, machine, version, layout, installer)
    return Column(key, os_name, machine, python, layout, installer)


@dataclass(frozen=True)
class Cell:
    run: Run
    column: Column
    data: dict[str, Any]

    @property
    def scenario(self) -> str:
        return str(self.data["scenario"])

    @property
    def status(self) -> str:
        return str(self.data["status"])

    def failed_expectations(self) -> list[dict[str, Any]]:
        expectations = [e for e in self.data.get("expectations") or [] if not e.get("ok")]
        checks = [
            {
                "subject": f"check {c.get('test')}",
                "expected": "passes",
                "evidence": c.get("message"),
            }
            for c in self.data.get("checks") or []
            if not c.get("ok")
        ]
        return [*expectations, *checks]

    def cause(self) -> dict[str, Any] | None:
        cause = self.data.get("cause")
        return cause if isinstance(cause, dict) else None


@dataclass(frozen=True)
class Matrix:
    runs: list[Run]
    columns: list[Column]
    scenarios: list[str]
    cells: dict[tuple[str, Column], Cell]

    def totals(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
        for cell in self.cells.values():
            counts[cell.status] += 1
        return counts

    def problems(self) -> list[Cell]:
        """Failed and error cells, in table order."""
        return [
            self.cells[(s, c)]
            for s in self.scenarios
            for c in self.columns
            if (s, c) in self.cells and self.cells[(s, c)].status in ("failed", "error")
        ]


# --- reading -------------------------------------------------------------------------


def _require(condition: bool, path: Path, message: str) -> None:
    if not condition:
        raise MergeError(f"{path}: {message}")


def read_report(path: Path) -> tuple[Run, list[dict[str, Any]]]:
    """One schema-2 report.json, checked; every error names ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise MergeError(f"{path}: cannot read it ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise MergeError(f"{path}: not UTF-8 text, so not a report.json") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise MergeError(f"{path}: not JSON ({error.msg} at line {error.lineno})") from None
    if isinstance(data, list):
        raise MergeError(
            f"{path}: a schema 1 report (a list of cells); merging needs schema {SCHEMA}, "
            "which records the run's OS and Pythons: rerun `harness run` with this harness"
        )
    _require(isinstance(data, dict) and "schema" in data, path, "no 'schema': not a report.json")
    schema = data["schema"]
    _require(
        schema == SCHEMA,
        path,
        f"report schema {schema!r}; `harness report merge` reads schema {SCHEMA} only: "
        "rerun `harness run` with the same harness version for every report",
    )
    run = data.get("run")
    _require(isinstance(run, dict), path, "no 'run' object (a merged report cannot be merged)")
    for key in RUN_KEYS:
        _require(key in run, path, f"run.{key} is missing")
    _require(isinstance(run["pythons"], dict), path, "run.pythons is not an object")
    cells = data.get("cells")
    _require(isinstance(cells, list), path, "no 'cells' list")
    for index, cell in enumerate(cells):
        _require(isinstance(cell, dict), path, f"cells[{index}] is not an object")
        for key in CELL_KEYS:
            _require(key in cell, path, f"cells[{index}] has no {key!r}")
        _require(
            cell["status"] in STATUSES,
            path,
            f"cells[{index}] status {cell['status']!r} is not one of {', '.join(STATUSES)}",
        )
    totals = data.get("totals") if isinstance(data.get("totals"), dict) else {}
    return (
        Run(
            path=path,
            os=str(run["os"]),
            machine=str(run["machine"]),
            pythons={str(k): str(v) for k, v in run["pythons"].items()},
            harness_version=str(run["harness_version"]),
            created=str(run["created"]),
            totals={str(k): int(v) for k, v in (totals or {}).items()},
        ),
        cells,
    )


def merge(paths: Sequence[Path]) -> Matrix:
    """Every report's cells in one matrix; the same cell in two reports is an error."""
    if not paths:
        raise MergeError("no report.json given")
    runs: list[Run] = []
    cells: dict[tuple[str, Column], Cell] = {}
    for path in paths:
        run, raw_cells = read_report(path)
        runs.append(run)
        for data in raw_cells:
            column = make_column(
                run.os,
                run.machine,
                str(data["python"]),
                str(data["layout"]),
                str(data["installer"]),
            )
            cell = Cell(run, column, data)
            key = (cell.scenario, column)
            if key in cells:
                raise MergeError(
                    f"{path}: cell {cell.scenario} on {column.label} is also in "
                    f"{cells[key].run.path}: merge reports of different jobs only"
                )
            cells[key] = cell
    columns = sorted({column for _, column in cells})
    scenarios = sorted({scenario for scenario, _ in cells})
    return Matrix(runs, columns, scenarios, cells)


# --- Markdown ------------------------------------------------------------------------


def _md(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(matrix: Matrix) -> str:
    totals = matrix.totals()
    lines = [
        "# Interop harness: merged report",
        "",
        ", ".join(f"{n} {status}" for status, n in totals.items()),
        "",
        "| report | OS | machine | Pythons | harness | created |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for run in matrix.runs:
        pythons = ", ".join(f"{k} ({v})" for k, v in run.pythons.items())
        lines.append(
            f"| `{_md(run.path)}` | {run.os} | {run.machine} | {pythons} | "
            f"{run.harness_version} | {run.created} |"
        )
    headers = [f"{c.platform}<br>{c.python}<br>{c.setup}" for c in matrix.columns]
    lines += ["", "| scenario | " + " | ".join(headers) + " |"]
    lines.append("| --- |" + " :---: |" * len(matrix.columns))
    for scenario in matrix.scenarios:
        row = [f"`{scenario}`"]
        for column in matrix.columns:
            cell = matrix.cells.get((scenario, column))
            row.append(MD_MARK[cell.status] if cell else "")
        lines.append("| " + " | ".join(row) + " |")
    legend = ", ".join(f"{mark} {status}" for status, mark in MD_MARK.items())
    lines += ["", f"Legend: {legend}; empty: not run there."]
    problems = matrix.problems()
    if problems:
        lines += ["", "## Failed and error cells", ""]
    for cell in problems:
        lines.append(f"- **{cell.scenario}** on {cell.column.label}: {cell.status}")
        for item in cell.failed_expectations():
            lines.append(
                f"  - {_md(item.get('subject'))}: expected {_md(item.get('expected'))}, "
                f"evidence {_md(item.get('evidence'))}"
            )
        cause = cell.cause()
        if cause:
            lines.append(f"  - cause ({_md(cause.get('kind'))}): {_md(cause.get('what'))}")
            for key in ("where", "fix", "log"):
                if cause.get(key):
                    lines.append(f"  - {key}: {_md(cause[key])}")
    return "\n".join(lines) + "\n"


# --- JSON ----------------------------------------------------------------------------


def render_json(matrix: Matrix) -> str:
    document = {
        "schema": SCHEMA,
        "merged": True,
        "totals": matrix.totals(),
        "runs": [
            {
                "report": str(run.path),
                "os": run.os,
                "machine": run.machine,
                "pythons": run.pythons,
                "harness_version": run.harness_version,
                "created": run.created,
                "totals": run.totals,
            }
            for run in matrix.runs
        ],
        "columns": [
            {
                "os": c.os,
                "machine": c.machine,
                "python": c.python,
                "layout": c.layout,
                "installer": c.installer,
            }
            for c in matrix.columns
        ],
        "scenarios": matrix.scenarios,
        "cells": [
            {**cell.data, "os": cell.run.os, "machine": cell.run.machine, "run": i}
            for (scenario, column), cell in sorted(matrix.cells.items())
            for i in [matrix.runs.index(cell.run)]
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --- HTML ----------------------------------------------------------------------------

_CSS = """
:root { --row: 1.6em; font: 12px/1.3 system-ui, sans-serif; }
body { margin: 0.5em; }
h1 { font-size: 1.15em; margin: 0 0 0.3em; }
.bar { display: flex; gap: 1.5em; align-items: center; margin-bottom: 0.4em; flex-wrap: wrap; }
.wrap { overflow: auto; max-height: calc(100vh - 5em); border: 1px solid #ccc;
  width: fit-content; max-width: 100%; }
table { border-collapse: separate; border-spacing: 0; }
th, td { border-right: 1px solid #ddd; border-bottom: 1px solid #ddd; padding: 0 0.2em;
  white-space: nowrap; text-align: center; background: #fff; }
thead th { position: sticky; background: #f3f3f3; height: var(--row); z-index: 2;
  font-weight: 600; }
thead tr:nth-child(1) th { top: 0; }
thead tr:nth-child(2) th { top: var(--row); }
thead tr:nth-child(3) th { top: calc(2 * var(--row)); height: calc(2 * var(--row));
  font-weight: 400; font-size: 0.9em; }
th.scenario { position: sticky; left: 0; z-index: 3; text-align: left; }
tbody th.scenario { z-index: 1; background: #fafafa; font-weight: 400;
  font-family: ui-monospace, monospace; }
thead th.scenario { z-index: 4; }
th.os { border-left: 2px solid #999; }
td.first { border-left: 2px solid #999; }
td { min-width: 2.4em; height: var(--row); position: relative; }
td.passed { background: #d9f2d9; color: #185c18; }
td.failed { background: #f8caca; color: #8a1010; font-weight: 700; }
td.error { background: #fbe1b6; color: #7a4a00; font-weight: 700; }
td.up .more { top: auto; bottom: 100%; }
td.left .more { left: auto; right: 0; }
.runs { margin-top: 0.4em; }
td.skipped { background: #ececec; color: #666; }
td.not-applicable { background: #f4f6fb; color: #aab; }
details > summary { cursor: pointer; list-style: none; }
details > summary::-webkit-details-marker { display: none; }
.more { position: absolute; z-index: 5; left: 0; top: 100%; min-width: 26em;
  max-width: 42em; white-space: normal; text-align: left; background: #fff; color: #222;
  font-weight: 400; border: 1px solid #888; box-shadow: 0 2px 8px #0004; padding: 0.4em; }
.more ul { margin: 0.2em 0; padding-left: 1.2em; }
.more code { background: #f2f2f2; }
body.failed-only tbody tr:not(.has-problem) { display: none; }
.legend span { margin-right: 0.8em; }
"""

_SCRIPT = """
(function () {
  var box = document.getElementById('failed-only');
  function apply(on) {
    document.body.classList.toggle('failed-only', on);
    box.checked = on;
    if (on) { box.setAttribute('checked', ''); } else { box.removeAttribute('checked'); }
    var rows = document.querySelectorAll('tbody tr');
    for (var i = 0; i < rows.length; i++) {
      rows[i].hidden = on && !rows[i].classList.contains('has-problem');
    }
  }
  box.addEventListener('change', function () { apply(box.checked); });
  var asked = location.hash + '&' + location.search;
  apply(/(^|[#&?])failed(-only)?($|[&=])/.test(asked));
  if (/(^|[#&?])open($|[&=])/.test(asked)) {
    var failures = document.querySelectorAll('td.failed details, td.error details');
    for (var i = 0; i < failures.length; i++) { failures[i].open = true; }
  }
})();
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _spans(columns: Sequence[Column], key: Any) -> list[tuple[Any, int, Column]]:
    """Consecutive runs of equal ``key(column)``: ``(value, count, first column)``."""
    spans: list[tuple[Any, int, Column]] = []
    for column in columns:
        value = key(column)
        if spans and spans[-1][0] == value:
            spans[-1] = (value, spans[-1][1] + 1, spans[-1][2])
        else:
            spans.append((value, 1, column))
    return spans


def _cell_details(cell: Cell) -> str:
    parts: list[str] = []
    failed = cell.failed_expectations()
    if failed:
        items = "".join(
            f'<li class="expectation"><b>{_e(item.get("subject"))}</b>: expected '
            f'<code class="expected">{_e(item.get("expected"))}</code>, evidence '
            f'<code class="evidence">{_e(item.get("evidence"))}</code></li>'
            for item in failed
        )
        parts.append(f"<ul>{items}</ul>")
    cause = cell.cause()
    if cause:
        rows = "".join(
            f"<li>{_e(key)}: {_e(cause[key])}</li>"
            for key in ("where", "fix", "log")
            if cause.get(key)
        )
        parts.append(
            f'<div class="cause"><b>{_e(cause.get("kind"))}</b>: {_e(cause.get("what"))}'
            f"<ul>{rows}</ul></div>"
        )
    if not parts:
        parts.append("<div>no unmet expectation recorded</div>")
    head = f"<div><b>{_e(cell.scenario)}</b> · {_e(cell.column.label)} · {_e(cell.status)}</div>"
    return f'<details><summary>{MARK[cell.status]}</summary><div class="more">{head}{"".join(parts)}</div></details>'


def render_html(matrix: Matrix) -> str:
    columns = matrix.columns
    firsts = {span[2] for span in _spans(columns, lambda c: c.platform)}
    head1 = "".join(
        f'<th class="os" colspan="{n}">{_e(value)}</th>'
        for value, n, _ in _spans(columns, lambda c: c.platform)
    )
    head2 = "".join(
        f'<th colspan="{n}"{" class=os" if first in firsts else ""}>{_e(value[1])}</th>'
        for value, n, first in _spans(columns, lambda c: (c.platform, c.python))
    )
    head3 = "".join(
        f'<th class="setup{" os" if c in firsts else ""}">{_e(c.layout)}<br>{_e(c.installer)}</th>'
        for c in columns
    )
    body: list[str] = []
    for row_index, scenario in enumerate(matrix.scenarios):
        tds: list[str] = []
        # Popups open away from the nearer edges, so the scroll box never clips them.
        up = " up" if row_index >= len(matrix.scenarios) / 2 else ""
        problem = False
        for column_index, column in enumerate(columns):
            cell = matrix.cells.get((scenario, column))
            first = " first" if column in firsts else ""
            side = up + (" left" if column_index >= len(columns) / 2 else "")
            if cell is None:
                tds.append(f'<td class="none{first}" data-column="{_e(column.label)}"></td>')
                continue
            problem = problem or cell.status in ("failed", "error")
            title = f"{scenario} · {column.label} · {cell.status}"
            content = (
                _cell_details(cell) if cell.status in ("failed", "error") else MARK[cell.status]
            )
            tds.append(
                f'<td class="cell {cell.status}{first}{side}" data-status="{cell.status}" '
                f'data-column="{_e(column.label)}" title="{_e(title)}">{content}</td>'
            )
        row_class = ' class="has-problem"' if problem else ""
        body.append(
            f'<tr{row_class} data-scenario="{_e(scenario)}"><th class="scenario">'
            f"{_e(scenario)}</th>{''.join(tds)}</tr>"
        )
    totals = ", ".join(f"{n} {status}" for status, n in matrix.totals().items())
    runs = "".join(
        f"<li>{_e(run.path)}: {_e(run.platform)}, Python "
        f"{_e(', '.join(run.pythons.values()))}, harness {_e(run.harness_version)}, "
        f"{_e(run.created)}</li>"
        for run in matrix.runs
    )
    legend = "".join(f"<span>{m} {s}</span>" for s, m in MARK.items())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Interop harness: merged report</title><style>{_CSS}</style></head>
<body>
<h1>Interop harness: merged report</h1>
<div class="bar"><label><input type="checkbox" id="failed-only"> failed only</label>
<span id="totals">{_e(totals)}</span><span class="legend">{legend}</span></div>
<div class="wrap"><table id="matrix">
<thead><tr><th class="scenario" rowspan="3">scenario</th>{head1}</tr>
<tr>{head2}</tr><tr>{head3}</tr></thead>
<tbody>
{chr(10).join(body)}
</tbody></table></div>
<details class="runs"><summary>{len(matrix.runs)} reports merged</summary><ul>{runs}</ul></details>
<script>{_SCRIPT}</script>
</body></html>
"""


# --- command -------------------------------------------------------------------------


def write(matrix: Matrix, directory: Path, summary: Path | None = None) -> list[Path]:
    """The three files in ``directory``; the Markdown also appended to ``summary``."""
    directory.mkdir(parents=True, exist_ok=True)
    outputs = {
        "report.md": render_markdown(matrix),
        "report.json": render_json(matrix),
        "report.html": render_html(matrix),
    }
    written = []
    for name, text in outputs.items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    if summary is not None:
        with summary.open("a", encoding="utf-8") as stream:
            stream.write(outputs["report.md"])
    return written


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="report_action", required=True, metavar="ACTION")
    merge_parser = actions.add_parser(
        "merge",
        help="merge report.json files of several runs into one matrix (md, json, html)",
        description="Merge the report.json (schema 2) of several runs - one per OS/job - "
        "into one scenario x OS x Python x layout/installer matrix.",
    )
    merge_parser.add_argument("reports", nargs="+", type=Path, metavar="REPORT.json")
    merge_parser.add_argument(
        "-o", "--output", type=Path, required=True, metavar="DIR", help="output directory"
    )


def run(args: argparse.Namespace) -> int:
    try:
        matrix = merge(args.reports)
    except MergeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    summary = os.environ.get(SUMMARY_ENV)
    try:
        written = write(matrix, args.output, Path(summary) if summary else None)
    except OSError as error:
        print(
            f"error: {error.filename or args.output}: cannot write ({error.strerror})",
            file=sys.stderr,
        )
        return 2
    totals = ", ".join(f"{n} {s}" for s, n in matrix.totals().items())
    print(f"{len(matrix.runs)} reports, {len(matrix.cells)} cells: {totals}")
    for path in written:
        print(f"wrote {path}")
    return 0
