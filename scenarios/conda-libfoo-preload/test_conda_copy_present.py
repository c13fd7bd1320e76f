"""The conda copy this scenario wins against is really in the prefix.

Without it the scenario would pass just as well in a prefix without conda's libfoo
(conda-wheels-only): conda installed libfoo 1.0 (its conda-meta record lists the
file), the file is in conda-lib, and no copy of libfoo was loaded from there.
"""

from __future__ import annotations

from harness.scenarios.cell_runner import CellEnvironment
from harness.scenarios.conda_checks import assert_conda_copy_installed_not_loaded
from harness.scenarios.observed import Observed


def test_conda_libfoo_is_installed_but_not_loaded(
    scenario_environment: CellEnvironment, scenario_observed: Observed
) -> None:
    assert_conda_copy_installed_not_loaded(scenario_environment, scenario_observed)
