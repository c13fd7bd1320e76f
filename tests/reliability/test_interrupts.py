"""Real signals against real builds (issue 11, point 6).

- SIGKILL of the harness alone: its children die with it (``PR_SET_PDEATHSIG``);
- SIGTERM of the harness alone, mid-build: it stops its children and their children,
  removes its scratch directories from ``<workdir>/tmp`` and exits 143;
- SIGKILL of the run's whole process group mid-CMake: the system temp directory holds no
  CMake build tree (builds get a temp directory inside the work directory).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reliability_testlib import (
    PROJECT,
    alive,
    children,
    harness_env,
    processes_mentioning,
    start_harness,
    tree,
    wait_for,
)

from harness import platforms

pytestmark = pytest.mark.skipif(
    platforms.current().name != "linux", reason="watches processes through Linux /proc"
)

DRIVER = """\
import sys
from pathlib import Path
from harness.logged import run_logged
run_logged("sleep", ["sleep", "300"], Path(sys.argv[1]))
"""


def test_children_die_with_a_killed_harness(tmp_path: Path) -> None:
    driver = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(tmp_path / "sleep.log")],
        cwd=PROJECT, env=harness_env(), start_new_session=True,
    )  # fmt: skip
    try:
        (child,) = wait_for("the logged child", lambda: children(driver.pid), timeout=60)  # type: ignore[misc]
        driver.kill()
        driver.wait()
        started = time.monotonic()
        while alive(child) and time.monotonic() - started < 5:
            time.sleep(0.01)
        took = time.monotonic() - started
        assert not alive(child), f"child {child} still runs {took:.1f} s after its parent died"
        print(f"child gone {took * 1000:.0f} ms after SIGKILL of the harness")
    finally:
        os.killpg(driver.pid, signal.SIGKILL)


def _scratch_present(workdir: Path) -> bool:
    return bool(tree(workdir / "tmp"))


@pytest.mark.slow
def test_sigterm_mid_build_cleans_scratch_and_children(tmp_path: Path) -> None:
    workdir = tmp_path / "work"
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    log = tmp_path / "harness.log"
    harness = start_harness(
        ["--workdir", str(workdir), "build", "--only", "libfoo"],
        env=harness_env(TMPDIR=str(system_tmp)),
        log=log,
    )
    try:
        wait_for("a running build command", lambda: children(harness.pid), timeout=300)
        wait_for("scratch directories", lambda: _scratch_present(workdir), timeout=60)
        harness.send_signal(signal.SIGTERM)
        status = harness.wait(timeout=120)
        output = log.read_text(errors="replace")
        assert status == 128 + signal.SIGTERM, output
        assert "stopped by SIGTERM" in output
        assert "Traceback" not in output, output
        wait_for(
            "no process of the build left",
            lambda: not processes_mentioning(str(workdir)),
            timeout=30,
        )
        assert tree(workdir / "tmp") == [], output
    finally:
        with_group_killed(harness.pid)


def with_group_killed(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def _cmake_trees(*roots: Path) -> list[Path]:
    """CMake caches under ``roots`` (os.walk: the tree changes while we look)."""
    found: list[Path] = []
    for root in roots:
        for directory, _, files in os.walk(root):
            found += [Path(directory) / name for name in files if name == "CMakeCache.txt"]
    return found


@pytest.mark.slow
def test_group_kill_leaves_no_cmake_tree_in_system_temp(tmp_path: Path) -> None:
    workdir = tmp_path / "work"
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    harness = start_harness(
        ["--workdir", str(workdir), "build", "--only", "libfoo"],
        env=harness_env(TMPDIR=str(system_tmp)),
        log=tmp_path / "harness.log",
    )
    try:
        wait_for("CMake configuring libfoo", lambda: _cmake_trees(workdir, system_tmp), timeout=300)
        os.killpg(harness.pid, signal.SIGKILL)
        harness.wait(timeout=60)
        wait_for("the group gone", lambda: not processes_mentioning(str(workdir)), timeout=30)
        assert _cmake_trees(system_tmp) == []
        assert tree(system_tmp) == []
    finally:
        with_group_killed(harness.pid)
