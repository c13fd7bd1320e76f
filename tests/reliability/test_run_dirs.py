"""Each run's cells are its own and live as long as a process of the run lives (point 1).

Real processes and real locks: a run held by a live process keeps its cells when
another run starts; once that process is killed (SIGKILL, no cleanup of its own),
the next run removes them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from reliability_testlib import harness_env

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
