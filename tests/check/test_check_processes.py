"""No process started in a cell outlives the cell, and a hung cell says what hung.

A wheel written here forks at import a child that calls ``setsid`` and forks again: the
grandchild sleeps for an hour, its parent gone, in a session of its own, holding the
probe's standard output. After ``harness check`` (sandboxed and not) and ``harness run``
return, no process whose command line or working directory lies in the work dir is alive.
The negative control runs the same code with a plain ``subprocess.run`` (the way probes
ran before) and finds the orphan alive.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from check_testlib import FORK_SLEEPER, wheel_of_files

from harness import platforms, processes, sandbox
from harness.cli import main
from harness.workdir import RUN_ID_VAR, new_run_id

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(platforms.current().name != "linux", reason="the checks read /proc (Linux)"),
]

PROJECT = Path(__file__).resolve().parents[2]

HANG = """
import os, threading, time

if os.fork() == 0:
    time.sleep(3600)
    os._exit(0)
open("hangs-started", "w").close()  # in the cell directory: the sleeper exists now
_lock = threading.Lock()
_lock.acquire()
_lock.acquire()  # waits for ever, in a futex
"""


def left_in(directory: Path) -> list[str]:
    """Live processes whose command line or working directory lies in ``directory``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            cwd = str((entry / "cwd").readlink())
        except OSError:
            continue
        if str(directory) in cmdline or cwd == str(directory) or cwd.startswith(f"{directory}/"):
            found.append(f"{entry.name}: {cmdline[:200]} (cwd {cwd})")
    return found


def _kill(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (OSError, ChildProcessError):
            pass


def _modes() -> list[str]:
    return ["on", "off"] if sandbox.availability()[0] is not None else ["off"]


def _check(workdir: Path, family: Path, *args: str) -> tuple[int, dict[str, Any]]:
    reports = workdir.parent / "reports"
    status = main(
        [
            "--workdir",
            str(workdir),
            "check",
            str(family),
            "--layout",
            "venv",
            "--import",
            "pyfoo._pyfoo",
            *args,
            "--report-dir",
            str(reports),
        ]
    )
    (cell,) = json.loads((reports / "report.json").read_text())["cells"]
    return status, cell


def test_a_setsid_grandchild_of_the_probe_does_not_outlive_check(
    tmp_path: Path, family_dir: Callable[..., Path]
) -> None:
    family = family_dir("libfoo", "pyfoo")
    wheel_of_files(family, "forker", {"forker/__init__.py": FORK_SLEEPER})
    for mode in _modes():
        workdir = tmp_path / mode / "work"
        status, cell = _check(workdir, family, "--import", "forker", "--sandbox", mode)
        assert status == 0 and cell["status"] == "passed", cell
        assert cell["sandboxed"] is (mode == "on")
        assert left_in(workdir) == [], mode
        if mode == "off":  # the verdict names what the package left (the harness killed it)
            (left,) = cell["left_processes"]
            assert "(started by the package): state S (sleeping)" in left, left
        else:  # the sandbox's PID namespace ended it with the probe, unseen
            assert cell["left_processes"] == []


def _run_scenario_of(
    tmp_path: Path, name: str, source: str, *options: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """``harness run`` (its own process) of a scenario dir whose one scenario ``name``
    installs a wheel of that name with ``source`` as its package and imports it."""
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    wheel = wheel_of_files(wheels, name, {f"{name}/__init__.py": source})
    scenario = tmp_path / "scenarios" / f"{name}-at-import" / "scenario.toml"
    scenario.parent.mkdir(parents=True)
    scenario.write_text(
        f'schema = 1\ndescription = "The package {name} at import."\n'
        'platforms = ["linux"]\nlayouts = ["venv"]\ninstallers = ["uv"]\n'
        f'[wheels]\n{name} = "{wheel}"\n'
        f'[[install]]\nlocation = "site"\nwheels = ["{name}"]\n'
        f'[[steps]]\nid = "import"\nimport = "{name}"\n',
        encoding="utf-8",
    )
    workdir = tmp_path / "work"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", RUN_ID_VAR)}
    command = [sys.executable, "-m", "harness.cli", "--workdir", str(workdir), "run"]
    command += ["--scenarios", str(tmp_path / "scenarios"), "-n", "0", *options]
    done = subprocess.run(
        [*command, f"{name}-at-import"],
        cwd=PROJECT,
        env={**env, "PYTHONPATH": str(PROJECT)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return done, workdir


def test_a_setsid_grandchild_does_not_outlive_harness_run(tmp_path: Path) -> None:
    """``harness run`` (its own process) of a scenario installing the forking wheel."""
    done, workdir = _run_scenario_of(tmp_path, "forker", FORK_SLEEPER)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "1 passed" in done.stdout
    assert left_in(workdir) == []


def test_harness_run_probe_timeout_bounds_a_hung_cell(tmp_path: Path) -> None:
    """``harness run --probe-timeout 3`` of a package that hangs at import: the cell is an
    error of kind timeout after 3 s (not the 120 s default) listing the hung probe, and
    nothing is left; the report's cause says so."""
    done, workdir = _run_scenario_of(tmp_path, "hangs", HANG, "--probe-timeout", "3")
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    (cell,) = json.loads((workdir / "reports" / "report.json").read_text())["cells"]
    assert cell["status"] == "error", cell
    cause = cell["cause"]
    assert cause["kind"] == "timeout" and "did not finish in 3 s" in cause["what"], cause
    (probe,) = [line for line in cause["details"] if "(probe)" in line]
    assert "wchan futex" in probe, cause["details"]
    assert left_in(workdir) == []


def test_negative_control_a_plain_subprocess_leaves_the_orphan(tmp_path: Path) -> None:
    """The mechanism: the same forking code run by ``subprocess.run`` leaves the sleeper
    alive; run by :func:`processes.run_contained`, nothing is left."""
    code = FORK_SLEEPER
    plain = tmp_path / "plain"
    plain.mkdir()
    # stdout to a file: with a pipe, run() itself would wait for the sleeper's EOF
    with (plain / "out").open("w") as out:
        subprocess.run([sys.executable, "-c", code], cwd=plain, stdout=out, check=True)
    orphans = left_in(plain)
    try:
        assert len(orphans) == 1, orphans
    finally:
        _kill([int(line.split(":")[0]) for line in orphans])

    contained = tmp_path / "contained"
    contained.mkdir()
    done = processes.run_contained(
        [sys.executable, "-c", code], env=dict(os.environ), cwd=contained, timeout=60
    )
    assert done.returncode == 0
    assert left_in(contained) == []


def test_a_hung_probe_lists_its_processes_and_leaves_none(
    tmp_path: Path, family_dir: Callable[..., Path]
) -> None:
    """A package that hangs at import in a futex, after forking a sleeper: the cell is a
    timeout whose cause lists both processes with state and wait channel; the control
    (the same family without the hang) passes."""
    family = family_dir("libfoo", "pyfoo")
    wheel_of_files(family, "hangs", {"hangs/__init__.py": HANG})
    for mode in _modes():
        workdir = tmp_path / mode / "work"
        status, cell = _check(
            workdir, family, "--import", "hangs", "--probe-timeout", "3", "--sandbox", mode
        )
        assert status == 1 and cell["status"] == "error", cell
        cause = cell["cause"]
        assert cause["kind"] == "timeout" and "did not finish in 3 s" in cause["what"]
        tree = [line for line in cause["details"] if line.startswith("at the timeout: ")]
        (probe,) = [line for line in tree if "(probe)" in line]
        assert "state S (sleeping), wchan futex" in probe, tree
        assert "1 thread:" in probe
        (child,) = [line for line in tree if "(started by the package)" in line]
        assert "state S (sleeping)" in child
        assert len([line for line in tree if "(sandbox)" in line]) == (2 if mode == "on" else 0)
        assert left_in(workdir) == []
    # control: the family without the hanging wheel
    (family / "hangs-1.0-py3-none-any.whl").unlink()
    status, cell = _check(tmp_path / "control" / "work", family, "--probe-timeout", "120")
    assert status == 0 and cell["status"] == "passed", cell


def test_four_concurrent_checks_of_a_forking_family_on_one_work_dir(
    tmp_path: Path, family_dir: Callable[..., Path]
) -> None:
    """Four ``harness check`` processes at once on one work dir, the package forking a
    setsid helper at import: every cell passes, none times out, nothing is left
    (docs/benchmarks.md has the numbers of 5 such rounds)."""
    family = family_dir("libfoo", "pyfoo")
    wheel_of_files(family, "forker", {"forker/__init__.py": FORK_SLEEPER})
    workdir = tmp_path / "work"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    # one inherited run id for all four (as from a CI step or a scenario's test): each
    # check still makes a run of its own (it shared cell directories once)
    env[RUN_ID_VAR] = new_run_id()
    results: list[subprocess.CompletedProcess[str]] = []

    def one(index: int) -> None:
        results.append(
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "harness.cli",
                    "--workdir",
                    str(workdir),
                    "check",
                    str(family),
                    "--import",
                    "pyfoo._pyfoo",
                    "--import",
                    "forker",
                    "--probe-timeout",
                    "300",
                    "--report-dir",
                    str(tmp_path / f"r{index}"),
                ],
                cwd=PROJECT,
                env={**env, "PYTHONPATH": str(PROJECT)},
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )
        )

    threads = [threading.Thread(target=one, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for done in results:
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for index in range(4):
        cells = json.loads((tmp_path / f"r{index}" / "report.json").read_text())["cells"]
        assert len(cells) == 5 and {c["status"] for c in cells} == {"passed"}
    assert left_in(workdir) == []


def _in_cells(workdir: Path) -> list[int]:
    """Processes whose working directory lies in the work dir's cells (the probe's tree)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cwd = str((entry / "cwd").readlink())
        except (OSError, ValueError):
            continue
        if cwd.startswith(f"{workdir}/cells/"):
            found.append(int(entry.name))
    return found


def _wait_or_show_where_it_hangs(harness: subprocess.Popen[bytes], stderr: Path) -> None:
    """Wait for the stopped harness; if it does not end, fail with every thread's Python
    stack (faulthandler, on SIGABRT) and the kernel's wait channel of each."""
    try:
        harness.wait(timeout=120)
    except subprocess.TimeoutExpired:
        tasks = Path(f"/proc/{harness.pid}/task")
        channels = {t.name: (t / "wchan").read_text() for t in tasks.iterdir()}
        harness.send_signal(signal.SIGABRT)
        harness.wait()
        pytest.fail(
            f"still running 120 s after the signal; threads {channels}\n{stderr.read_text()}"
        )


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGKILL"])
def test_a_stopped_harness_leaves_no_probe_process(
    tmp_path: Path, family_dir: Callable[..., Path], signal_name: str
) -> None:
    """``harness check`` stopped while a probe hangs (after forking a sleeper): SIGTERM
    kills every probe's tree before the harness exits; SIGKILL leaves it to the kernel,
    which only the sandbox's PID namespace (bwrap --die-with-parent) ends whole."""
    if signal_name == "SIGKILL" and sandbox.availability()[0] is None:
        pytest.skip(f"after SIGKILL only the sandbox ends the tree: {sandbox.availability()[1]}")
    modes = _modes() if signal_name == "SIGTERM" else ["on"]
    family = family_dir("libfoo", "pyfoo")
    wheel_of_files(family, "hangs", {"hangs/__init__.py": HANG})
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", RUN_ID_VAR)}
    for mode in modes:
        workdir = tmp_path / mode / "work"
        stderr = (tmp_path / f"{mode}.stderr").open("wb")
        harness = subprocess.Popen(
            [sys.executable, "-m", "harness.cli", "--workdir", str(workdir), "check",
             str(family), "--import", "pyfoo._pyfoo", "--import", "hangs", "--layout", "venv",
             "--sandbox", mode, "--probe-timeout", "600",
             "--report-dir", str(tmp_path / mode / "reports")],
            cwd=PROJECT, env={**env, "PYTHONPATH": str(PROJECT), "PYTHONFAULTHANDLER": "1"},
            stdout=subprocess.DEVNULL, stderr=stderr,
        )  # fmt: skip
        stderr.close()  # the harness has its own copy
        try:
            deadline = time.monotonic() + 300
            while not [*(workdir / "cells").rglob("hangs-started")] and time.monotonic() < deadline:
                time.sleep(0.1)  # the probe hangs, the sleeper it forked runs
            assert [*(workdir / "cells").rglob("hangs-started")], "the probe never started"
            harness.send_signal(getattr(signal, signal_name))
            _wait_or_show_where_it_hangs(harness, tmp_path / f"{mode}.stderr")
            deadline = time.monotonic() + 30  # SIGKILL: the kernel ends the namespace
            while _in_cells(workdir) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert left_in(workdir) == [], (mode, signal_name)
        finally:
            harness.kill()
            harness.wait()
