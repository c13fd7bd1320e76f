"""Two processes creating the same conda prefix at once both succeed and leave a sound cache."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness import project
from harness.conda import channel as local_channel
from harness.conda import cpython, prefix
from harness.conda.template import MARKER
from harness.workdir import WorkDir

pytestmark = pytest.mark.slow


def _seed_python_packages(source: WorkDir, target: WorkDir, interpreter: Path) -> None:
    """Reuse the session's python and pip packages (the slow part); libfoo, the
    channel and the template are raced for real."""
    install = cpython.inspect(interpreter)
    for package in local_channel.build_packages(source, install, prefix.default_libfoo_source()):
        entry = package.parent.parent  # <packages>/<key>/<subdir>/<file>
        if entry.name.startswith(("python-", "pip-")):
            shutil.copytree(
                entry, target.cache / "conda" / "pkgs" / entry.name, copy_function=os.link
            )


def test_concurrent_runs_do_not_corrupt_the_cache(
    conda_workdir: WorkDir, interpreter: Path, tmp_path: Path
) -> None:
    fresh = WorkDir(tmp_path / "work")
    _seed_python_packages(conda_workdir, fresh, interpreter)
    root = project.root(Path(__file__).parent)
    env = {**os.environ, "PYTHONPATH": str(root), "HARNESS_CONDA_BACKEND": "rattler"}
    env.pop(local_channel.SHARED_PACKAGES_VAR, None)  # the runs race in their own work dir
    argv = [sys.executable, "-m", "harness.cli", "--workdir", str(fresh.root), "conda", "prefix"]
    spec = ["--python", "current", "--package", "libfoo 1.*"]
    runs = [
        subprocess.Popen(
            [*argv, str(tmp_path / f"env{i}"), *spec],
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in (1, 2)
    ]
    outputs = [run.communicate(timeout=600) for run in runs]
    for run, (out, err) in zip(runs, outputs):
        assert run.returncode == 0, err
        assert json.loads(out)["packages"][0].startswith("libfoo-1.0-")

    channels = list((fresh.cache / "conda" / "channels").iterdir())
    assert len(channels) == 1
    local_channel.verify_channel(channels[0])
    templates = list(fresh.envs.iterdir())
    assert len(templates) == 1 and (templates[0] / MARKER).is_file()
    left = [p.name for p in fresh.tmp.iterdir() if not p.name.endswith(".lock")]
    assert left == [], "a losing run left its scratch directory behind"
    for i in (1, 2):
        python = tmp_path / f"env{i}" / "bin" / "python"
        done = subprocess.run(
            [str(python), "-c", "import sys, ssl; print(sys.prefix)"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert Path(done.stdout.strip()) == tmp_path / f"env{i}"
