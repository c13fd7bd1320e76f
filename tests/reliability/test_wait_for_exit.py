"""A probe's end is seen when it happens, not at the next of the stdlib's naps.

``processes.wait_for_exit`` waits on a pidfd (Linux): it returns the exit status, raises
``TimeoutExpired`` in time, and never sleeps to poll. The negative control is what the
probes used before, ``Popen.wait(timeout=...)``, which on CPython before 3.15 naps in a
loop (1, 2, 4 ... 50 ms) until it sees the process gone.

Seeing the end at once opened a window the naps had hidden: a sandbox's namespace still
ending when the probe's status arrives. The harness waits for it before it lists what
the probe left; the control, without that wait, lists the namespace's processes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pytest
from reliability_testlib import alive, wait_for

from harness import processes, sandbox

pytestmark = pytest.mark.skipif(
    not hasattr(os, "pidfd_open"), reason="no os.pidfd_open (Linux 5.3, Python 3.9)"
)

SLEEPER = [sys.executable, "-c", "import sys, time; time.sleep(0.3); sys.exit(7)"]


@pytest.fixture
def naps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every ``time.sleep`` the process makes while the test runs."""
    taken: list[float] = []
    real: Callable[[float], None] = time.sleep

    def counted(seconds: float) -> None:
        taken.append(seconds)
        real(seconds)

    monkeypatch.setattr(time, "sleep", counted)
    return taken


def test_the_exit_status_arrives_without_a_single_nap(naps: list[float]) -> None:
    process = subprocess.Popen(SLEEPER)
    assert processes.wait_for_exit(process, 60) == 7
    assert process.returncode == 7  # reaped: no zombie left
    assert naps == []


def test_a_process_still_running_at_the_timeout_raises_and_stays_waitable(
    naps: list[float],
) -> None:
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            processes.wait_for_exit(process, 0.2)
        assert process.poll() is None
        assert naps == []
    finally:
        process.kill()
        process.wait()


def test_a_process_gone_before_the_wait_is_seen_at_once(naps: list[float]) -> None:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    wait_for("the child to exit (not yet reaped)", lambda: not alive(process.pid), 60)
    naps.clear()
    assert processes.wait_for_exit(process, 60) == 0
    assert naps == []


@pytest.mark.skipif(sys.version_info >= (3, 15), reason="CPython 3.15 waits on a pidfd itself")
def test_negative_control_popen_wait_with_a_timeout_naps_until_it_sees_the_exit(
    naps: list[float],
) -> None:
    process = subprocess.Popen(SLEEPER)
    assert process.wait(timeout=60) == 7
    assert len(naps) >= 5  # 0.3 s of naps that double from 1 ms: at least 1+2+4+8+16 ms


# A stand-in for bwrap's two processes, the only part of the sandbox this is about: the
# outer process exits at once, leaving its child, named "bwrap" like the namespace's
# init, which ends the "namespace" (its own child, sleeping) 0.3 s later. Real bwrap
# leaves that window open for a moment only now and then (7 of 150 sandboxed probes
# under load reported their namespace's processes as left behind).
OUTER = """
import os, sys, time
if os.fork() == 0:
    os.execv(sys.executable, ["bwrap", "-c", sys.argv[1], sys.executable])
while not os.path.exists("inside"):  # the namespace has its process
    time.sleep(0.01)
"""
INIT = """
import os, signal, sys, time
child = os.fork()
if child == 0:  # says it is there once it runs as itself, not as a copy of the init
    sleeper = "open('inside', 'w').close(); import time; time.sleep(3600)"
    os.execv(sys.argv[1], [sys.argv[1], "-c", sleeper])  # named bwrap, this has no executable
while not os.path.exists("inside"):
    time.sleep(0.01)
time.sleep(0.3)  # the namespace still ending
os.kill(child, signal.SIGKILL)
os.waitpid(child, 0)
"""


class _AsIs(sandbox.Sandbox):
    """Runs the command unwrapped (the stand-in above plays bwrap)."""

    def wrap(self, argv: Sequence[str], *, cwd: Path, readable: Iterable[Path]) -> list[str]:
        return list(argv)


def _probe_with_a_namespace_ending(tmp_path: Path) -> processes.Finished:
    return processes.run_contained(
        [sys.executable, "-c", OUTER, INIT],
        env=dict(os.environ),
        cwd=tmp_path,
        timeout=60,
        sandbox=_AsIs("bwrap"),
    )


def test_a_sandboxs_namespace_ending_is_not_reported_as_left(tmp_path: Path) -> None:
    finished = _probe_with_a_namespace_ending(tmp_path)
    assert finished.returncode == 0
    assert finished.left == ()


def test_negative_control_without_the_wait_the_ending_namespace_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(processes, "_await_namespace_end", lambda token: None)
    finished = _probe_with_a_namespace_ending(tmp_path)
    roles = sorted(info.role for info in finished.left)
    assert roles == ["sandbox", "started by the package"], finished.left
