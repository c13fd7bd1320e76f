"""Custom check beside pex-warm-preload: the wheels were unpacked before the cell ran.

The cell's layout is a hard-linked copy of a template in which the app already ran once,
so the library the probe loaded is a file the template shares (more than one link) and
older than the probe's spec: the negative of pex-preload's cold check, where the cell's
own run wrote it.
"""

from __future__ import annotations

from pathlib import Path

from harness.evidence import Evidence
from harness.scenarios.cell_runner import CellEnvironment


def test_the_run_found_the_producer_unpacked(
    scenario_evidence: Evidence, scenario_environment: CellEnvironment
) -> None:
    loaded = scenario_environment.observe(scenario_evidence).copies_of("libfoo")
    assert [copy.origin.split(":", 1)[0] for copy in loaded] == ["pex-warm"]
    info = Path(loaded[0].path).stat()
    spec_written = (scenario_environment.cell_dir / "scenario-spec.json").stat().st_mtime_ns
    assert info.st_nlink > 1, "the unpacked library is not the template's"
    assert info.st_mtime_ns < spec_written
