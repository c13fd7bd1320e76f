"""Which scenarios need a checkout of the harness's repository, and why.

A scenario directory of one's own runs with an installed harness anywhere when its
wheels come from ``[wheels]`` (docs/adding-a-scenario.md). What the catalogue builds
from ``wheels-src/`` needs the checkout (or, for wheels and prefixes, a prebuilt
wheelhouse in ``$HARNESS_WHEELHOUSE``): a catalogue wheel id or prefix, the
``${HARNESS_BUILT_WHEELS}`` directory, a native scenario's libraries, the local
channel's ``libfoo`` conda packages. ``harness run`` and ``harness list`` say so up front
instead of failing every cell.
"""

from __future__ import annotations

import os

from harness import project
from harness.scenarios.cell_runner import BUILT_WHEELS_VAR
from harness.scenarios.schema import Scenario
from harness.scenarios.wheel_builds import PREBUILT_WHEELHOUSE_VAR


def needs(scenario: Scenario) -> str | None:
    """What in ``scenario`` is built from the checkout (and no prebuilt wheelhouse gives), or
    None when it runs without one."""
    if scenario.is_native:
        return "a native scenario (its libraries are built from wheels-src/)"
    if scenario.conda_packages:
        return (
            f"conda package {scenario.conda_packages[0]!r} (the local channel builds it from "
            "wheels-src/)"
        )
    if os.environ.get(PREBUILT_WHEELHOUSE_VAR):
        return None
    for install in scenario.installs:
        for wheel_id in install.wheels:
            if wheel_id not in scenario.wheel_files:
                return f"catalogue wheel id {wheel_id!r} (not declared under [wheels])"
    if scenario.system is not None:
        return f"catalogue prefix {scenario.system.prefix!r} ([system] prefix)"
    if not os.environ.get(BUILT_WHEELS_VAR):
        for wheel_id, pattern in scenario.wheel_files.items():
            if f"${{{BUILT_WHEELS_VAR}}}" in pattern:
                return (
                    f"[wheels] {wheel_id} = {pattern!r} with ${BUILT_WHEELS_VAR} unset "
                    "(the catalogue's wheelhouse)"
                )
    return None


def problem(scenario: Scenario) -> str | None:
    """One line naming the scenario, what needs the checkout and the fix; None when the
    scenario can run here (a checkout is present, or it needs none)."""
    what = needs(scenario)
    if what is None or project.present():
        return None
    return (
        f"{scenario.path}: {what} needs a checkout of the harness's repository, and there is "
        f"none here: name the wheel files under [wheels] (e.g. built by `harness build` in a "
        f"checkout, with ${BUILT_WHEELS_VAR} set to that wheelhouse), or run in the checkout "
        f"(or set ${project.ENV_VAR}; a prebuilt wheelhouse: ${PREBUILT_WHEELHOUSE_VAR})"
    )
