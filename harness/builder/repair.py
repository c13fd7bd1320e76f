"""Repair a built wheel the way each platform's tool does it, leaving producers' libraries out.

One function per platform, chosen by :func:`harness.platforms.current`:

- Linux: ``auditwheel repair --exclude <SONAME>`` (also gives the manylinux tag);
- macOS: ``delocate-wheel --exclude <install name tail>`` (a substring-of-path match);
- Windows: ``delvewheel repair --no-dll <a.dll;b.dll>``.

``excludes`` are library file names (``libfoo.so.1``, ``libfoo.1.dylib``, ``foo.dll``).

A library that is not excluded must be found at repair time: :func:`search_env` gives the
repair step the library directories of unpacked producer wheels (catalogue field
``repair_search``), the way a real build finds them in its build environment.
"""

from __future__ import annotations

import os
import re
import sys
import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from harness import platforms
from harness.logged import run_logged
from harness.platforms import prepend_path_list
from harness.vocabulary import OSName

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


_LIBRARY_FILE: dict[OSName, re.Pattern[str]] = {
    "linux": re.compile(r"lib[^/]+\.so(\.[0-9]+)*"),
    "macos": re.compile(r"[^/]+\.dylib"),
    "windows": re.compile(r"[^/]+\.dll", re.IGNORECASE),
}


def library_dirs(wheel: Path, destination: Path, platform: platforms.Platform) -> list[Path]:
    """Unpack ``wheel`` into ``destination``; the directories holding its shared libraries."""
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(destination)
    pattern = _LIBRARY_FILE[platform.name]
    found = {p.parent for p in destination.rglob("*") if p.is_file() and pattern.fullmatch(p.name)}
    if not found:
        raise RuntimeError(
            f"{wheel.name} ships no {platform.name} shared library for the repair tool to find; "
            "fix repair_search in harness/builder/catalogue.py"
        )
    return sorted(found)


def search_env(
    directories: Sequence[Path],
    platform: platforms.Platform,
    host: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """``host`` (default: this process's environment) with ``directories`` in front of the
    loader search variable the repair tools read (``LD_LIBRARY_PATH``, ``DYLD_LIBRARY_PATH``,
    ``PATH``)."""
    return prepend_path_list(
        os.environ if host is None else host,
        platform.library_search_var,
        [str(d) for d in directories],
        platform,
    )


RESOLVES_EXCLUDED: frozenset[OSName] = frozenset({"macos"})
"""Platforms whose repair tool must find even the libraries it is told to leave out.

delocate resolves every dependency (``@rpath/libfoo.1.dylib`` through the binary's
LC_RPATHs, then ``DYLD_LIBRARY_PATH``) before ``--exclude`` filters the resolved paths,
and fails with "Could not find all dependencies" on one it cannot find
(matthew-brett/delocate#207). A consumer without an RPATH names its producer only as
``@rpath/...``, so the builder puts the producers' library directories on
``DYLD_LIBRARY_PATH`` for the repair step (:func:`search_env`). auditwheel stops at an
excluded SONAME and delvewheel at a ``--no-dll`` name without looking for the file."""


COMMANDS: dict[OSName, RepairCommand] = {
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
    run_logged(f"repair ({command[2]})", command, log, env=env)
    repaired = sorted(out_dir.glob("*.whl"))
    if len(repaired) != 1:
        raise RuntimeError(f"repairing {wheel.name} left {len(repaired)} wheels in {out_dir}")
    return repaired[0]
