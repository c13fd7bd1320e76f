"""Four ``harness run`` at once on one work dir, cold and then warm (issue 11, point 1).

Real processes racing for real: one work directory, the same venv scenarios, one
interpreter. Two runs spread their cells over xdist workers (the default), two run them
in their own process (``-n 0``): six processes take cells at once, of both kinds. Every
run must pass every cell, report its own cells in its own report, and leave the caches
intact (every cache entry and template complete, the latest report whole, no cells or
scratch directories left behind).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reliability_testlib import PROJECT, harness_env

from harness import platforms
from harness.envs import manifest
from harness.envs.venv import SHARED_PIP_VENVS_VAR
from harness.scenarios.run_command import usable_cores

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        platforms.current().name != "linux", reason="the chosen scenarios' cells are Linux cells"
    ),
]

RUNS = 4
SCENARIOS = ["venv-basic", "target-dir", "user-site", "split-producer-target"]
_REPORT_LINE = re.compile(r"^report: (\S+report\.html)", re.MULTILINE)


def _run_all(workdir: Path, logs: Path) -> list[tuple[int, str]]:
    logs.mkdir(parents=True, exist_ok=True)
    env = harness_env()
    env.pop(SHARED_PIP_VENVS_VAR, None)  # cold means cold: the runs race for the pip venvs too
    started = []
    for index in range(RUNS):
        log = logs / f"run{index}.log"
        in_process = ["-n", "0"] if index % 2 else []
        with log.open("wb") as stream:
            process = subprocess.Popen(
                [sys.executable, "-m", "harness.cli", "--workdir", str(workdir), "run",
                 *in_process, *SCENARIOS, "--", "-p", "no:cacheprovider"],
                cwd=PROJECT, env=env, stdout=stream, stderr=subprocess.STDOUT,
            )  # fmt: skip
        started.append((process, log))
    results = []
    for process, log in started:
        status = process.wait(timeout=3000)
        results.append((status, log.read_text(errors="replace")))
    return results


def _cells_of(output: str) -> list[dict[str, object]]:
    match = _REPORT_LINE.search(output)
    assert match, output[-3000:]
    report = Path(match.group(1)).with_suffix(".json")
    cells: list[dict[str, object]] = json.loads(report.read_text(encoding="utf-8"))["cells"]
    return cells


def _assert_caches_intact(workdir: Path) -> None:
    entries = [*(workdir / "cache").glob("wheels/*/entry.json")]
    entries += (workdir / "cache").glob("prefixes/*/entry.json")
    assert entries
    for entry in entries:
        meta = json.loads(entry.read_text(encoding="utf-8"))
        assert (entry.parent / meta["product"]).exists(), entry
    templates = [p for p in (workdir / "envs").iterdir() if p.is_dir()]
    assert templates
    for template in templates:
        assert (template / manifest.MANIFEST).is_file(), template
    for wheelhouse in (workdir / "wheelhouse").glob("*/wheelhouse.json"):
        json.loads(wheelhouse.read_text(encoding="utf-8"))
    latest = json.loads((workdir / "reports" / "report.json").read_text(encoding="utf-8"))
    assert len(latest["cells"]) > 0
    # cells of passing runs are removed; scratch directories do not pile up
    assert [p.name for p in (workdir / "cells").iterdir()] == []
    assert [p.name for p in (workdir / "tmp").iterdir() if not p.name.endswith(".lock")] == []


def test_four_concurrent_runs_cold_then_warm(tmp_path: Path) -> None:
    workdir = tmp_path / "work"
    summary = []
    for phase in ("cold", "warm"):
        began = time.monotonic()
        results = _run_all(workdir, tmp_path / phase)
        took = time.monotonic() - began
        statuses = []
        report_dirs = set()
        for status, output in results:
            cells = _cells_of(output)
            bad = [c for c in cells if c["status"] != "passed"]
            assert status == 0 and not bad, f"{phase}: {bad}\n{output[-4000:]}"
            statuses.append(len(cells))
            report_dirs.add(_REPORT_LINE.search(output).group(1))  # type: ignore[union-attr]
        assert len(report_dirs) == RUNS, report_dirs  # each run has its own report
        spread = [" workers [" in output for _status, output in results]
        assert spread == [index % 2 == 0 and usable_cores() > 1 for index in range(RUNS)], spread
        assert len(set(statuses)) == 1 and statuses[0] >= len(SCENARIOS), statuses
        _assert_caches_intact(workdir)
        summary.append(f"{phase}: {RUNS} runs x {statuses[0]} cells, 0 failures, {took:.0f} s")
    print("; ".join(summary))
