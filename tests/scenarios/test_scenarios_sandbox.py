"""The project's own scenarios give the same loader evidence inside the sandbox and outside.

A selection covering every Python layout kind the sandbox must bind differently (a venv,
a ``--target`` directory, the user site, a base copy of the interpreter whose standard
library is linked from elsewhere, a zip on ``sys.path``, a conda prefix) runs with
``harness run --sandbox on`` and ``--sandbox off``: each cell's status, libraries and
expectations (with the run's own cell directory masked) are equal, and the report says
which ran sandboxed. The editable meson-python scenarios are the known exception
(``test_an_editable_rebuild_at_import_cannot_write_sandboxed``): their import rebuilds the
project in a directory outside the cell, which the sandbox keeps read-only.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from harness import platforms, sandbox

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(platforms.current().name != "linux", reason="the sandbox is Linux's"),
]

PROJECT = Path(__file__).resolve().parents[2]
SCENARIOS = [
    "rpath-consumer-split",
    "split-producer-target",
    "user-site",
    "base-venv",
    "zip-producer",
    "vendored-copy",
    "rtld-local-isolation",
    "producer-broken",
    "conda-libfoo-preload",
]
_CELL_DIR = re.compile(r"/cells/run-[^/]+/[^/]+/[^/@]+(@gw\d+)?/")


def _run(tmp_path: Path, mode: str, *names: str) -> dict[tuple[str, str, str], dict[str, Any]]:
    chosen, reason = sandbox.availability()
    if chosen is None:
        pytest.skip(f"no sandbox here: {reason}")
    reports = tmp_path / mode
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(PROJECT)
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", "--sandbox", mode, "-n", "0", *names,
         "--", "--harness-reports", str(reports), "-p", "no:cacheprovider"],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=1500, check=False,
    )  # fmt: skip
    assert (reports / "report.json").is_file(), done.stdout[-3000:] + done.stderr[-3000:]
    cells = json.loads((reports / "report.json").read_text())["cells"]
    return {(c["scenario"], c["layout"], c["installer"]): c for c in cells}


def _evidence(cell: dict[str, Any]) -> str:
    facts = [cell["status"], cell["libraries"], cell["expectations"]]
    return _CELL_DIR.sub("/<cell>/", json.dumps(facts, sort_keys=True))


def test_existing_scenarios_give_the_same_evidence_both_ways(tmp_path: Path) -> None:
    inside = _run(tmp_path, "on", *SCENARIOS)
    outside = _run(tmp_path, "off", *SCENARIOS)
    assert inside.keys() == outside.keys()
    ran = [key for key, cell in outside.items() if cell["status"] in ("passed", "failed")]
    assert len(ran) >= len(SCENARIOS), outside  # skips (no conda here) are not the point
    for key in ran:
        assert inside[key]["sandboxed"] and not outside[key]["sandboxed"], key
        assert _evidence(inside[key]) == _evidence(outside[key]), key
    assert {outside[key]["status"] for key in ran} == {"passed"}


def test_an_editable_rebuild_at_import_cannot_write_sandboxed(tmp_path: Path) -> None:
    """The documented exception, and why the project's scenarios run unsandboxed by
    default: meson-python's editable hook rebuilds in the template's build directory."""
    inside = _run(tmp_path, "on", "editable-meson-flat")
    outside = _run(tmp_path, "off", "editable-meson-flat")
    for key, cell in inside.items():
        assert cell["status"] == "failed", key
        errors = [e["evidence"] for e in cell["expectations"] if not e["ok"]]
        assert any("Read-only file system" in text and "meson-logs" in text for text in errors)
        assert outside[key]["status"] == "passed", key  # the control
