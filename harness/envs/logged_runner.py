"""Running layout setup commands (venv creation, installs) with a log per command.

A failure raises :class:`LayoutError` naming the step, the location, the wheels, the
command and the log file, followed by the log's tail. Commands are counted by
:func:`harness.logged.commands_run`, so tests can prove that a reused layout installed
nothing.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path

from harness.envs.layout import LayoutError
from harness.logged import TAIL_LINES, CommandFailedError, run_logged


class LoggedRunner:
    """A :class:`harness.envs.layout.CommandRunner` writing ``NN-step.log`` files to ``log_dir``."""

    def __init__(
        self, log_dir: Path, cwd: Path, base_env: Mapping[str, str], timeout: float = 600
    ) -> None:
        self.log_dir = log_dir
        self.cwd = cwd
        self.base_env = dict(base_env)
        self.timeout = timeout
        self._serial = 0

    def _log_path(self, step: str) -> Path:
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
        try:
            return run_logged(
                step,
                argv,
                log,
                cwd=self.cwd,
                env={**self.base_env, **(env or {})},
                inherit_env=False,
                timeout=self.timeout,
            )
        except CommandFailedError as failed:
            tail = failed.tail(TAIL_LINES)
            where = f" into location {location!r}" if location else ""
            lines = [f"{step}{where} failed ({failed.status})"]
            if wheels:
                lines.append(f"  wheels: {', '.join(str(w) for w in wheels)}")
            lines += [f"  command: {shlex.join(argv)}", f"  full log: {log}"]
            lines.append(f"  last {len(tail)} lines of the log:")
            lines += [f"    {line}" for line in tail]
            raise LayoutError(
                "\n".join(lines), command=shlex.join(argv), log=log, tail=tail
            ) from None
