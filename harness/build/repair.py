"""Repair a built wheel the way each platform's tool does it, leaving producers' libraries out.

One function per platform, chosen by :func:`harness.platforms.current`:

- Linux: ``auditwheel repair --exclude <SONAME>`` (also gives the manylinux tag);
- macOS: ``delocate-wheel --exclude <install name tail>`` (a substring-of-path match);
- Windows: ``delvewheel repair --no-dll <a.dll;b.dll>``.

``excludes`` are library file names (``libfoo.so.1``, ``libfoo.1.dylib``, ``foo.dll``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from harness import platforms
from harness.build import process

RepairCommand = Callable[[Path, Path, Sequence[str]], list[str]]


def linux_command(wheel: Path, out_dir: Path, excludes: Sequence[str]) -> list[str]:
    command = [sys.executable, "-m", "auditwheel", "repair", "-w", str(out_dir)]
    for name in excludes:
        command += ["--exclude", name]
    return [*command, str(wheel)]


def macos_command(wheel: Path, out_dir: Path, excludes: Sequence[str]) -> list[str]:
    command = [sys.executable, "-m", "delocate.cmd.delocate_wheel", "-w", str(out_dir), "-v"]
    for name in excludes:
        command += ["--exclude", name]
    return [*command, str(wheel)]


def windows_command(wheel: Path, out_dir: Path, excludes: Sequence[str]) -> list[str]:
    command = [sys.executable, "-m", "delvewheel", "repair", "-w", str(out_dir)]
    if excludes:
        command += ["--no-dll", ";".join(excludes)]
    return [*command, str(wheel)]


COMMANDS: dict[platforms.OSName, RepairCommand] = {
    "linux": linux_command,
    "macos": macos_command,
    "windows": windows_command,
}


def repair(
    wheel: Path,
    out_dir: Path,
    excludes: Sequence[str],
    log: Path,
    *,
    platform: platforms.Platform | None = None,
    env: Mapping[str, str] | None = None,
) -> Path:
    """Repair ``wheel`` into ``out_dir`` (empty or new) and return the repaired wheel."""
    chosen = platform or platforms.current()
    out_dir.mkdir(parents=True, exist_ok=True)
    command = COMMANDS[chosen.name](wheel, out_dir, excludes)
    process.run(f"repair ({command[2]})", command, log, env=env)
    repaired = sorted(out_dir.glob("*.whl"))
    if len(repaired) != 1:
        raise RuntimeError(f"repairing {wheel.name} left {len(repaired)} wheels in {out_dir}")
    return repaired[0]
