"""Time the report: merge 4 report.json files of 150 cells each and render every format.

    PYTHONPATH=. python benchmarks/bench_report.py [--repeat 20] [--cells 150] [--runs 4]

The inputs are made from the recorded real Linux venv run
(``tests/report/data/linux-venv-report.json``, 106 cells with their expectations,
evidence and libraries): its cells repeated under new scenario names up to ``--cells``,
a tenth of them failed, one report per OS/machine, as CI's four jobs would write them.
Timed in one process, ``--repeat`` times: the whole (reading and checking the files,
merging, rendering HTML, Markdown and JSON, writing the three files), then each part
alone. Prints medians; aim: the whole <= 1 s.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from harness.report import as_html, as_json, as_markdown, files  # noqa: E402
from harness.report.command import merge_files  # noqa: E402

REAL_RUN = PROJECT / "tests" / "report" / "data" / "linux-venv-report.json"
PLATFORMS = (("linux", "x86_64"), ("linux", "aarch64"), ("macos", "arm64"), ("windows", "AMD64"))
AIM = 1.0


def reports(directory: Path, runs: int, cells: int) -> list[Path]:
    real = json.loads(REAL_RUN.read_text(encoding="utf-8"))
    template: list[dict[str, Any]] = real["cells"]
    paths = []
    for index in range(runs):
        os_name, machine = PLATFORMS[index % len(PLATFORMS)]
        made = []
        for n in range(cells):
            cell = copy.deepcopy(template[n % len(template)])
            cell["scenario"] = f"{cell['scenario']}-{n // len(template)}"
            if n % 10 == 3 and cell["expectations"]:
                cell["status"] = "failed"
                cell["expectations"][0]["ok"] = False
            made.append(cell)
        run = {**real["run"], "os": os_name, "machine": f"{machine}-{index}"}
        path = directory / f"report-{index}" / "report.json"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps({"schema": 2, "run": run, "cells": made}), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--cells", type=int, default=150)
    parser.add_argument("--runs", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        paths = reports(Path(scratch), args.runs, args.cells)
        times: dict[str, list[float]] = {}

        def lap(name: str, started: float) -> float:
            now = time.perf_counter()
            times.setdefault(name, []).append(now - started)
            return now

        sizes: dict[str, int] = {}
        for _ in range(args.repeat):
            # The whole command's work: read, check, merge, render and write every format.
            start = time.perf_counter()
            report = merge_files(paths)
            files.write(report, Path(scratch) / "out")
            lap("whole: read, merge, render, write", start)
            # Its parts, each alone.
            t = time.perf_counter()
            report = merge_files(paths)
            t = lap("read + check + merge", t)
            page = as_html.render(report)
            t = lap("render HTML", t)
            markdown = as_markdown.render(report)
            t = lap("render Markdown", t)
            document = as_json.render(report)
            lap("render JSON", t)
            sizes = {"html": len(page), "md": len(markdown), "json": len(document)}
    print(f"{args.runs} reports x {args.cells} cells = {len(report.cells)} cells, "
          f"{len(report.columns)} columns; sizes {sizes}")  # fmt: skip
    for name, values in times.items():
        print(f"  {name:36} median {statistics.median(values) * 1000:7.1f} ms "
              f"(min {min(values) * 1000:.1f}, max {max(values) * 1000:.1f})")  # fmt: skip
    whole = statistics.median(times["whole: read, merge, render, write"])
    print(f"aim: whole <= {AIM:.1f} s: {'met' if whole <= AIM else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
