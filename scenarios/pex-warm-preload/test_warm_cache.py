"""Custom check beside pex-warm-preload: the wheels were unpacked before the cell ran.

The library the probe loaded is older than the probe's spec (it was unpacked while the
layout was made), the negative of pex-preload's cold check.
"""

from __future__ import annotations

from pathlib import Path

from harness.evidence import Evidence
from harness.scenarios.cell_runner import CellEnvironment


def test_the_run_found_the_producer_unpacked(
    scenario_evidence: Evidence, scenario_environment: CellEnvironment
) -> None:
    (copy,) = scenario_environment.observe(scenario_evidence).copies_of("libfoo")
    assert copy.origin.startswith("pex-warm:")
    library = Path(copy.path)
    assert library.parents[2].name.startswith("libfoo-1.0-")
    spec = scenario_environment.cell_dir / "scenario-spec.json"
    assert library.stat().st_mtime_ns < spec.stat().st_mtime_ns
