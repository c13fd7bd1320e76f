"""Start a cell's probe so that no process it starts outlives it, and say what hung.

Every probe process gets a token in its environment (``HARNESS_CELL_TOKEN``) that its
descendants inherit, also after ``setsid`` or a double fork. Where the sandbox runs it
(:mod:`harness.sandbox`), its PID namespace ends every process with the probe. Without
it, on Linux, the harness is a child subreaper (``PR_SET_CHILD_SUBREAPER``), so orphans
become its children instead of init's, and after the probe ends a sweep kills every child
that carries the probe's token. The probe's output goes to files, not pipes: a left-over
child holding a pipe would make the harness wait out the whole timeout for an EOF.
"""

from __future__ import annotations

import contextlib
import math
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from harness import dies_with_parent
from harness.sandbox import Sandbox

TOKEN_VAR = "HARNESS_CELL_TOKEN"
PROC = Path("/proc")


@dataclass(frozen=True)
class ProcessInfo:
    """One process of a probe's tree, as ``/proc`` showed it."""

    pid: int
    cmdline: str
    state: str
    wchan: str
    threads: int
    role: str
    """``probe`` (the probe's interpreter), ``sandbox`` (bwrap) or ``started by the
    package`` (anything the probe's code started)."""

    def line(self) -> str:
        return (
            f"pid {self.pid} ({self.role}): state {self.state}, wchan {self.wchan or '-'}, "
            f"{self.threads} thread{'s' if self.threads != 1 else ''}: {self.cmdline[:160]}"
        )


class Finished(subprocess.CompletedProcess[str]):
    """A process that ended, with what it had started and left running (killed since)."""

    left: tuple[ProcessInfo, ...] = ()


class ProbeTimeoutError(subprocess.TimeoutExpired):
    """The probe did not end in time; carries its process tree at that moment."""

    def __init__(
        self, cmd: Sequence[str], timeout: float, output: str, stderr: str, tree: list[ProcessInfo]
    ) -> None:
        super().__init__(list(cmd), timeout, output, stderr)
        self.tree = tree


# --- the harness as subreaper (its children die with it: harness.dies_with_parent) -

_PR_SET_CHILD_SUBREAPER = 36
_subreaper = False
_lock = threading.Lock()


def _become_subreaper() -> bool:
    """Make this process the reaper of its orphaned descendants (Linux; once)."""
    global _subreaper  # noqa: PLW0603 - a process-wide property
    with _lock:
        if not _subreaper and dies_with_parent.PRCTL is not None:
            _subreaper = dies_with_parent.PRCTL(_PR_SET_CHILD_SUBREAPER, 1) == 0
        return _subreaper


# --- /proc -----------------------------------------------------------------------------


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode(errors="replace")
    except OSError:
        return ""


def _parent_of(pid: int) -> int | None:
    stat = _read(PROC / str(pid) / "stat")
    try:
        return int(stat[stat.rindex(")") + 2 :].split()[1])
    except (ValueError, IndexError):
        return None


def descendants(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (Linux ``/proc``; none known elsewhere)."""
    if not PROC.is_dir():
        return []
    parents: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            ppid = _parent_of(int(entry.name))
            if ppid is not None:
                parents.setdefault(ppid, []).append(int(entry.name))
    found: list[int] = []
    pending = [pid]
    while pending:
        for child in parents.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


def _children_of_self() -> list[int]:
    """This process's children, from every thread's ``children`` file (Linux)."""
    found: list[int] = []
    for task in (PROC / "self" / "task").glob("*"):
        found += [int(word) for word in _read(task / "children").split()]
    return found


def _all_pids() -> list[int]:
    return [int(entry.name) for entry in PROC.iterdir() if entry.name.isdigit()]


def _has_token(pid: int, token: str) -> bool:
    return f"{TOKEN_VAR}={token}".encode() in _environ(pid)


def _environ(pid: int) -> bytes:
    try:
        return (PROC / str(pid) / "environ").read_bytes()
    except OSError:
        return b""


def _marked(token: str, roots: Sequence[int]) -> list[int]:
    """The live processes of one probe: ``roots`` and their descendants, and the orphans
    (now this process's children) that carry ``token``, with their descendants. None
    known without ``/proc`` (macOS, Windows: there the probe's process group is killed)."""
    if not PROC.is_dir():
        return []
    candidates = _children_of_self() if _subreaper else _all_pids()
    tops = [*roots, *(pid for pid in candidates if _has_token(pid, token))]
    found: list[int] = []
    for pid in dict.fromkeys(tops):
        if (PROC / str(pid)).is_dir():
            found += [pid, *descendants(pid)]
    return list(dict.fromkeys(found))


def snapshot(token: str, roots: Sequence[int], *, probe_alive: bool = True) -> list[ProcessInfo]:
    """The probe's process tree now: command line, state, wait channel, threads, role
    (after the probe ended, everything left was started by the package)."""
    pids = _marked(token, roots)
    started: dict[int, int] = {}
    for pid in pids:
        stat = _read(PROC / str(pid) / "stat")
        with contextlib.suppress(ValueError, IndexError):
            started[pid] = int(stat[stat.rindex(")") + 2 :].split()[19])
    tree: list[ProcessInfo] = []
    probe_seen = not probe_alive
    for pid in sorted(pids, key=lambda p: started.get(p, 0)):
        cmdline = _read(PROC / str(pid) / "cmdline").replace("\0", " ").strip()
        status = dict(
            line.split(":\t", 1)
            for line in _read(PROC / str(pid) / "status").splitlines()
            if ":\t" in line
        )
        if cmdline.split(" ", 1)[0].endswith("bwrap"):
            role = "sandbox"
        elif not probe_seen:
            role, probe_seen = "probe", True
        else:
            role = "started by the package"
        tree.append(
            ProcessInfo(
                pid=pid,
                cmdline=cmdline or f"[{status.get('Name', '?')}]",
                state=status.get("State", "?"),
                wchan=_wchan(pid),
                threads=int(status.get("Threads", "0") or 0),
                role=role,
            )
        )
    return tree


def _wchan(pid: int) -> str:
    """The kernel function the process sleeps in (``futex_wait_queue``...), or empty."""
    wchan = _read(PROC / str(pid) / "wchan").strip()
    return "" if wchan == "0" else wchan


def _kill(pids: Sequence[int], roots: Sequence[int]) -> None:
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    for pid in pids:  # orphans re-parented to this subreaper: reap them, no zombies left
        # (a root is a Popen's own child: its Popen reaps it)
        if pid not in roots and _parent_of(pid) == os.getpid():
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, 0)


def sweep(token: str, roots: Sequence[int] = ()) -> list[int]:
    """Kill every process left of one probe (see :func:`_marked`); their pids."""
    if not PROC.is_dir():
        return []
    killed: list[int] = []
    for _ in range(5):  # a process forking right now: its new child is found next pass
        pids = [pid for pid in _marked(token, roots) if pid not in killed]
        if not pids:
            break
        _kill(pids, roots)
        killed += pids
    return killed


# --- running a probe -------------------------------------------------------------------

_LONGEST_POLL = 24 * 3600.0  # seconds; poll's int milliseconds overflow for huge timeouts
_NAMESPACE_END_SECONDS = 5.0


def _exit_seen(pid: int, timeout: float) -> bool | None:
    """Whether ``pid`` exits within ``timeout``, told by a pidfd (Linux 5.3,
    ``os.pidfd_open``) that becomes readable the moment it does; ``None`` where no pidfd
    can be had (another OS, an older kernel, a seccomp filter refusing it, ``pid`` gone)."""
    pidfd_open = getattr(os, "pidfd_open", None)
    if pidfd_open is None:
        return None
    try:
        pidfd = pidfd_open(pid)
    except OSError:
        return None
    deadline = time.monotonic() + timeout
    try:
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        while True:
            remaining = max(0.0, deadline - time.monotonic())
            if poller.poll(math.ceil(min(remaining, _LONGEST_POLL) * 1000)):
                return True
            if time.monotonic() >= deadline:
                return False
    finally:
        os.close(pidfd)


def wait_for_exit(process: subprocess.Popen[bytes], timeout: float) -> int:
    """``process.wait(timeout=timeout)``, woken by the exit itself on Linux.

    On POSIX, ``Popen.wait`` with a timeout polls, sleeping 1, 2, 4 ... up to 50 ms in
    between (CPython 3.9-3.14; 3.15 waits on a pidfd itself, python/cpython#144047): a
    probe that ends after 65 ms is seen to end at 114 ms, and a worker of the matrix
    idles that long in every cell. Where :func:`_exit_seen` has no pidfd, the stdlib's
    wait (macOS could use kqueue; nothing here can run it).
    """
    seen = _exit_seen(process.pid, timeout)
    if seen is None:
        return process.wait(timeout=timeout)
    if not seen:
        raise subprocess.TimeoutExpired(process.args, timeout)
    return process.wait()  # exited: this only reaps it


def _await_namespace_end(token: str) -> None:
    """Let a sandbox's PID namespace finish ending before anything is called left.

    The outer bwrap exits as soon as its init inside reports the command's status; that
    init, now this subreaper's child, is still killing the namespace's processes, which
    die with it. Wait (briefly) for it and reap it, so they are not reported as left
    behind; an init that does not end in time is reported and swept like the rest."""
    if not _subreaper:
        return
    for pid in _marked(token, []):
        command = _read(PROC / str(pid) / "cmdline").split("\0", 1)[0]
        if command.endswith("bwrap") and _parent_of(pid) == os.getpid():
            _reap(pid, _NAMESPACE_END_SECONDS)


def _reap(pid: int, timeout: float) -> None:
    """Wait up to ``timeout`` for this process's child ``pid`` to exit, and reap it
    (only where a pidfd bounds the wait)."""
    if _exit_seen(pid, timeout):
        with contextlib.suppress(ChildProcessError):  # reaped meanwhile by a stop's sweep
            os.waitpid(pid, 0)


_running: dict[str, subprocess.Popen[bytes]] = {}
_stopping = threading.Event()


def run_contained(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path,
    timeout: float,
    sandbox: Sandbox | None = None,
    readable: Sequence[Path] = (),
) -> Finished:
    """Run ``argv`` in ``cwd``; when it ends (or times out: :class:`ProbeTimeoutError`),
    nothing it started is left running (:attr:`Finished.left` lists what was). With ``sandbox``, inside it (``readable`` are the
    paths it may read besides the system's)."""
    if _stopping.is_set():
        raise OSError("not started: the harness is stopping")
    token = uuid.uuid4().hex
    full_env = {**env, TOKEN_VAR: token}
    command = list(argv)
    if sandbox is not None:
        full_env = sandbox.environment(full_env)
        command = sandbox.wrap(argv, cwd=cwd, readable=readable)
    _become_subreaper()
    args, preexec = dies_with_parent.popen_args(command, full_env)
    with tempfile.TemporaryFile(dir=cwd) as out, tempfile.TemporaryFile(dir=cwd) as err:
        process = subprocess.Popen(
            args,
            cwd=cwd,
            env=full_env,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            start_new_session=sys.platform != "win32",
            preexec_fn=preexec,  # noqa: PLW1509 - only prctl, no Python state
        )
        _running[token] = process
        try:
            try:
                returncode = wait_for_exit(process, timeout)
                if sandbox is not None:
                    _await_namespace_end(token)
                left = snapshot(token, [], probe_alive=False)
            except subprocess.TimeoutExpired:
                tree = snapshot(token, [process.pid])
                sweep(token, [process.pid])
                process.kill()
                process.wait()
                raise ProbeTimeoutError(command, timeout, _text(out), _text(err), tree) from None
        finally:
            sweep(token, [process.pid] if process.returncode is None else [])
            if process.returncode is None:
                process.kill()
                process.wait()
            with contextlib.suppress(OSError):  # the process group, where no /proc
                if sys.platform != "win32" and not PROC.is_dir():
                    os.killpg(process.pid, signal.SIGKILL)
            _running.pop(token, None)
        finished = Finished(command, returncode, _text(out), _text(err))
        finished.left = tuple(left)
        return finished


def _text(stream: IO[bytes]) -> str:
    stream.seek(0)
    return stream.read().decode(errors="replace")


def stop_all() -> None:
    """Kill every running probe with everything it started, and refuse new ones (the
    harness is stopping)."""
    _stopping.set()
    for token, process in list(_running.items()):
        sweep(token, [process.pid])
