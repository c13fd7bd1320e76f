"""The conda copy this scenario wins against is really in the prefix.

Without it the scenario would pass just as well in a prefix without conda's libfoo
(conda-wheels-only), so the check makes the "wheel's copy wins" claim meaningful:
conda installed libfoo 1.0 (its conda-meta record lists the file) and the file is in
conda-lib, unloaded.
"""

from __future__ import annotations

import json

from harness.scenarios.observed import Observed
from harness.scenarios.runner import CellEnvironment


def test_conda_libfoo_is_installed_but_not_loaded(
    scenario_environment: CellEnvironment, scenario_observed: Observed
) -> None:
    conda_lib = scenario_environment.layout.locations["conda-lib"]
    records = [
        json.loads(path.read_text())
        for path in (conda_lib.parent / "conda-meta").glob("libfoo-*.json")
    ]
    assert [(r["name"], r["version"]) for r in records] == [("libfoo", "1.0")]
    assert "lib/libfoo.so.1" in records[0]["files"]
    assert (conda_lib / "libfoo.so.1").is_file()
    assert all(c.label != "conda-lib" for c in scenario_observed.copies_of("libfoo"))
