"""Running layout setup commands (venv creation, installs) with a log per command.

A failure raises :class:`LayoutError` naming the step, the location, the wheels, the
command and the log file, followed by the log's tail. Every command run is counted
(:func:`commands_run`) so tests can prove that a reused layout installed nothing.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from harness.envs.base import LayoutError

TAIL_LINES = 25

_count = 0
_count_lock = threading.Lock()


def commands_run() -> int:
    """How many setup commands this process has started (installs, venv creation)."""
    return _count


def _bump() -> None:
    global _count  # noqa: PLW0603 - a process-wide counter is the point
    with _count_lock:
        _count += 1


class LoggedRunner:
    """A :class:`harness.envs.base.CommandRunner` writing ``NN-step.log`` files to ``log_dir``."""

    def __init__(
        self, log_dir: Path, cwd: Path, base_env: Mapping[str, str], timeout: float = 600
    ) -> None:
        self.log_dir = log_dir
        self.cwd = cwd
        self.base_env = dict(base_env)
        self.timeout = timeout
        self._serial = 0

    def _log_path(self, step: str) -> Path:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._serial += 1
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", step).strip("-") or "step"
        return self.log_dir / f"{self._serial:02d}-{slug}.log"

    def __call__(
        self,
        argv: Sequence[str],
        *,
        step: str,
        env: Mapping[str, str] | None = None,
        location: str | None = None,
        wheels: Sequence[Path] = (),
    ) -> str:
        log = self._log_path(step)
        command = shlex.join(argv)
        _bump()
        started = time.monotonic()
        try:
            done = subprocess.run(
                list(argv),
                env={**self.base_env, **(env or {})},
                cwd=self.cwd,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=self.timeout,
                check=False,
            )
            output, status = done.stdout, f"exit status {done.returncode}"
            failed = done.returncode != 0
        except (OSError, subprocess.TimeoutExpired) as exc:
            output, status, failed = f"{type(exc).__name__}: {exc}\n", "could not run", True
        took = time.monotonic() - started
        log.write_text(f"$ {command}\n{output}# {status}, {took:.2f} s\n", encoding="utf-8")
        if failed:
            raise LayoutError(
                _failure_message(
                    step=step,
                    location=location,
                    wheels=wheels,
                    command=command,
                    log=log,
                    status=status,
                    output=output,
                )
            )
        return output


def _failure_message(
    *,
    step: str,
    location: str | None,
    wheels: Sequence[Path],
    command: str,
    log: Path,
    status: str,
    output: str,
) -> str:
    where = f" into location {location!r}" if location else ""
    what = ", ".join(str(w) for w in wheels)
    lines = [f"{step}{where} failed ({status})"]
    if what:
        lines.append(f"  wheels: {what}")
    lines += [f"  command: {command}", f"  full log: {log}"]
    tail = output.rstrip().splitlines()[-TAIL_LINES:]
    lines.append(f"  last {len(tail)} lines of the log:")
    lines += [f"    {line}" for line in tail]
    return "\n".join(lines)
