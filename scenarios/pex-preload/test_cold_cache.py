"""Custom check beside pex-preload: the cell's run is the one that unpacked the wheels.

The library the probe loaded was written into the cache after the probe's spec, i.e. by
this very run of the app (a cold cache). pex-warm-preload's check is the other half.
"""

from __future__ import annotations

from pathlib import Path

from harness.evidence import Evidence
from harness.scenarios.cell_runner import CellEnvironment


def test_the_first_run_unpacked_the_producer(
    scenario_evidence: Evidence, scenario_environment: CellEnvironment
) -> None:
    (copy,) = scenario_environment.observe(scenario_evidence).copies_of("libfoo")
    assert copy.origin.startswith("pex:")
    library = Path(copy.path)
    # PEX unpacks each wheel into <PEX_ROOT>/installed_wheels/<hash>/<wheel file name>/
    assert library.parents[2].name.startswith("libfoo-1.0-")
    spec = scenario_environment.cell_dir / "scenario-spec.json"
    assert library.stat().st_mtime_ns >= spec.stat().st_mtime_ns
