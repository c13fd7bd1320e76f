"""Failure mode 17: fork() while another thread is inside load() must not hang the child.

A thread enters ``load()`` and stays there: the library's ``default`` path callable runs
under the loader's lock and waits for an event. The main thread forks meanwhile; the
child, which has only the forking thread, loads a real gcc-built library through the
same loader or another producer's. The child
reports through its exit status; the parent waits for it with a generous guard, only so
a hang ends the test instead of blocking it, and kills it past the guard.

The control is the old design, the same lock without the at-fork reset (the module
imported with ``os.register_at_fork`` disabled): the child inherits the lock held by a
thread that does not exist in it, and its ``load()`` blocks until it is killed: past a
one-second guard the parent finds it asleep on a futex (``/proc/<pid>/stat`` and
``wchan``), the deadlock itself rather than a slow load.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from loader_testlib import LINUX_ONLY, build_dep, evidence, run_python

pytestmark = LINUX_ONLY

FORK = """
import threading, time, warnings
warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: fork() in a threaded process
dep_path, slow_path, design, which = sys.argv[1:5]
guard = float(sys.argv[5])
if design == "without-at-fork-reset":
    os.register_at_fork = lambda **hooks: None
from shared_lib_manager import LibraryLoader, PlatformLibrary

inside, release = threading.Event(), threading.Event()

def slow_default():
    inside.set()  # called by load() with the loader's lock held
    release.wait()
    return slow_path

slow = LibraryLoader(
    {"libslow": PlatformLibrary(default=slow_default), "libdep": PlatformLibrary(Linux=dep_path)}
)
loader = slow if which == "same-loader" else LibraryLoader(
    {"libdep": PlatformLibrary(Linux=dep_path)}
)
holder = threading.Thread(target=slow.load, args=(["libslow"],))
holder.start()
inside.wait()
read_end, write_end = os.pipe()
pid = os.fork()
if pid == 0:
    start = time.perf_counter()
    record = loader.load(["libdep"])["libdep"]
    os.write(write_end, repr(time.perf_counter() - start).encode())
    os._exit(0 if (record.path, record.source) == (dep_path, "wheel") else 3)
os.close(write_end)
deadline = time.monotonic() + guard
while True:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done or time.monotonic() > deadline:
        break
    time.sleep(0.01)
child_state = child_waits_in = None
if not done:  # where the child is: runnable, or asleep in the kernel, and on what
    with open(f"/proc/{pid}/stat") as stat:
        child_state = stat.read().rpartition(")")[2].split()[0]
    with open(f"/proc/{pid}/wchan") as wchan:
        child_waits_in = wchan.read()
    os.kill(pid, 9)
    os.waitpid(pid, 0)
reported = os.read(read_end, 100).decode()
release.set()
holder.join()
emit(hung=not done, exit_code=os.waitstatus_to_exitcode(status) if done else None,
     child_load_seconds=float(reported) if reported else None,
     child_state=child_state, child_waits_in=child_waits_in,
     parent_still_works=sorted(slow.load(["libslow"])) == ["libslow"],
     dep_copies=mapped("libdep"))
"""


def _run(tmp_path: Path, design: str, which: str, guard: float) -> dict[str, object]:
    dep = build_dep(tmp_path / "wheel", "wheel")
    slow = build_dep(tmp_path / "slow", "slow", file_name="libslow.so.1", soname="libslow.so.1")
    argv = [str(dep), str(slow), design, which, str(guard)]
    return evidence(run_python(f"sys.argv[1:] = {argv!r}" + FORK))


# The child loads through the loader the thread is inside, or through another producer's.
WHICH = pytest.mark.parametrize("which", ["same-loader", "another-loader"])


@WHICH
def test_child_of_a_fork_during_a_load_can_load(tmp_path: Path, which: str) -> None:
    seen = _run(tmp_path, "with-at-fork-reset", which, guard=60.0)

    assert seen["hung"] is False, "the child's load() blocked on the inherited lock"
    assert seen["exit_code"] == 0, "the child loaded the wheel's file"
    assert isinstance(seen["child_load_seconds"], float)
    assert seen["parent_still_works"] is True
    assert seen["dep_copies"] == [], "the parent never loaded libdep; only the child did"


@WHICH
def test_control_without_the_at_fork_reset_the_child_hangs(tmp_path: Path, which: str) -> None:
    # A deadlock never ends: past a guard of many loads (milliseconds each) the child is
    # asleep in the kernel on a futex (the inherited lock), not slow and running.
    seen = _run(tmp_path, "without-at-fork-reset", which, guard=1.0)

    assert seen["hung"] is True
    assert seen["child_state"] == "S", "asleep, not running"
    assert "futex" in str(seen["child_waits_in"]), seen["child_waits_in"]
    assert seen["child_load_seconds"] is None, "the child never got past load()"
    assert seen["parent_still_works"] is True
