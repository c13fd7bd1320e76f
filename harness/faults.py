"""Name the host fault behind a failed cell: a full disk, a read-only work dir, an
interpreter that is gone or cannot run. Installers and interpreters report these in many
ways (or, like most installs on a full disk, only as ``exit status 1``); the cell's cause
names the fault and its path instead.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable
from pathlib import Path

_MESSAGES = {
    errno.ENOSPC: "no space left on device",
    errno.EROFS: "read-only file system",
    errno.EDQUOT: "disk quota exceeded",
}


def _existing(path: Path) -> Path:
    """``path`` or its nearest existing ancestor."""
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def mount_point(path: Path) -> Path:
    """The directory where ``path``'s file system is mounted."""
    path = _existing(path.absolute())
    device = path.stat().st_dev
    while path.parent != path and path.parent.stat().st_dev == device:
        path = path.parent
    return path


def storage_fault(path: Path, said: str = "") -> str | None:
    """Why nothing can be written under ``path`` now (or, from ``said``, the output of the
    failed command, why it could not be then), naming the file system; None when fine."""
    try:
        where = _existing(path.absolute())
        stats = os.statvfs(where)
        mount = mount_point(where)
    except OSError:
        return None
    if stats.f_flag & os.ST_RDONLY or _MESSAGES[errno.EROFS] in said.lower():
        return f"read-only file system at {mount} (writing {path})"
    free = stats.f_bavail * stats.f_frsize
    if free < 1 << 20 or stats.f_favail == 0 or _MESSAGES[errno.ENOSPC] in said.lower():
        return (
            f"no space left on device at {mount} ({free // 1024} KiB, {stats.f_favail} "
            f"inodes free; writing {path})"
        )
    if _MESSAGES[errno.EDQUOT] in said.lower():
        return f"disk quota exceeded at {mount} (writing {path})"
    return None


def interpreter_fault(python: Path) -> str | None:
    """Why the interpreter at ``python`` cannot run: gone (a dangling link names its target)
    or not executable; None when it looks runnable."""
    if not python.exists():
        target = f" (a link to {python.readlink()})" if python.is_symlink() else ""
        return f"the interpreter {python} is missing{target}"
    real = Path(os.path.realpath(python))
    if not os.access(real, os.X_OK) or real.stat().st_mode & 0o111 == 0:
        return f"the interpreter {python} cannot be run (permission denied on {real})"
    return None


def of_error(error: OSError) -> str | None:
    """An ``OSError``'s fault in words, naming its file, for the storage errors."""
    message = _MESSAGES.get(error.errno or 0)
    if message is None:
        return None
    return f"{message}: {error.filename}" if error.filename else message


def diagnose(paths: Iterable[Path], python: Path | None, said: str = "") -> str | None:
    """The first host fault found: the interpreter, then the storage under ``paths``."""
    if python is not None:
        fault = interpreter_fault(python)
        if fault:
            return fault
    for path in paths:
        fault = storage_fault(path, said)
        if fault:
            return fault
    return None
