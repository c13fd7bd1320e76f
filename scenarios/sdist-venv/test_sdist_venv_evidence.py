"""The source builds' evidence: the consumer linked the pinned wheel's copy inside the
frontend's temporary build environment (gone now) and loads the producer's own sdist build
at run time; nothing in the binary points back into the vanished environment."""

from __future__ import annotations

from harness.envs.layout import Layout
from harness.scenarios.observed import Observed
from harness.scenarios.source_evidence import check_clean_build, recorded_builds


def test_consumer_has_no_path_into_its_build_env(
    scenario_layout: Layout, scenario_observed: Observed
) -> None:
    build = check_clean_build(scenario_layout, "pyfoo", linked_from=None)
    assert [n for n in build.needed if "foo" in n] in (["libfoo.so.1"], ["@rpath/libfoo.1.dylib"])
    copies = scenario_observed.copies_of("libfoo")
    assert [copy.origin for copy in copies] == ["site:libfoo/lib/libfoo.so.1"], copies
    assert copies[0].path not in build.linked_against


def test_the_verdict_shows_both_builds_clean(scenario_layout: Layout) -> None:
    """What the cell's verdict (``source_builds``) carries: both sdists built into site, the
    consumer linked the build env's copy, and no binary keeps a path into it (the
    buildtree scenario's same check is the negative)."""
    builds = {build["sdist"].split("-")[0]: build for build in recorded_builds(scenario_layout)}
    assert set(builds) == {"libfoo", "pyfoo"}, builds
    (consumer,) = builds["pyfoo"]["binaries"]
    assert consumer["binary"].startswith("site:pyfoo/_pyfoo") and consumer["rpaths"] == []
    assert builds["pyfoo"]["linked_against"] == ["build-env:libfoo/lib/libfoo.so.1"]
    assert all(b["dangling"] == [] for build in builds.values() for b in build["binaries"])
