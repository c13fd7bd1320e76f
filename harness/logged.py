"""Run one external command with its output in a log file: the one runner the builder,
the conda side and the layouts share.

A failure raises :class:`CommandFailedError`, which names the step, the command, the
exit status and the log, and carries the log's tail; each caller wraps it in its own
error type (``StepFailedError``, ``CondaError``, ``LayoutError``) with its context.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

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
        done = subprocess.run(
            list(command),
            cwd=cwd,
            env=merged,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
        )
        output, status = done.stdout, f"exit status {done.returncode}"
        failed = done.returncode != 0
    except subprocess.TimeoutExpired as exc:
        partial = exc.stdout if isinstance(exc.stdout, str) else os.fsdecode(exc.stdout or b"")
        output, status, failed = partial, f"timed out after {timeout:g} s", True
    except OSError as exc:
        output, status, failed = f"{type(exc).__name__}: {exc}\n", "could not run", True
    took = time.monotonic() - started
    with log.open("a", encoding="utf-8") as stream:
        stream.write(f"$ {printable}\n{output}# {status}, {took:.2f} s\n")
    if failed:
        raise CommandFailedError(what, command, status, log)
    return output


def tail(log: Path, lines: int = TAIL_LINES) -> list[str]:
    """The last ``lines`` lines of a log file (none when it does not exist)."""
    if not log.is_file():
        return []
    return log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
