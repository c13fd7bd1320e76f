"""report.md: the matrix and every problem cell, within GitHub's job-summary limit.

GitHub refuses a step summary over 1 MiB, so the Markdown stops before ``limit`` bytes:
the runs, the totals and the matrix come first, then each failed or error cell with its
unmet expectations and cause; whatever does not fit is left out and a last line says how
many rows or cells were left out and where to read them (report.html, report.json).
"""

from __future__ import annotations

from collections.abc import Iterator

from harness.report.model import Cell, Report, by_location, cause_items, facts
from harness.report.statuses import LOOKS, look

SUMMARY_LIMIT = 1024 * 1024
"""GitHub's limit of one step's job summary, in bytes."""
_ROOM_FOR_NOTE = 600


def _md(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _head(report: Report) -> list[str]:
    title = "Interop harness report"
    if len(report.runs) > 1:
        title += f": {len(report.runs)} runs merged"
    lines = [
        f"# {title}",
        "",
        report.totals_line(),
        "",
        "| run | OS | machine | Pythons | harness | created |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for index, run in enumerate(report.runs):
        pythons = ", ".join(f"{k} ({v})" for k, v in run.pythons.items())
        loaders = ", ".join(f"{k} ({v})" for k, v in run.loaders.items())
        lines.append(
            f"| {index + 1} | {run.os} | {run.machine} | {_md(pythons or loaders or '-')} | "
            f"{run.harness_version} | {run.created} |"
        )
    columns = report.columns
    headers = [f"{c.platform}<br>{c.python_label}<br>{c.setup}" for c in columns]
    lines += ["", "| scenario | " + " | ".join(headers) + " |"]
    lines.append("| --- |" + " :---: |" * len(columns))
    return lines


def _rows(report: Report) -> Iterator[str]:
    table = report.table()
    columns = report.columns
    for scenario in report.scenarios:
        marks = [
            look(cell.status).mark if (cell := table.get((scenario, c))) else "" for c in columns
        ]
        yield f"| `{scenario}` | " + " | ".join(marks) + " |"


def _problem(cell: Cell) -> list[str]:
    verdict = cell.verdict
    lines = [f"- **{cell.scenario}** on {cell.column.label}: {cell.status}"]
    for item in verdict.failed_expectations:
        lines.append(
            f"  - {_md(item.subject)}: expected {_md(item.expected)}, evidence {_md(item.evidence)}"
        )
    for check in verdict.checks:
        if not check.ok:
            lines.append(f"  - check {_md(check.test)} failed: {_md(check.message)}")
    if verdict.cause is not None:
        lines.append(f"  - cause ({_md(verdict.cause.kind)}): {_md(verdict.cause.what)}")
        for name, text in cause_items(verdict.cause):
            lines.append(f"    - {name}: {_md(text)}")
    for label, text in facts(verdict):
        lines.append(f"  - {label}: {_md(text)}")
    for location, loaded in by_location(verdict.libraries).items():
        files = ", ".join(f"{name} {path}".strip() for name, path in loaded)
        lines.append(f"  - loaded from {location}: {_md(files)}")
    return lines


def render(report: Report, limit: int = SUMMARY_LIMIT) -> str:
    """The Markdown, at most ``limit`` bytes (UTF-8), saying what it left out."""
    budget = limit - _ROOM_FOR_NOTE
    lines = _head(report)
    size = sum(len(line.encode()) + 1 for line in lines)
    rows = list(_rows(report))
    shown_rows = 0
    for row in rows:
        size += len(row.encode()) + 1
        if size > budget:
            break
        lines.append(row)
        shown_rows += 1
    legend = ", ".join(f"{item.mark} {status}" for status, item in LOOKS.items())
    lines += ["", f"Legend: {legend}; empty: not run there."]
    problems = report.problems()
    shown_problems = 0
    if problems and shown_rows == len(rows):
        lines += ["", "## Failed and error cells", ""]
        size = sum(len(line.encode()) + 1 for line in lines)
        for cell in problems:
            block = _problem(cell)
            size += sum(len(line.encode()) + 1 for line in block)
            if size > budget:
                break
            lines += block
            shown_problems += 1
    left: list[str] = []
    if shown_rows < len(rows):
        left.append(f"{len(rows) - shown_rows} of {len(rows)} matrix rows")
    if shown_problems < len(problems):
        left.append(f"{len(problems) - shown_problems} of {len(problems)} failed and error cells")
    if left:
        lines += [
            "",
            f"**Left out to stay within {limit} bytes** (GitHub's job-summary limit): "
            + " and ".join(left)
            + "; report.html and report.json have every cell.",
        ]
    return "\n".join(lines) + "\n"
