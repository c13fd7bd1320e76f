"""Helpers of the reliability tests: start the real ``harness`` program, watch its
processes through ``/proc``, wait for a state on disk."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def harness_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(PROJECT)
    env.update(extra)
    return env


def start_harness(
    args: Sequence[str], *, env: dict[str, str] | None = None, log: Path
) -> subprocess.Popen[bytes]:
    """``python -m harness.cli ARGS`` as its own process group, output into ``log``."""
    with log.open("wb") as stream:
        return subprocess.Popen(
            [sys.executable, "-m", "harness.cli", *args],
            cwd=PROJECT,
            env=env or harness_env(),
            stdout=stream,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def wait_for(what: str, condition: Callable[[], object], timeout: float = 300) -> object:
    """Poll ``condition`` until it returns something true; fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, ppid) of ``pid`` from /proc, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[1])


def alive(pid: int) -> bool:
    """Running (not gone, not a zombie waiting to be reaped)."""
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def children(pid: int) -> list[int]:
    """Live direct children of ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None and stat[1] == pid and stat[0] not in ("Z", "X"):
                found.append(int(entry.name))
    return found


def processes_mentioning(text: str) -> list[int]:
    """Live processes whose command line or environment mentions ``text``."""
    found = []
    needle = text.encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            blob = (entry / "cmdline").read_bytes() + (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in blob and alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def tree(root: Path) -> list[str]:
    """Every path under ``root``, relative (empty when ``root`` is missing)."""
    found: list[str] = []
    for directory, dirs, files in os.walk(root):  # tolerates a tree changing meanwhile
        base = Path(directory).relative_to(root)
        found += [str(base / name) for name in (*dirs, *files)]
    return sorted(found)
