"""Time the Linux venv matrix (what `tox -e linux-venv` runs): cold and warm wall time,
and the median warm cell.

    PYTHONPATH=. python benchmarks/bench_matrix.py [--python 3.9,3.13] [--warm 3] [--cold]
        [--workdir DIR] [-n N]

"cold" starts from an empty work directory (wheels built, templates created);
"warm" re-runs with everything cached (each cell still gets a fresh directory and a
fresh probe process). A cell's time is pytest's setup+call+teardown time of that
cell (layout clone + probe + checks). Without --workdir everything lives in a
temporary directory; --workdir reuses an existing (e.g. the project's .harness)
cache for the warm runs. Aims on 2 cores: warm cell < 0.5 s, whole catalogue warm < 20 s.

The floor, timed in the same rounds as the warm runs (interleaved, so both see the same
machine): as many fresh interpreters as the warm run has cells, one after another, each
importing ctypes and dlopening a library (libm); the aim is warm <= 3.0x the floor.
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
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
AIM_CELL = 0.5
AIM_CATALOGUE = 20.0
AIM_FLOOR_RATIO = 3.0
_FLOOR_CODE = (
    "import ctypes, ctypes.util; ctypes.CDLL(ctypes.util.find_library('m') or 'libm.so.6')"
)


def floor(count: int, python: str) -> float:
    """Wall time of ``count`` fresh interpreters, serially, each importing ctypes and
    dlopening a library: what a cell cannot do without."""
    started = time.perf_counter()
    for _ in range(count):
        subprocess.run([python, "-c", _FLOOR_CODE], check=True)
    return time.perf_counter() - started


def run_matrix(
    workdir: Path, pythons: str, workers: str | None
) -> tuple[float, list[dict[str, object]]]:
    """One `harness run --layout venv` in ``workdir``: wall time and the report's cells."""
    reports = workdir / "bench-reports"
    command = [sys.executable, "-m", "harness.cli", "--workdir", str(workdir), "run",
               "--layout", "venv", "--python", pythons]  # fmt: skip
    if workers:
        command += ["-n", workers]
    command += ["--", "-q", "-p", "no:cacheprovider", "--harness-reports", str(reports)]
    env = dict(os.environ, PYTHONPATH=str(PROJECT))
    started = time.perf_counter()
    result = subprocess.run(
        command, cwd=PROJECT, env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 1):
        sys.exit(
            f"harness run failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    cells: list[dict[str, object]] = json.loads((reports / "report.json").read_text())["cells"]
    return elapsed, cells


def _ran(cells: list[dict[str, object]]) -> list[float]:
    return [float(c["duration"]) for c in cells if c["status"] in ("passed", "failed")]  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=f"{sys.version_info[0]}.{sys.version_info[1]}")
    parser.add_argument("--warm", type=int, default=3, help="warm repetitions (default 3)")
    parser.add_argument(
        "--cold", action="store_true", help="also time a cold run (builds everything)"
    )
    parser.add_argument("--workdir", type=Path, default=None, help="reuse this work directory")
    parser.add_argument("-n", dest="workers", default=None, help="pytest-xdist workers")
    parser.add_argument(
        "--floor-python",
        default=sys.executable,
        help="interpreter of the floor (default: this one)",
    )
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="bench-matrix."))
    try:
        workdir = args.workdir.resolve() if args.workdir else scratch / "work"
        if args.cold:
            cold_dir = scratch / "cold"
            cold, cells = run_matrix(cold_dir, args.python, args.workers)
            print(f"cold   {cold:7.2f} s  ({len(cells)} cells, empty work directory)")
            if args.workdir is None:
                workdir = cold_dir
        elif args.workdir is None:
            print("warming up (first run builds wheels and templates, not timed)...")
            run_matrix(workdir, args.python, args.workers)
        walls: list[float] = []
        floors: list[float] = []
        cell_times: list[float] = []
        statuses: dict[str, int] = {}
        for _ in range(args.warm):
            wall, cells = run_matrix(workdir, args.python, args.workers)
            walls.append(wall)
            floors.append(floor(max(len(cells), 1), args.floor_python))
            cell_times.extend(_ran(cells))
            for cell in cells:
                statuses[str(cell["status"])] = statuses.get(str(cell["status"]), 0) + 1
        warm = statistics.median(walls)
        floor_wall = statistics.median(floors)
        median_cell = statistics.median(cell_times)
        print(
            f"python {args.python}, workers {args.workers or 'auto (the default)'}, "
            f"statuses over {args.warm} runs: {statuses}"
        )
        print(
            f"warm   {warm:7.2f} s  median of {len(walls)} (aim < {AIM_CATALOGUE:.0f} s: {warm / AIM_CATALOGUE:.2f} of it)"
        )
        ratios = sorted(w / f for w, f in zip(walls, floors))
        print(
            f"floor  {floor_wall:7.2f} s  median of {len(floors)} ({len(cells)} interpreters importing ctypes + dlopen, serially)"
        )
        print(
            f"warm/floor {warm / floor_wall:.2f}x (pairs {', '.join(f'{r:.2f}' for r in ratios)}; aim <= {AIM_FLOOR_RATIO}x)"
        )
        print(
            f"cell   {median_cell:7.3f} s  median warm cell of {len(cell_times)} (aim < {AIM_CELL} s: {median_cell / AIM_CELL:.2f} of it)"
        )
        print(
            f"slowest warm cell {max(cell_times):.3f} s; cells ran {len(cell_times) // max(args.warm, 1)} per run"
        )
        if args.cold:
            print(f"cold/warm ratio {cold / warm:.1f}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
