"""Checks that scenario ``test_*.py`` files in conda scenarios share.

A scenario claiming "the wheel's copy wins over conda's" proves nothing unless
conda's copy was really there to lose; this module holds that check once.
"""

from __future__ import annotations

import json
from pathlib import Path

from harness import platforms
from harness.conda import conda_paths
from harness.scenarios.cell_runner import CellEnvironment
from harness.scenarios.observed import Observed


def assert_conda_copy_installed_not_loaded(
    environment: CellEnvironment, observed: Observed, *, version: str = "1.0", major: int = 1
) -> None:
    """conda installed libfoo ``version`` (record + file in conda-lib) and no copy of it loaded."""
    platform = platforms.current()
    prefix = Path(environment.layout.env["CONDA_PREFIX"])
    records = [
        json.loads(path.read_text(encoding="utf-8"))
        for path in (prefix / "conda-meta").glob("libfoo-*.json")
    ]
    assert [(r["name"], r["version"]) for r in records] == [("libfoo", version)], records
    relpath = conda_paths.library_relpath(platform, "foo", major)
    assert relpath in records[0]["files"], records[0]["files"]
    conda_lib = environment.layout.location("conda-lib")
    assert (conda_lib / platform.library_file("foo", major)).is_file()
    loaded_from = [copy.label for copy in observed.copies_of("libfoo")]
    assert "conda-lib" not in loaded_from, loaded_from
