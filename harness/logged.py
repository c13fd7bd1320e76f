"""Run one external command with its output in a log file: the one runner the builder,
the conda side and the layouts share.

A failure raises :class:`CommandFailedError`, which names the step, the command, the
exit status and the log, and carries the log's tail; each caller wraps it in its own
error type (``StepFailedError``, ``CondaError``, ``LayoutError``) with its context.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from harness import dies_with_parent, processes

TAIL_LINES = 25

_count = 0
_count_lock = threading.Lock()


def commands_run() -> int:
    """How many logged commands this process has started (tests prove reuse with it)."""
    return _count


def _bump() -> None:
    global _count  # noqa: PLW0603 - a process-wide counter is the point
    with _count_lock:
        _count += 1


class CommandFailedError(RuntimeError):
    """A logged command exited non-zero, could not start, or timed out."""

    def __init__(self, what: str, command: Sequence[str], status: str, log: Path) -> None:
        self.what = what
        self.command = list(command)
        self.status = status
        self.log = log
        super().__init__(f"{what} failed ({status}): {shlex.join(self.command)}; log: {log}")

    @property
    def returncode(self) -> int | None:
        """The exit status, or None when the command could not run or timed out."""
        word = self.status.removeprefix("exit status ")
        return int(word) if word.lstrip("-").isdigit() else None

    def tail(self, lines: int = TAIL_LINES) -> list[str]:
        """The last ``lines`` lines of the log."""
        return tail(self.log, lines)


def run_logged(
    what: str,
    command: Sequence[str],
    log: Path,
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    inherit_env: bool = True,
    timeout: float = 1800,
) -> str:
    """Run ``command``, append ``$ command``, its output and its status to ``log``, and
    return the output.

    ``env`` is added to the inherited environment, or is the whole environment with
    ``inherit_env=False`` (layout setup commands run hermetically).
    """
    merged = {**os.environ, **(env or {})} if inherit_env else dict(env or {})
    log.parent.mkdir(parents=True, exist_ok=True)
    printable = shlex.join(command)
    _bump()
    started = time.monotonic()
    try:
        returncode, output = _run(command, cwd, merged, timeout)
        status, failed = f"exit status {returncode}", returncode != 0
    except subprocess.TimeoutExpired as exc:
        partial = exc.stdout if isinstance(exc.stdout, str) else os.fsdecode(exc.stdout or b"")
        output, status, failed = partial, f"timed out after {timeout:g} s", True
    except OSError as exc:
        output, status, failed = f"{type(exc).__name__}: {exc}\n", "could not run", True
    took = time.monotonic() - started
    if _stopping.is_set() and failed:
        status += f", stopped by {_stopping_reason}"
    with log.open("a", encoding="utf-8") as stream:
        stream.write(f"$ {printable}\n{output}# {status}, {took:.2f} s\n")
    if failed:
        raise CommandFailedError(what, command, status, log)
    return output


# --- child processes die with the harness -------------------------------------------

_children: set[subprocess.Popen[str]] = set()
_children_lock = threading.Lock()
_stopping = threading.Event()
_stopping_reason = ""


def _run(
    command: Sequence[str], cwd: Path | None, env: Mapping[str, str], timeout: float
) -> tuple[int, str]:
    """Start ``command`` as a child that dies with this process, wait for it, return
    its status and output; a stop (:func:`stop_children`) kills it and refuses new ones."""
    if _stopping.is_set():
        raise OSError(f"not started: the harness is stopping ({_stopping_reason})")
    args, preexec = dies_with_parent.popen_args(command, env)
    process = subprocess.Popen(
        args,
        cwd=cwd,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        errors="replace",
        preexec_fn=preexec,  # noqa: PLW1509 - only prctl, no Python state
    )
    with _children_lock:
        _children.add(process)
    try:
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            process.kill()
            partial, _ = process.communicate()
            exc.stdout = partial.encode()  # the type TimeoutExpired declares
            raise
        except BaseException:
            process.kill()
            process.wait()
            raise
    finally:
        with _children_lock:
            _children.discard(process)
    return process.returncode, output


def stop_children(reason: str) -> None:
    """Kill every running logged command and refuse new ones (the harness is stopping)."""
    global _stopping_reason  # noqa: PLW0603 - one process-wide stop
    _stopping_reason = reason
    _stopping.set()
    with _children_lock:
        running = list(_children)
    processes.stop_all()  # probes, with everything they started
    for process in running:
        # the child's own children first (uv's build backend, cmake, the compiler):
        # killing only the child would orphan them, still writing into the work dir
        for pid in [*processes.descendants(process.pid), process.pid]:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def stop_on_signals() -> None:
    """Turn SIGTERM (and SIGINT, SIGHUP) into: kill the children, then
    ``KeyboardInterrupt`` in the main thread, so every ``finally`` runs and scratch
    directories are removed instead of piling up (call once, from the main thread)."""

    def handler(signum: int, frame: object) -> None:
        stop_children(signal.Signals(signum).name)
        raise KeyboardInterrupt(signal.Signals(signum).name)

    for name in ("SIGTERM", "SIGINT", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            signal.signal(number, handler)


_POLL_SECONDS = 0.02
_T = TypeVar("_T")


def wait_for_jobs(pool: ThreadPoolExecutor, futures: Iterable[Future[_T]]) -> None:
    """Wait until every job of ``pool`` has ended, also when a stop signal interrupts
    the wait, then re-raise the stop.

    A stopping harness kills running commands and refuses new ones (:func:`stop_children`),
    so the jobs end at once; waiting lets them remove their scratch directories while
    the interpreter is still whole, instead of dying half-way at its exit.

    The wait polls the futures rather than joining the pool's threads: before CPython 3.13
    a ``Thread.join`` interrupted by the signal's exception marks the still running
    thread as stopped, so a second join returns at once and the interpreter exits under
    the job (it left a scratch directory behind once in CI).
    """
    pending = list(futures)
    interrupted: BaseException | None = None
    while True:
        try:
            if interrupted is not None:
                pool.shutdown(wait=False, cancel_futures=True)
            while not all(future.done() for future in pending):
                time.sleep(_POLL_SECONDS)
            break
        except KeyboardInterrupt as stop:
            interrupted = stop
    pool.shutdown(wait=False)
    if interrupted is not None:
        raise interrupted


def tail(log: Path, lines: int = TAIL_LINES) -> list[str]:
    """The last ``lines`` lines of a log file (none when it does not exist)."""
    if not log.is_file():
        return []
    return log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
