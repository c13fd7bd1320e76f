"""How the warm matrix's cost grows with the number of cells: 1x, 2x, 4x the venv scenarios.

    PYTHONPATH=. python benchmarks/bench_scaling.py [--python 3.12] [--factors 1,2,4]
        [--repeat 3] [-n N] [--exclude 'pex-*']

Each factor runs a scenarios directory holding that many renamed copies of every venv
scenario of the catalogue (same wheels, same layouts, same evidence and checks), in one
work directory that a first, untimed run has warmed. Copies share their layout
templates, so what grows is the per-cell work: a fresh cell directory, the layout, a
probe process, the checks. Prints the median wall time per factor, the cost per cell,
and the marginal cost of each added cell (the slope between factors). ``--exclude``
leaves out the scenarios whose directory names match a glob pattern (repeatable), to see
what one kind of cell adds (the PEX scenarios start from an empty PEX cache by design).

After each timed run it also times the machine's floor (``bench_matrix.floor``: fresh
interpreters, one after another, each importing ctypes and dlopening a library) and
prints the marginal cell in those floors as well: the absolute aim (0.05 s) was set on a
machine whose floor was 24 ms, and a cell is mostly process starts, so the ratio tells a
slower machine from a slower harness.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_matrix import floor

from harness.scenarios import parse

PROJECT = Path(__file__).resolve().parents[1]
AIM_MARGINAL = 0.05
FLOOR_INTERPRETERS = 50
"""Interpreters per floor measurement (one after each timed run)."""


def copy_scenarios(
    source: Path, destination: Path, factor: int, exclude: list[str] | None = None
) -> int:
    """``factor`` copies of every venv scenario (its own test_*.py checks included) whose
    directory name matches none of the ``exclude`` patterns."""
    count = 0
    for scenario in sorted(source.glob("*/scenario.toml")):
        if "venv" not in parse.load(scenario).layouts:
            continue  # conda-only scenarios are not part of the venv matrix
        if any(fnmatch.fnmatch(scenario.parent.name, pattern) for pattern in exclude or ()):
            continue
        for index in range(factor):
            target = destination / f"{scenario.parent.name}-x{index}"
            shutil.copytree(scenario.parent, target, ignore=shutil.ignore_patterns("__pycache__"))
            count += 1
    return count


def run(scenarios: Path, workdir: Path, python: str, workers: str | None) -> tuple[float, int]:
    """One warm ``harness run``: wall seconds and the number of cells that ran."""
    reports = workdir / "bench-reports"
    command = [sys.executable, "-m", "harness.cli", "--workdir", str(workdir), "run",
               "--scenarios", str(scenarios), "--layout", "venv", "--python", python]  # fmt: skip
    if workers:
        command += ["-n", workers]
    command += ["--", "-q", "-p", "no:cacheprovider", "--harness-reports", str(reports)]
    env = dict(os.environ, PYTHONPATH=str(PROJECT))
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"harness run failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    cells = json.loads((reports / "report.json").read_text(encoding="utf-8"))["cells"]
    ran = [c for c in cells if c["status"] in ("passed", "failed")]
    return wall, len(ran)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=f"{sys.version_info[0]}.{sys.version_info[1]}")
    parser.add_argument("--factors", default="1,2,4")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("-n", dest="workers", default=None, help="pytest-xdist workers")
    parser.add_argument(
        "--exclude", action="append", default=[], help="leave out scenarios matching this glob"
    )
    parser.add_argument(
        "--floor-python",
        default=sys.executable,
        help="interpreter of the floor (default: this one)",
    )
    args = parser.parse_args()
    factors = [int(f) for f in args.factors.split(",")]
    scratch = Path(tempfile.mkdtemp(prefix="bench-scaling."))
    try:
        workdir = scratch / "work"
        results: list[tuple[int, int, float]] = []
        floors: list[float] = []
        for factor in factors:
            scenarios = scratch / f"scenarios-x{factor}"
            scenarios.mkdir()
            copy_scenarios(PROJECT / "scenarios", scenarios, factor, args.exclude)
            run(scenarios, workdir, args.python, args.workers)  # warm-up (first: builds)
            walls, cells = [], 0
            for _ in range(args.repeat):
                wall, cells = run(scenarios, workdir, args.python, args.workers)
                walls.append(wall)
                floors.append(floor(FLOOR_INTERPRETERS, args.floor_python) / FLOOR_INTERPRETERS)
            median = statistics.median(walls)
            results.append((factor, cells, median))
            print(f"x{factor}: {cells:4d} cells  warm {median:6.2f} s  {median / cells:.3f} s/cell")
        per_interpreter = statistics.median(floors)
        print(
            f"floor: {per_interpreter * 1000:.1f} ms per interpreter importing ctypes + dlopen "
            f"(median of {len(floors)} x {FLOOR_INTERPRETERS}, one after each timed run)"
        )
        for (f1, c1, t1), (f2, c2, t2) in zip(results, results[1:]):
            marginal = (t2 - t1) / (c2 - c1)
            print(
                f"x{f1} -> x{f2}: marginal cost {marginal:.3f} s per added cell "
                f"({marginal / per_interpreter:.2f} floors; aim {AIM_MARGINAL} s)"
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
