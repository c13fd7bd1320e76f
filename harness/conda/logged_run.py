"""Run a build or install tool with its output appended to a log file."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from harness.conda.errors import CondaError


def run_logged(
    args: Sequence[str], log: Path, *, env: Mapping[str, str] | None = None, timeout: float = 600
) -> None:
    """Run ``args`` with stdout and stderr appended to ``log``; a failure names the log."""
    with log.open("a") as handle:
        handle.write("$ " + " ".join(args) + "\n")
        handle.flush()
        result = subprocess.run(
            list(args),
            stdout=handle,
            stderr=subprocess.STDOUT,
            env=env,
            check=False,
            timeout=timeout,
        )
    if result.returncode != 0:
        raise CondaError(f"`{' '.join(args)}` failed (exit {result.returncode}); log: {log}")
