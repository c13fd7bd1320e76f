"""Terminal text: the few lines a run, a check or a merge prints about its report."""

from __future__ import annotations

from pathlib import Path

from harness.report.model import Report
from harness.report.statuses import look


def word(status: str) -> str:
    """``pass``, ``FAIL``, ``ERROR``...: a status as terminal text shows it."""
    return look(status).word


def summary(report: Report, paths: dict[str, Path]) -> list[str]:
    """Counts, every failed and error cell with its first reason, where the report is."""
    runs = f"{len(report.runs)} runs, " if len(report.runs) > 1 else ""
    lines = [f"{runs}{len(report.cells)} cells: {report.totals_line()}"]
    several = len({cell.column.platform for cell in report.cells}) > 1
    for cell in report.problems():
        column = cell.column.label if several else cell.column.short_label
        lines.append(f"  {word(cell.status)} {cell.scenario} {column}: {cell.verdict.message}")
    others = ", ".join(path.name for kind, path in paths.items() if kind != "html")
    lines.append(f"report: {paths['html']} (also {others})")
    return lines
