"""Several ``harness check`` runs at once on one work dir, of a family whose package forks
at import a helper that calls ``setsid`` and sleeps for an hour (issue: a probe hung only
under two concurrent checks, and its helper outlived the harness).

    PYTHONPATH=. python benchmarks/bench_concurrent_check.py [--runs 4] [--rounds 5]

Per round: each run's exit status and wall time, the cells that timed out, and the
processes left whose command line or working directory lies in the work dir afterwards.
The family is libfoo, pyfoo and the loader packages from the builder's wheelhouse for
the running interpreter, plus a pure wheel ``forker`` written here.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench_check import family_from_wheelhouse

PROJECT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(PROJECT / "tests" / "check"), str(PROJECT / "tests")]  # and suite_testlib
from check_testlib import FORK_SLEEPER, wheel_of_files  # noqa: E402


def left_in(directory: Path) -> int:
    count = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            cwd = str((entry / "cwd").readlink())
        except OSError:
            continue
        count += str(directory) in cmdline or cwd.startswith(str(directory))
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=4, help="checks at once (default 4)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--sandbox", default="auto", choices=("auto", "on", "off"))
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-concurrent."))
    try:
        family = family_from_wheelhouse(scratch / "family")
        wheel_of_files(family, "forker", {"forker/__init__.py": FORK_SLEEPER})
        workdir = scratch / "work"
        env = {k: v for k, v in os.environ.items() if k != "HARNESS_RUN_ID"}
        env["PYTHONPATH"] = str(PROJECT)
        print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        walls: list[float] = []
        for round_ in range(1, args.rounds + 1):
            outcomes: list[tuple[int, float, list[str]]] = []

            def one(index: int, number: int = round_, into: list[Any] = outcomes) -> None:
                reports = scratch / f"r{number}-{index}"
                command = [sys.executable, "-m", "harness.cli", "--workdir", str(workdir),
                           "check", str(family), "--import", "pyfoo._pyfoo", "--import",
                           "forker", "--sandbox", args.sandbox, "--report-dir", str(reports)]  # fmt: skip
                started = time.perf_counter()
                done = subprocess.run(
                    command, cwd=PROJECT, env=env, capture_output=True, text=True, check=False
                )
                wall = time.perf_counter() - started
                cells = json.loads((reports / "report.json").read_text())["cells"]
                into.append((done.returncode, wall, [c["status"] for c in cells]))

            threads = [threading.Thread(target=one, args=(i,)) for i in range(args.runs)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            statuses = [s for _, _, cells in outcomes for s in cells]
            walls += [wall for _, wall, _ in outcomes]
            print(
                f"round {round_}: exits {sorted(code for code, _, _ in outcomes)}, "
                f"{statuses.count('passed')}/{len(statuses)} cells passed, "
                f"{statuses.count('error')} errors, walls "
                f"{', '.join(f'{w:.1f}' for _, w, _ in outcomes)} s, "
                f"{left_in(workdir)} processes left in the work dir"
            )
        print(f"median wall of one check: {statistics.median(walls):.2f} s")
        print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
