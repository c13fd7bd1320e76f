"""Native cells: cold costs (builds, the first Wine prefix) and warm per-cell medians.

    PYTHONPATH=. python benchmarks/bench_native.py [--runs 20] [--loaders glibc,musl,wine]

Everything happens in a fresh temporary work directory, removed at the end (the Wine
server on it is stopped first). Cold: compiling the probe and libraries per loader,
creating the Wine prefix, the first Wine cell on a fresh server (Wine starts its
service processes then). Warm: one preload cell (load the producer, load the
consumer, call through it, collect the evidence) through ``run_native``, median of
``--runs``; alongside, the same probe with an empty spec (the floor: process start,
and Wine's start-up) for the ratio. Then whole scenario cells through
``CellRunner.run_cell`` (parse once, spec, probe, expectations, verdict), median of the
verdict's own duration and phase timings. Aims: glibc/musl <= 0.1 s, Wine <= 1 s per cell.
"""

from __future__ import annotations

import argparse
import functools
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from harness import project
from harness.native import NativeSpec, NativeStep, build, run_native, wine
from harness.scenarios import parse
from harness.scenarios.cell_runner import CellRunner
from harness.scenarios.cells import Selection, expand
from harness.workdir import WorkDir

PRELOAD_CELL = NativeSpec(
    steps=[
        NativeStep("preload", load="producer"),
        NativeStep("consumer", load="consumer"),
        NativeStep("identity", call="consumer_foo_identity", library="consumer"),
    ],
    symbols=["foo_identity"],
    identity_functions=["foo_identity"],
)
AIMS = {"glibc": 0.1, "musl": 0.1, "wine": 1.0}
CELL_SCENARIOS = {
    "glibc": "native-preload",
    "musl": "native-musl-preload-fails",
    "wine": "native-preload",
}
"""The scenario whose cell is timed per loader (the preload cell, or musl's failing one)."""


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _median(action: Callable[[], object], runs: int) -> float:
    return statistics.median(_timed(action) for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--loaders", default="glibc,musl,wine")
    options = parser.parse_args()
    loaders = [name for name in options.loaders.split(",") if name]
    root = Path(tempfile.mkdtemp(prefix="native-bench-"))
    sessions: list[wine.WineSession] = []
    try:
        _measure(WorkDir(root), loaders, options.runs, sessions)
    finally:
        for session in sessions:
            session.stop()
        shutil.rmtree(root, ignore_errors=True)


def _measure(
    workdir: WorkDir, loaders: list[str], runs: int, sessions: list[wine.WineSession]
) -> None:
    print("| measurement | wall time |\n| --- | --- |")
    for loader in loaders:
        missing = build.missing_compiler(loader) or (
            wine.missing_tool() if loader == "wine" else None
        )
        if missing:
            print(f"| {loader}: skipped | {missing} |")
            continue
        seconds = _timed(functools.partial(build.build, loader, workdir))
        print(f"| cold build of the {loader} probe and libraries | {seconds:.2f} s |")
    session: wine.WineSession | None = None
    if "wine" in loaders and not wine.missing_tool():
        prefix = _timed(lambda: wine.ensure_prefix(workdir))
        print(f"| cold: the first Wine prefix (`wineboot --init`) | {prefix:.1f} s |")
        session = wine.WineSession(workdir)
        sessions.append(session)
        start = _timed(session.start)
        print(f"| wine server start (`wineserver --persistent`) | {start:.2f} s |")
        first = _timed(lambda: run_native("wine", PRELOAD_CELL, workdir, session=session))
        print(f"| first Wine cell on a fresh server (Wine's services start) | {first:.2f} s |")
    print("\n| loader | warm preload cell (median) | empty-spec probe | ratio | aim |")
    print("| --- | --- | --- | --- | --- |")
    for loader in loaders:
        if build.missing_compiler(loader) or (loader == "wine" and session is None):
            continue

        def cell(loader: str = loader, spec: NativeSpec = PRELOAD_CELL) -> None:
            run_native(loader, spec, workdir, session=session)

        run_native(loader, PRELOAD_CELL, workdir, session=session)  # warm-up
        warm = _median(cell, runs)
        empty = _median(functools.partial(cell, loader, NativeSpec()), runs)
        print(
            f"| {loader} | {warm * 1000:.0f} ms | {empty * 1000:.0f} ms | "
            f"{warm / empty:.2f}x | <= {AIMS[loader]:g} s |"
        )
    _cells(workdir, loaders, runs, session)


def _cells(
    workdir: WorkDir, loaders: list[str], runs: int, session: wine.WineSession | None
) -> None:
    """Warm scenario cells through ``run_cell``: the verdict's duration and phases."""
    print(
        "\n| loader | scenario cell (`run_cell`) | duration (median) | probe phase | layout phase |"
    )
    print("| --- | --- | --- | --- | --- |")
    runner = CellRunner(workdir)
    try:
        for loader in loaders:
            if build.missing_compiler(loader) or (loader == "wine" and session is None):
                continue
            name = CELL_SCENARIOS[loader]
            scenario = parse.load(project.scenarios_dir() / name / parse.SCENARIO_FILE)
            (cell,) = expand(scenario, Selection(installers=(loader,)))
            runner.run_cell(cell)  # warm-up: build memo, Wine session
            verdicts = [runner.run_cell(cell) for _ in range(runs)]
            bad = [v for v in verdicts if v.status != "passed"]
            if bad:
                raise SystemExit(f"{cell.name} did not pass: {bad[0].message}")
            duration = statistics.median(v.duration for v in verdicts)
            probe = statistics.median(v.timings["probe"] for v in verdicts)
            layout = statistics.median(v.timings["layout"] for v in verdicts)
            print(
                f"| {loader} | `{cell.name}` | {duration * 1000:.0f} ms | "
                f"{probe * 1000:.0f} ms | {layout * 1000:.1f} ms |"
            )
    finally:
        runner.close()


if __name__ == "__main__":
    main()
