"""Time ``harness check`` of a 4-wheel family (libfoo, pyfoo and the two loader packages)
over the 5 layouts of its matrix: cold (empty work directory: every layout template is
created) and warm (templates cached by the wheels' content hashes: each cell is a fresh
copy plus one probe process).

    PYTHONPATH=. python benchmarks/bench_check.py [--wheels DIR] [--warm 5] [--sandbox 10]

Without ``--wheels`` the family is copied out of the builder's wheelhouse for the running
interpreter (``harness build --only libfoo,pyfoo`` first). Wall time of the whole command,
start-up included. Aims on 2 cores: cold <= 20 s, warm <= 2 s.

``--sandbox N``: N warm rounds alternating ``--sandbox on`` and ``--sandbox off`` with
``--jobs 1``, comparing each cell's probe phase (the report's ``timings.probe``, the only
phase the sandbox wraps) and the command's wall time per cell. Aim: the sandbox adds at
most 20 ms per warm cell.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
AIM_COLD = 20.0
AIM_WARM = 2.0
AIM_SANDBOX_MS = 20.0
FAMILY = ("shared_lib_manager", "shared_lib_consumer", "libfoo", "pyfoo")


def family_from_wheelhouse(directory: Path) -> Path:
    sys.path.insert(0, str(PROJECT))
    from harness import interpreters  # noqa: PLC0415
    from harness.builder.wheelhouse import Wheelhouse  # noqa: PLC0415
    from harness.workdir import WorkDir  # noqa: PLC0415

    tag = interpreters.tag(interpreters.running_version())
    wheelhouse = Wheelhouse.load(WorkDir().wheelhouse / tag)
    directory.mkdir(parents=True)
    for wheel_id in FAMILY:
        shutil.copy2(wheelhouse.wheel(wheel_id), directory)
    return directory


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def check(workdir: Path, wheels: Path, *extra: str) -> tuple[float, float]:
    """Wall time and CPU time (user + system, the command and all its children)."""
    command = [sys.executable, "-m", "harness.cli", "--workdir", str(workdir), "check",
               str(wheels), "--report-dir", str(workdir / "bench-reports"), *extra]  # fmt: skip
    env = dict(os.environ, PYTHONPATH=str(PROJECT))
    cpu = _children_cpu()
    started = time.perf_counter()
    result = subprocess.run(
        command, cwd=PROJECT, env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(
            f"harness check failed (exit {result.returncode}):\n{result.stdout}{result.stderr}"
        )
    return elapsed, _children_cpu() - cpu


def cell_times(workdir: Path) -> list[tuple[float, float]]:
    """Each cell's probe phase and whole duration in the last report (seconds)."""
    cells = json.loads((workdir / "bench-reports" / "report.json").read_text())["cells"]
    return [(cell["timings"]["probe"], cell["duration"]) for cell in cells]


def compare_sandbox(workdir: Path, wheels: Path, rounds: int) -> None:
    """Warm cells with and without the sandbox, alternating, one cell at a time."""
    probes: dict[str, list[float]] = {"on": [], "off": []}
    durations: dict[str, list[float]] = {"on": [], "off": []}
    walls: dict[str, list[float]] = {"on": [], "off": []}
    cells = 0
    for _ in range(rounds):
        for mode in ("on", "off"):
            wall, _ = check(workdir, wheels, "--sandbox", mode, "--jobs", "1")
            times = cell_times(workdir)
            cells = len(times)
            probes[mode] += [probe for probe, _ in times]
            durations[mode] += [duration for _, duration in times]
            walls[mode].append(wall)
    on, off = statistics.median(probes["on"]), statistics.median(probes["off"])
    added = (on - off) * 1000
    print(
        f"probe per cell: sandbox on {on * 1000:.1f} ms, off {off * 1000:.1f} ms "
        f"(medians of {len(probes['on'])} cells): +{added:.1f} ms "
        f"(aim <= {AIM_SANDBOX_MS:.0f} ms: {added / AIM_SANDBOX_MS:.2f} of it)"
    )
    on, off = statistics.median(durations["on"]), statistics.median(durations["off"])
    print(
        f"whole cell: on {on * 1000:.1f} ms, off {off * 1000:.1f} ms: {(on - off) * 1000:+.1f} ms"
    )
    wall_on, wall_off = statistics.median(walls["on"]), statistics.median(walls["off"])
    print(
        f"command wall: on {wall_on:.2f} s, off {wall_off:.2f} s (medians of {rounds}, "
        f"{cells} cells, --jobs 1): {(wall_on - wall_off) / cells * 1000:+.1f} ms per cell"
    )


def needs_analysis(wheels: Path, workdir: Path, repeat: int = 20) -> float:
    """Median seconds of the needs analysis of one check, in process: each placement's
    closure through the resolver (expected libraries, not exercised, shared names) and
    the outcome judged on the venv cell's evidence, as ``harness check`` does per cell."""
    sys.path.insert(0, str(PROJECT))
    from harness.check import command as check_command  # noqa: PLC0415
    from harness.check import matrix, outcome  # noqa: PLC0415
    from harness.check.needs import shared_names  # noqa: PLC0415
    from harness.scenarios.verdict import CellVerdict  # noqa: PLC0415
    from harness.workdir import WorkDir  # noqa: PLC0415

    parser = argparse.ArgumentParser()
    check_command.add_arguments(parser)
    args = parser.parse_args([str(wheels)])
    args.workdir = str(workdir)
    work = WorkDir(workdir)
    python = check_command.pythons(args)[0]
    family, probing = check_command.prepare(args, work, python)
    placements = matrix.placements(family)
    results = check_command.run_matrix(
        family, probing, work, installer=args.installer, layouts=["venv"]
    )
    runner_verdict = results[0].verdict
    from harness.scenarios.cell_runner import CellRunner  # noqa: PLC0415
    from harness.scenarios.cells import Cell  # noqa: PLC0415

    placement = placements[0]
    scenario = matrix.scenario(family, placement, probing, work.root / "check", args.installer)
    runner = CellRunner(work)
    environment = runner.environment(Cell(scenario, family.python, "venv", args.installer))
    evidence = environment.evidence()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        shared_names(family.wheels)
        for each in placements:
            matrix.expected_libraries(family, each, probing)
            facts = outcome.facts(family, each, probing)
            verdict = CellVerdict.from_json({**runner_verdict.to_json(), "causes": []})
            outcome.judge(facts, verdict, evidence, environment.layout.label_of)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", type=Path, default=None, help="directory of the family")
    parser.add_argument("--warm", type=int, default=5, help="warm repetitions (default 5)")
    parser.add_argument(
        "--sandbox", type=int, default=0, metavar="N", help="N rounds comparing --sandbox on/off"
    )
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-check."))
    try:
        wheels = args.wheels or family_from_wheelhouse(scratch / "family")
        workdir = scratch / "work"
        print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        cold, cold_cpu = check(workdir, wheels)
        runs = [check(workdir, wheels) for _ in range(args.warm)]
        warm = [wall for wall, _ in runs]
        median = statistics.median(warm)
        median_cpu = statistics.median(cpu for _, cpu in runs)
        print(
            f"cold   {cold:6.2f} s wall, {cold_cpu:5.2f} s CPU  "
            f"(aim <= {AIM_COLD:.0f} s: {cold / AIM_COLD:.2f} of it)"
        )
        print(
            f"warm   {median:6.2f} s wall, {median_cpu:5.2f} s CPU  median of {len(warm)} "
            f"(wall min {min(warm):.2f}, max {max(warm):.2f}; aim <= {AIM_WARM:.0f} s: "
            f"{median / AIM_WARM:.2f} of it)"
        )
        print(f"cold / warm = {cold / median:.1f}")
        if args.sandbox:
            compare_sandbox(workdir, wheels, args.sandbox)
        analysis = needs_analysis(wheels, workdir)
        print(
            f"needs analysis {analysis * 1000:6.1f} ms per check (all placements, in process): "
            f"{analysis / median:.1%} of the warm wall median (aim <= 10 %)"
        )
        print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
