"""Each run's cells are its own and live as long as a process of the run lives (point 1).

Real processes and real locks: a run held by a live process keeps its cells when
another run starts; once that process is killed (SIGKILL, no cleanup of its own),
the next run removes them.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from reliability_testlib import harness_env

from harness import workdir as workdir_module
from harness.workdir import Run, WorkDir, sweep_dead_runs

HOLDER = """\
import sys, time
from pathlib import Path
from harness.workdir import Run, WorkDir
run = Run.new(WorkDir(Path(sys.argv[1])))
(run.cells / "layout").mkdir()
print(run.id, flush=True)
time.sleep(300)
"""


def test_live_run_is_kept_and_killed_run_is_swept(tmp_path: Path) -> None:
    workdir = WorkDir(tmp_path / "work")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(workdir.root)],
        env=harness_env(), stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        held = holder.stdout.readline().strip()
        mine = Run.new(workdir)
        assert mine.id != held
        assert mine.cells != workdir.cells / held
        assert (workdir.cells / held / "layout").is_dir()  # another live run: kept
        assert sweep_dead_runs(workdir, keep=mine.id) == []
        holder.kill()
        holder.wait()
        assert sweep_dead_runs(workdir, keep=mine.id) == [held]
        assert not (workdir.cells / held).exists()
        assert not (workdir.cells / f"{held}.lock").exists()
        assert mine.cells.is_dir()  # our own run is never swept
        mine.finish(keep_cells=False)
        assert sorted(p.name for p in workdir.cells.iterdir()) == []
    finally:
        holder.kill()


def _descriptors_on(path: Path) -> list[str]:
    """This process's open descriptors on ``path`` (read from /proc/self/fd)."""
    found = []
    for fd in Path("/proc/self/fd").iterdir():
        try:
            if Path(fd.readlink()) == path:
                found.append(fd.name)
        except OSError:
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads /proc/self/fd (Linux)")
@pytest.mark.parametrize("serialised", [True, False], ids=["locked", "control-unlocked"])
def test_cells_taken_by_many_threads_leave_no_descriptor_after_finish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, serialised: bool
) -> None:
    """``harness check`` runs its cells on threads that all ask for ``run.cells`` first.
    The first use takes the run's lock; the window between "no lock yet" and "lock taken"
    is widened here (the sweep sleeps) so every thread is inside it at once. Each thread
    taking its own descriptor leaked all but one, held open for as long as an in-process
    caller lived (a read-only remount of the work dir then failed "busy"). The control
    takes away the run's own mutual exclusion and sees the leak the platform predicts."""
    workdir = WorkDir(tmp_path / "work")
    real_sweep = workdir_module.sweep_dead_runs

    def slow_sweep(*args: Any, **kwargs: Any) -> list[str]:
        time.sleep(0.2)
        return real_sweep(*args, **kwargs)

    monkeypatch.setattr(workdir_module, "sweep_dead_runs", slow_sweep)
    run = Run.new(workdir)
    if not serialised:
        run._taking = contextlib.nullcontext()  # type: ignore[assignment]
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda _: run.cells, range(6)))
    lock = (workdir.cells / f"{run.id}.lock").resolve()
    run.finish(keep_cells=True)
    left = _descriptors_on(lock)
    if serialised:
        assert left == []
    else:
        assert len(left) == 5, left  # six threads took one each; finish closed the last
        for fd in left:
            os.close(int(fd))
