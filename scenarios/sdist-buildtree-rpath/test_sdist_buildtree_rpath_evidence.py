"""Why the import fails: the extension's only RUNPATH entry is the isolated build
environment's libfoo directory, deleted after the build (the same entry SLI014 reports)."""

from __future__ import annotations

import pytest

from harness.envs.layout import Layout
from harness.inspect.build_env import in_build_env
from harness.scenarios.source_evidence import check_clean_build, recorded_builds, source_build


def test_runpath_points_into_the_vanished_build_env(scenario_layout: Layout) -> None:
    build = source_build(scenario_layout, "pyfoo_buildtree")
    assert len(build.rpaths) == 1, build
    (entry,) = build.rpaths
    assert in_build_env(entry) and entry.endswith("/site-packages/libfoo/lib"), build
    assert entry in build.dangling, build
    assert build.linked_against == (f"{entry}/libfoo.so.1",), build


def test_the_clean_build_check_fails_on_this_build(scenario_layout: Layout) -> None:
    """Negative control of the other sdist scenarios' check: it rejects this binary."""
    with pytest.raises(AssertionError, match="rpaths="):
        check_clean_build(scenario_layout, "pyfoo_buildtree", linked_from=None)


def test_the_verdict_names_the_dangling_runpath(scenario_layout: Layout) -> None:
    """What the cell's verdict (``source_builds``) carries: the build env's entry, by its
    place inside that environment, as the RUNPATH and as a dangling path."""
    (build,) = recorded_builds(scenario_layout)
    assert build["sdist"].startswith("pyfoo_buildtree-") and build["location"] == "site"
    (binary,) = build["binaries"]
    assert binary["binary"].startswith("site:pyfoo_buildtree/_pyfoo")
    assert binary["rpaths"] == ["build-env:libfoo/lib"] == binary["dangling"], binary
    assert build["linked_against"] == ["build-env:libfoo/lib/libfoo.so.1"], build
