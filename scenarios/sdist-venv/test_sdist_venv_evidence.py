"""The source builds' evidence: the consumer linked the pinned wheel's copy inside the
frontend's temporary build environment (gone now) and loads the producer's own sdist build
at run time; nothing in the binary points back into the vanished environment."""

from __future__ import annotations

from harness.envs.layout import Layout
from harness.scenarios.observed import Observed
from harness.scenarios.source_evidence import check_clean_build


def test_consumer_has_no_path_into_its_build_env(
    scenario_layout: Layout, scenario_observed: Observed
) -> None:
    build = check_clean_build(scenario_layout, "pyfoo", linked_from=None)
    assert [n for n in build.needed if "foo" in n] in (["libfoo.so.1"], ["@rpath/libfoo.1.dylib"])
    copies = scenario_observed.copies_of("libfoo")
    assert [copy.origin for copy in copies] == ["site:libfoo/lib/libfoo.so.1"], copies
    assert copies[0].path not in build.linked_against
