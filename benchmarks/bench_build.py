"""Time `harness build`: cold (nothing cached) and warm (everything cached) for one interpreter.

    PYTHONPATH=. python benchmarks/bench_build.py --python 3.12 [--cold 1] [--warm 5]

"cold, fresh" starts from an empty work directory (uv also downloads the build backend);
"cold, uv warm" empties only the wheel/prefix cache, so it measures compiling and repairing.
Aims on 2 cores: cold under 90 s, warm under 1 s. Everything lives in a temporary directory.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from harness import interpreters
from harness.builder import build_all
from harness.workdir import WorkDir


def _timed(workdir: WorkDir, interpreter: interpreters.Interpreter) -> float:
    started = time.perf_counter()
    build_all(workdir, interpreter, progress=lambda line: None)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default="current")
    parser.add_argument("--cold", type=int, default=1, help="cold runs with a warm uv cache")
    parser.add_argument("--warm", type=int, default=5, help="all-cached runs")
    args = parser.parse_args()
    interpreter = interpreters.find(args.python)
    with tempfile.TemporaryDirectory(prefix="bench-build-") as scratch:
        workdir = WorkDir(Path(scratch))
        fresh = _timed(workdir, interpreter)
        cold: list[float] = []
        for _ in range(args.cold):
            for kind in ("wheels", "prefixes"):
                shutil.rmtree(workdir.cache / kind, ignore_errors=True)
            cold.append(_timed(workdir, interpreter))
        warm = [_timed(workdir, interpreter) for _ in range(args.warm)]
    print(f"interpreter          {interpreter.tag}")
    print(f"cold, fresh workdir  {fresh:8.2f} s")
    if cold:
        print(f"cold, uv warm        {statistics.median(cold):8.2f} s (median of {len(cold)})")
    warm_median = statistics.median(warm)
    print(f"warm (all cached)    {warm_median:8.3f} s (median of {len(warm)})")
    print(f"cold/warm ratio      {statistics.median(cold or [fresh]) / warm_median:8.0f}x")


if __name__ == "__main__":
    main()
