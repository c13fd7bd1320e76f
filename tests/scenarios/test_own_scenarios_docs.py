"""docs/adding-a-scenario.md, "Scenarios of your own": its scenario is valid and lists
outside a checkout (its CI job: tests/check/test_check_docs.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "adding-a-scenario.md"


def _block(kind: str) -> str:
    blocks = re.findall(rf"```{kind}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert len(blocks) == 1, f"docs/adding-a-scenario.md should hold one {kind} block"
    return str(blocks[0])


def _harness(words: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HARNESS_")}
    clean.update(HARNESS_WORKDIR=str(cwd / ".harness"), **env)
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", *words],
        cwd=cwd, env=clean, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_the_documented_scenario_lists_outside_a_checkout(tmp_path: Path) -> None:
    project = tmp_path / "my-project"
    scenario = project / "harness-scenarios" / "ext-in-target"
    scenario.mkdir(parents=True)
    (scenario / "scenario.toml").write_text(_block("toml"), encoding="utf-8")
    listed = _harness(["list", "--scenarios", "harness-scenarios", "--python", "3.12"], project)
    assert listed.returncode == 0, listed.stderr
    assert "ext-in-target[cp312-venv-uv]" in listed.stdout
    # control: the same scenario naming a catalogue wheel id is refused here, in one line
    text = _block("toml").replace('wheels = ["mylib"]', 'wheels = ["libfoo"]')
    (scenario / "scenario.toml").write_text(text, encoding="utf-8")
    refused = _harness(["run", "--scenarios", "harness-scenarios"], project, DIST=str(tmp_path))
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "catalogue wheel id 'libfoo'" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert not (project / ".harness").exists()
