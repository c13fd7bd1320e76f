"""``harness report merge``: the report.json files of several runs as one report.

Each CI job (one OS, one machine, venv or conda) writes its own report.json; merged,
they are one matrix (scenario x OS/machine x Python x layout/installer) written as
report.html, report.md and report.json, the Markdown also appended to
``$GITHUB_STEP_SUMMARY`` when set. Every input is read and checked before anything is
written: a file that cannot be read, is of an unknown schema or repeats another's cell
is an error naming it (exit 2), and nothing is written.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from harness.report import as_json, as_text, files
from harness.report.model import DuplicateCellError, Report, Run, merge
from harness.scenarios.verdict import CellVerdict

SUMMARY_ENV = "GITHUB_STEP_SUMMARY"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="report_action", required=True, metavar="ACTION")
    merge_parser = actions.add_parser(
        "merge",
        help="merge report.json files of several runs into one report (html, md, json)",
        description="Merge the report.json of several runs - one per OS/job, or earlier "
        "merges - into one scenario x OS x Python x layout/installer matrix.",
    )
    merge_parser.add_argument("reports", nargs="+", type=Path, metavar="REPORT.json")
    merge_parser.add_argument(
        "-o", "--output", type=Path, required=True, metavar="DIR", help="output directory"
    )


def merge_files(paths: list[Path]) -> Report:
    """The runs of every file as one report; :class:`as_json.ReportError` names the file."""
    runs: list[tuple[Run, list[CellVerdict]]] = []
    origin: list[Path] = []
    for path in paths:
        for run in as_json.read(path):
            runs.append(run)
            origin.append(path)
    try:
        return merge(runs)
    except DuplicateCellError as error:
        raise as_json.ReportError(
            f"{origin[error.cell.run]}: cell {error.cell.scenario} on "
            f"{error.cell.column.label} is also in {origin[error.other.run]}: "
            "merge reports of different jobs only"
        ) from None


def run(args: argparse.Namespace) -> int:
    try:
        report = merge_files(args.reports)
    except as_json.ReportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    summary = os.environ.get(SUMMARY_ENV)
    try:
        paths = files.write(report, args.output)
        if summary:
            files.append_summary(report, Path(summary))
    except OSError as error:
        print(
            f"error: {error.filename or args.output}: cannot write ({error.strerror})",
            file=sys.stderr,
        )
        return 2
    for line in as_text.summary(report, paths):
        print(line)
    return 0
