"""Time conda prefixes: cold (channel + first prefix) and warm (a clone of the template).

Usage: PYTHONPATH=. python benchmarks/bench_conda.py [--python 3.12] [--repeat 5]
Prints the cold time, the median warm prefix time, the median warm conda layout time
(provider, no wheels) and the cold/warm ratio. Everything lives in a temp directory.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from harness import interpreters
from harness.conda import prefix
from harness.envs.conda import CondaProvider
from harness.workdir import WorkDir


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--python", default="current")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    python = interpreters.find(args.python).executable
    with tempfile.TemporaryDirectory(prefix="bench-conda-") as tmp:
        root = Path(tmp)
        workdir = WorkDir(root / "work")
        specs = ["libfoo 1.*"]
        start = time.perf_counter()
        prefix.create_prefix(workdir, python, root / "cold", specs, backend="rattler")
        cold = time.perf_counter() - start
        warm: list[float] = []
        for i in range(args.repeat):
            start = time.perf_counter()
            prefix.create_prefix(workdir, python, root / f"warm{i}", specs, backend="rattler")
            warm.append(time.perf_counter() - start)
        provider = CondaProvider("pip", workdir, conda_packages=specs, backend="rattler")
        provider.create(root / "layout-first", python, [])  # builds the layout template
        layouts: list[float] = []
        for i in range(args.repeat):
            start = time.perf_counter()
            provider.create(root / f"layout{i}", python, [])
            layouts.append(time.perf_counter() - start)
    warm_median = statistics.median(warm)
    print(f"python {args.python}: cold channel + first prefix: {cold:.2f} s")
    print(f"warm prefix (clone of template), median of {args.repeat}: {warm_median:.3f} s")
    print(
        f"warm conda layout (provider), median of {args.repeat}: {statistics.median(layouts):.3f} s"
    )
    print(f"cold / warm prefix: {cold / warm_median:.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
