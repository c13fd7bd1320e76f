"""Run one build step with its output appended to the item's log file."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

TAIL_LINES = 40


class StepFailedError(RuntimeError):
    """A build, repair or install command exited non-zero."""

    def __init__(self, what: str, command: Sequence[str], returncode: int, log: Path) -> None:
        self.what = what
        self.command = list(command)
        self.returncode = returncode
        self.log = log
        super().__init__(f"{what} failed (exit {returncode}): {' '.join(self.command)}")


def run(
    what: str,
    command: Sequence[str],
    log: Path,
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> None:
    """Run ``command``; stdout and stderr go to ``log``; raise :class:`StepFailedError` on failure."""
    merged = dict(os.environ)
    if env:
        merged.update(env)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a", encoding="utf-8") as stream:
        stream.write(f"\n$ {' '.join(command)}\n")
        stream.flush()
        result = subprocess.run(
            list(command),
            cwd=cwd,
            env=merged,
            stdout=stream,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    if result.returncode != 0:
        raise StepFailedError(what, command, result.returncode, log)


def tail(log: Path, lines: int = TAIL_LINES) -> str:
    """The last ``lines`` lines of a log file (empty when it does not exist)."""
    if not log.is_file():
        return ""
    return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
