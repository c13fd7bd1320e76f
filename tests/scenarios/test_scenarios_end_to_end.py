"""End to end with real wheels, real layouts and the real probe: a copied scenario with
false expectations fails (with the expectation/evidence diff), the original passes.

Also the negative control's own control: no-soname with the SONAME'd libfoo installed
instead must fail, because then the import works.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness import platforms

PROJECT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        platforms.current().name != "linux",
        reason="the copied scenarios state Linux loader messages",
    ),
]


def _copy(root: Path, source: str, name: str, *replacements: tuple[str, str]) -> None:
    shutil.copytree(PROJECT / "scenarios" / source, root / name)
    path = root / name / "scenario.toml"
    text = path.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def test_false_expectations_fail_and_true_ones_pass(tmp_path: Path) -> None:
    root = tmp_path / "scenarios"
    root.mkdir()
    _copy(root, "venv-basic", "venv-basic")
    _copy(
        root, "venv-basic", "venv-basic-false",
        ('identity = "libfoo 1.0 wheel"', 'identity = "libfoo 1.0 system"'),
    )  # fmt: skip
    _copy(root, "no-soname", "no-soname")
    _copy(root, "no-soname", "no-soname-with-soname", ('"libfoo-nosoname"', '"libfoo"'))
    reports = tmp_path / "reports"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(PROJECT)
    result = subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", "--scenarios", str(root), "--installer", "uv",
         "--", "--harness-reports", str(reports), "-p", "no:cacheprovider"],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=1500, check=False,
    )  # fmt: skip
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    statuses = {
        c["scenario"]: c["status"]
        for c in json.loads((reports / "report.json").read_text())["cells"]
    }
    assert statuses == {
        "venv-basic": "passed",
        "venv-basic-false": "failed",
        "no-soname": "passed",
        "no-soname-with-soname": "failed",
    }, out
    # the diff names the expectation and what the evidence showed, with location labels
    assert "FAIL  library libfoo: identity (foo_identity)" in out
    assert "- expected: 'libfoo 1.0 system'" in out
    assert "+ evidence: site:libfoo/lib/libfoo.so.1 -> 'libfoo 1.0 wheel'" in out
    # with a SONAME the preload satisfies the extension: the expected loader error is absent
    assert "FAIL  step import (import pyfoo)" in out
    assert "+ evidence: ok, value None" in out
