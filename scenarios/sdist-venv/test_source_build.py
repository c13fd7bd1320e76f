"""Evidence of the source builds: the consumer linked the pinned wheel's copy inside the
frontend's temporary build environment and loads the producer's own sdist build at run
time; nothing in the binary points back into the vanished environment."""

from __future__ import annotations

import os

from harness.envs.layout import Layout
from harness.scenarios.observed import Observed
from harness.scenarios.source_evidence import source_build


def test_consumer_has_no_path_into_its_build_env(
    scenario_layout: Layout, scenario_observed: Observed
) -> None:
    build = source_build(scenario_layout, "pyfoo")
    assert build.rpaths == (), build
    assert [n for n in build.needed if "foo" in n] in (["libfoo.so.1"], ["@rpath/libfoo.1.dylib"])
    assert build.dangling == (), build
    # built against the pinned wheel's copy in the isolated environment (gone now) ...
    assert build.linked_in_build_env, build
    assert not any(os.path.exists(path) for path in build.linked_against), build
    # ... loaded at run time from the producer's sdist build in site, once
    copies = scenario_observed.copies_of("libfoo")
    assert [copy.origin for copy in copies] == ["site:libfoo/lib/libfoo.so.1"], copies
    assert copies[0].path not in build.linked_against
