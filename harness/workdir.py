"""The run's work directory: the only place the harness writes to.

Default ``.harness/`` at the project root (or the current directory), overridable
with ``--workdir`` or ``HARNESS_WORKDIR``. Subdirectories have fixed roles so that
caches survive between runs and cells never share state by accident.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from harness.usage import UsageError

fcntl: ModuleType | None
if sys.platform == "win32":  # pragma: no cover - Windows
    fcntl = None
else:
    import fcntl

ENV_VAR = "HARNESS_WORKDIR"


def default_root() -> Path:
    """``$HARNESS_WORKDIR`` or ``./.harness``."""
    configured = os.environ.get(ENV_VAR)
    return Path(configured).resolve() if configured else (Path.cwd() / ".harness").resolve()


class WorkDirError(UsageError):
    """The work directory cannot be made (a usage fault: one line, exit 2)."""


def check_usable(root: Path) -> None:
    """Raise :class:`WorkDirError` unless ``root`` is a directory or can be made as one.

    Creates nothing: a command that then stops on a usage fault leaves no empty work dir
    behind. A work dir that exists is left to the run: a read-only or full one is a host
    fault each cell's cause names, with its path (the caches it holds may still serve).
    """
    root = root.absolute()
    fix = f"pass --workdir DIR or set ${ENV_VAR} to a directory you can write"
    if root.is_dir():
        return
    existing = root
    while not existing.exists():
        if existing.is_symlink():  # a dangling link: mkdir would fail on it
            raise WorkDirError(f"work dir {root}: {existing} is a dangling symlink; {fix}")
        existing = existing.parent
    if not existing.is_dir():
        raise WorkDirError(f"work dir {root}: {existing} is not a directory; {fix}")
    try:  # a real try (os.access says yes to root on /proc or a read-only mount)
        Path(tempfile.mkdtemp(prefix=".harness-probe-", dir=existing)).rmdir()
    except OSError as error:
        where = "" if existing == root else f" in its nearest existing parent {existing}"
        raise WorkDirError(
            f"work dir {root} cannot be made: no directory can be created{where} "
            f"({error.strerror}); {fix}"
        ) from None


class WorkDir:
    """Named subdirectories of one work directory."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = (root or default_root()).resolve()

    def _sub(self, *parts: str) -> Path:
        path = self.root.joinpath(*parts)
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def cache(self) -> Path:
        """Content-addressed build products (wheels, system prefixes, conda channel)."""
        return self._sub("cache")

    @property
    def wheelhouse(self) -> Path:
        """Built, repaired wheels, one subdirectory per interpreter tag."""
        return self._sub("wheelhouse")

    @property
    def envs(self) -> Path:
        """Template environments reused by cells that do not mutate them."""
        return self._sub("envs")

    @property
    def cells(self) -> Path:
        """One directory per run (:class:`Run`), one fresh directory per cell in it."""
        return self._sub("cells")

    @property
    def reports(self) -> Path:
        """Markdown, HTML and JSON reports of the latest run, and ``<run id>/`` per run."""
        return self._sub("reports")

    @property
    def logs(self) -> Path:
        """Full build and install logs."""
        return self._sub("logs")

    @property
    def tmp(self) -> Path:
        """Scratch space for atomic writes (same filesystem as the caches)."""
        return self._sub("tmp")


@contextmanager
def atomic_directory(final: Path, scratch_parent: Path) -> Iterator[Path]:
    """Yield a scratch directory that becomes ``final`` only if the block succeeds.

    Another process that finished first wins; ours is discarded. An interrupted
    block leaves only a scratch directory under ``scratch_parent``, never a
    half-written ``final``.
    """
    scratch = Path(tempfile.mkdtemp(prefix=final.name + ".", dir=scratch_parent))
    try:
        yield scratch
        final.parent.mkdir(parents=True, exist_ok=True)
        try:
            scratch.replace(final)
        except OSError:
            if not final.is_dir():
                raise
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)


RUN_ID_VAR = "HARNESS_RUN_ID"
"""The id of the run this process belongs to (set by the run's controller for its
pytest-xdist workers)."""
_RUN_ID_RE = re.compile(r"^run-\d{8}-\d{6}-\d+-[0-9a-f]{4}$")
KEEP_RUN_REPORTS = 20
"""Per-run report directories kept under ``reports/`` (the oldest go first)."""


def new_run_id() -> str:
    """Sortable by start time, unique across processes and machines sharing a work dir."""
    return f"run-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{secrets.token_hex(2)}"


class Run:
    """One ``harness run``'s own directories: ``cells/<run id>/`` and ``reports/<run id>/``.

    Two runs on one work dir (two terminals, two CI steps) never touch each other's
    cells. Every process of a run holds a shared lock on ``cells/<run id>.lock`` while it
    uses the cells; a run that starts removes the cells of runs nobody holds any more
    (finished with failures, or killed), so cells never pile up. The caches (wheels,
    templates, conda) are shared: they are published atomically.
    """

    def __init__(self, workdir: WorkDir, run_id: str) -> None:
        if not _RUN_ID_RE.match(run_id):
            raise ValueError(f"${RUN_ID_VAR}={run_id!r} is not a run id ({new_run_id()!r})")
        self.workdir = workdir
        self.id = run_id
        self._lock_fd: int | None = None
        self._taking = threading.Lock()  # cells run on threads: one descriptor, none leaked

    @classmethod
    def new(cls, workdir: WorkDir) -> Run:
        """A new run, its id exported for the processes it starts (nothing written yet)."""
        run = cls(workdir, new_run_id())
        os.environ[RUN_ID_VAR] = run.id
        return run

    @classmethod
    def current(cls, workdir: WorkDir) -> Run:
        """The run named by ``$HARNESS_RUN_ID`` (an xdist worker's), else a new one."""
        run_id = os.environ.get(RUN_ID_VAR, "")
        return cls(workdir, run_id) if _RUN_ID_RE.match(run_id) else cls.new(workdir)

    @property
    def cells(self) -> Path:
        """``cells/<run id>``. On first use this process removes the cells of dead runs
        and holds a shared lock on this run's lock file until it ends."""
        with self._taking:
            if self._lock_fd is None:
                sweep_dead_runs(self.workdir, keep=self.id)
                self._lock_fd = _hold(self.workdir.cells / f"{self.id}.lock", exclusive=False)
        return self.workdir._sub("cells", self.id)

    @property
    def reports(self) -> Path:
        """``reports/<run id>``: this run's report, never overwritten by another run."""
        return self.workdir._sub("reports", self.id)

    def finish(self, *, keep_cells: bool) -> None:
        """End of the run: remove its cells unless kept for inspection (a failed cell);
        kept cells go when a later run starts and finds this one gone."""
        cells = self.workdir.root / "cells" / self.id
        if not keep_cells:
            shutil.rmtree(cells, ignore_errors=True)
            (self.workdir.root / "cells" / f"{self.id}.lock").unlink(missing_ok=True)
        with self._taking:
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None

    def prune_reports(self, keep: int = KEEP_RUN_REPORTS) -> None:
        """Keep the newest ``keep`` per-run report directories."""
        runs = sorted(p for p in self.workdir.reports.iterdir() if _RUN_ID_RE.match(p.name))
        for old in runs[:-keep] if keep else runs:
            if old.name != self.id:
                shutil.rmtree(old, ignore_errors=True)


def sweep_dead_runs(workdir: WorkDir, keep: str = "") -> list[str]:
    """Remove the cells of runs (other than ``keep``) no live process holds; their ids."""
    if fcntl is None:  # pragma: no cover - Windows: no shared locks; cells stay
        return []
    removed: list[str] = []
    root = workdir.cells
    ids = {p.name.removesuffix(".lock") for p in root.iterdir()}
    for run_id in sorted(i for i in ids if _RUN_ID_RE.match(i) and i != keep):
        lock = root / f"{run_id}.lock"
        try:
            fd = _hold(lock, exclusive=True, wait=False)
        except BlockingIOError:
            continue  # a live run
        try:
            shutil.rmtree(root / run_id, ignore_errors=True)
            lock.unlink(missing_ok=True)
            removed.append(run_id)
        finally:
            os.close(fd)
    return removed


def _hold(lock: Path, *, exclusive: bool, wait: bool = True) -> int:
    """An open descriptor holding a lock on ``lock`` (created if needed), checked to be the
    file that is at that path now (a sweeper may unlink it between open and lock)."""
    while True:
        lock.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        if fcntl is None:  # pragma: no cover - Windows
            return fd
        try:
            mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
            fcntl.flock(fd, mode if wait else mode | fcntl.LOCK_NB)
            if os.fstat(fd).st_ino == lock.stat().st_ino:
                return fd
        except FileNotFoundError:
            pass
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # the file was replaced meanwhile: lock the new one


def publish_latest(paths: dict[str, Path], directory: Path) -> dict[str, Path]:
    """Copy a run's report files to ``directory`` (the "latest report" the README names),
    each replaced atomically so a reader never sees half of one."""
    directory.mkdir(parents=True, exist_ok=True)
    published: dict[str, Path] = {}
    for kind, source in paths.items():
        final = directory / source.name
        scratch = directory / f".{source.name}.{os.getpid()}.{secrets.token_hex(2)}"
        try:
            shutil.copyfile(source, scratch)
            scratch.replace(final)
        finally:
            scratch.unlink(missing_ok=True)
        published[kind] = final
    return published
