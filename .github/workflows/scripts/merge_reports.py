"""Merge whatever reports a run left, and say which legs are missing and why.

The report job runs with ``if: always()``: after a failed, cancelled or skipped leg it
still merges the reports that exist. This script writes a "Legs" table to the job
summary first (each leg's result as GitHub reports it in ``needs``, the report
artifacts it was to upload and which of them exist), then runs ``harness report merge``
on the reports found, which appends the merged matrix.

Usage: merge_reports.py --leg NAME=ARTIFACT[,ARTIFACT...] ... REPORTS_DIR OUT_DIR
  (``$NEEDS`` holds ``toJSON(needs)``; exit 1 when no report exists at all, else the
  exit status of the merge.) Stdlib only, Python >= 3.9.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

WHY = {
    "failure": "failed",
    "cancelled": "cancelled (or timed out)",
    "skipped": "skipped (a job it needs did not succeed)",
}


def parse_leg(text: str) -> tuple[str, list[str]]:
    name, _, artifacts = text.partition("=")
    if not name or not artifacts:
        raise argparse.ArgumentTypeError(f"--leg {text!r}: expected NAME=ARTIFACT[,ARTIFACT]")
    return name, [a for a in artifacts.split(",") if a]


def leg_lines(
    needs: dict[str, dict[str, object]], legs: dict[str, list[str]], found: set[str]
) -> list[str]:
    """The summary: a table of the legs, then one line per leg missing or incomplete."""
    lines = ["## Legs", "", "| leg | result | reports |", "| --- | --- | --- |"]
    missing = []
    for name, artifacts in legs.items():
        result = str(needs.get(name, {}).get("result", "not run (not in needs)"))
        have = [a for a in artifacts if a in found]
        lacking = [a for a in artifacts if a not in found]
        shown = ", ".join(have + [f"~~{a}~~ missing" for a in lacking]) or "-"
        lines.append(f"| {name} | {result} | {shown} |")
        if lacking or result != "success":
            why = WHY.get(result, result)
            missing.append(
                f"{name}: {why}; "
                + (f"no {', '.join(lacking)}" if lacking else "its reports exist (merged below)")
            )
    lines.append("")
    if missing:
        lines += ["Missing or incomplete legs:", ""] + [f"- {m}" for m in missing] + [""]
    else:
        lines += ["Every leg succeeded and uploaded its reports.", ""]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leg", type=parse_leg, action="append", default=[], required=True)
    parser.add_argument("reports", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    try:
        needs = json.loads(os.environ.get("NEEDS") or "{}")
    except json.JSONDecodeError as error:
        print(f"merge_reports.py: $NEEDS is not JSON ({error}); set it to toJSON(needs)")
        return 2
    folders = (
        sorted(p for p in args.reports.iterdir() if p.is_dir()) if args.reports.is_dir() else []
    )
    found = {folder.name for folder in folders}  # one folder per downloaded artifact
    reports = [folder / "report.json" for folder in folders if (folder / "report.json").is_file()]
    lines = leg_lines(needs, dict(args.leg), found)
    text = "\n".join(lines) + "\n"
    print(text)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with Path(summary).open("a", encoding="utf-8") as handle:
            handle.write(text)
    if not reports:
        print("merge_reports.py: no report.json under", args.reports, "- nothing to merge")
        return 1
    command = ["harness", "report", "merge", *map(str, reports), "-o", str(args.out)]
    return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
