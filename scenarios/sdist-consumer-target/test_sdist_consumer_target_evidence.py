"""The source build's evidence: the consumer linked the pinned wheel in the isolated build environment (gone now),
has no RPATH and no path into a build environment, and loads the target copy."""

from __future__ import annotations

from harness.envs.layout import Layout
from harness.scenarios.observed import Observed
from harness.scenarios.source_evidence import check_clean_build


def test_consumer_built_from_its_sdist(
    scenario_layout: Layout, scenario_observed: Observed
) -> None:
    build = check_clean_build(scenario_layout, "pyfoo", linked_from=None)
    loaded = [copy.origin for copy in scenario_observed.copies_of("libfoo")]
    assert loaded == ["target:libfoo/lib/libfoo.so.1"], (loaded, build)
