"""Time conda prefixes and conda cells: cold (channel + first prefix) and warm.

Usage: PYTHONPATH=. python benchmarks/bench_conda.py [--python 3.12] [--repeat 5]
    [--wheelhouse .harness/wheelhouse]

Prints the cold time (build the python, pip and libfoo packages, index, solve, install
the template, clone the first prefix), the median warm prefix (a clone of the
template), the median warm conda layout (provider, no wheels) and, when a built
wheelhouse is available, the median warm *cell* of the scenario conda-libfoo-preload
(layout with conda's libfoo and four wheels, plus the probe run) next to the same for
venv-basic in a venv with the same installer, and their ratio. Everything the
benchmark creates lives in a temp directory; the wheelhouse is only read.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from harness import interpreters, project
from harness.conda import prefix
from harness.envs.conda import CondaProvider
from harness.envs.layouts import LayoutSpec, make_layout
from harness.scenarios import parse
from harness.scenarios.cell_runner import CellRunner
from harness.scenarios.cells import Cell
from harness.scenarios.wheel_builds import PREBUILT_WHEELHOUSE_VAR
from harness.workdir import WorkDir


def _median(repeat: int, action: Callable[[int], object]) -> float:
    times: list[float] = []
    for i in range(repeat):
        start = time.perf_counter()
        action(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _cell_time(runner: CellRunner, cell: Cell, repeat: int) -> tuple[float, float]:
    """(first cell, median warm cell) seconds: create the cell's layout and probe it."""

    def one(_i: int) -> None:
        # _create is the per-cell work of the runner (environment() would reuse the cell).
        environment = runner._create(cell)
        evidence = environment.evidence()
        if not all(step.ok for step in evidence.steps):
            raise SystemExit(f"{cell.name}: a step failed: {evidence.steps}")

    first = _median(1, one)
    return first, _median(repeat, one)


def _cells(args: argparse.Namespace, root: Path, version: str) -> None:
    wheelhouse = args.wheelhouse or WorkDir().wheelhouse
    if not (wheelhouse / interpreters.tag(version) / "index.json").is_file():
        print(f"no wheelhouse for {interpreters.tag(version)} under {wheelhouse}: cells not timed")
        print("  (run `harness build --python ...` or pass --wheelhouse)")
        return
    os.environ[PREBUILT_WHEELHOUSE_VAR] = str(wheelhouse)
    os.environ.setdefault("HARNESS_CONDA_BACKEND", "rattler")
    runner = CellRunner(WorkDir(root / "work"))
    scenarios = project.root() / "scenarios"
    conda = parse.load(scenarios / "conda-libfoo-preload" / "scenario.toml")
    venv = parse.load(scenarios / "venv-basic" / "scenario.toml")
    conda_first, conda_warm = _cell_time(runner, Cell(conda, version, "conda", "pip"), args.repeat)
    venv_first, venv_warm = _cell_time(runner, Cell(venv, version, "venv", "pip"), args.repeat)
    print(f"first conda cell (template install + wheels + probe): {conda_first:.2f} s")
    print(f"warm conda cell conda-libfoo-preload, median of {args.repeat}: {conda_warm:.3f} s")
    print(f"first venv cell (template + wheels + probe): {venv_first:.2f} s")
    print(f"warm venv cell venv-basic (pip), median of {args.repeat}: {venv_warm:.3f} s")
    print(f"warm conda cell / warm venv cell: {conda_warm / venv_warm:.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--python", default="current")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--wheelhouse", type=Path, default=None)
    args = parser.parse_args()
    found = interpreters.find(args.python)
    python = found.executable
    with tempfile.TemporaryDirectory(prefix="bench-conda-") as tmp:
        root = Path(tmp)
        workdir = WorkDir(root / "work")
        specs = ["libfoo 1.*"]
        start = time.perf_counter()
        prefix.create_prefix(workdir, python, root / "cold", specs, backend="rattler")
        cold = time.perf_counter() - start

        def warm_prefix(i: int) -> None:
            prefix.create_prefix(workdir, python, root / f"warm{i}", specs, backend="rattler")

        warm = _median(args.repeat, warm_prefix)
        provider = CondaProvider(workdir, conda_packages=specs, backend="rattler")
        spec = LayoutSpec(python, kind="conda", installer="pip")

        def warm_layout(i: int) -> None:
            make_layout(spec, root / f"layout{i}", workdir=workdir, provider=provider)

        warm_layout(-1)  # builds the layout template
        layout = _median(args.repeat, warm_layout)
        print(f"python {found.version} ({python}): cold channel + first prefix: {cold:.2f} s")
        print(f"warm prefix (clone of template), median of {args.repeat}: {warm:.3f} s")
        print(f"warm conda layout (provider, no wheels), median of {args.repeat}: {layout:.3f} s")
        print(f"cold / warm prefix: {cold / warm:.0f}x")
        _cells(args, root, found.version)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
