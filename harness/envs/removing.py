"""Delete installed files after an install: a producer that is installed but broken.

A half-finished uninstall or a bad repackaging leaves a distribution's metadata (its
``RECORD`` still lists the file) and its Python package, but not its library file.
Scenarios reproduce that with ``remove = [...]`` on an ``[[install]]``.

Removal only ever *unlinks* (``os.unlink`` / ``shutil.rmtree``): files of a layout are
hard links shared with the installer's cache or, in a cell, with its template, so
truncating or rewriting one would change every other copy. It runs while the template
is built, so cells copied from a template with removals are themselves broken and
templates without removals are never touched (the removals are part of the template
key, :func:`harness.envs.templates.template_key`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path, PurePosixPath, PureWindowsPath

from harness.envs.layout import LayoutError


def removal_problem(path: str) -> str | None:
    """Why ``path`` cannot be a removal inside a location (``None`` when it can).

    A removal is a relative POSIX path below the location, so the same scenario means
    the same file on every OS and can never reach outside the cell.
    """
    if not path:
        return "is empty"
    if "\\" in path:
        return f"{path!r} uses a backslash; write '/' between path components"
    if PurePosixPath(path).is_absolute() or PureWindowsPath(path).anchor:
        return f"{path!r} is absolute; give a path relative to the location"
    parts = path.split("/")
    if ".." in parts:
        return f"{path!r} contains '..'; name a path inside the location"
    if all(part in ("", ".") for part in parts):
        return f"{path!r} names the location itself; name a file or directory inside it"
    return None


def check_removals(paths: Sequence[str], location: str) -> None:
    """:class:`LayoutError` for the first unusable removal path (before anything runs)."""
    for path in paths:
        problem = removal_problem(path)
        if problem is not None:
            raise LayoutError(
                f"remove path for location {location!r} {problem}, e.g. 'libfoo/lib/libfoo.so.1'"
            )


def apply_removals(
    directory: Path, paths: Sequence[str], *, location: str, wheels: Sequence[Path]
) -> None:
    """Unlink each of ``paths`` (relative to the location's ``directory``).

    Every path must exist after the install: a removal that finds nothing would leave
    the producer intact and the scenario proving something else.
    """
    check_removals(paths, location)
    root = directory.resolve()
    for path in paths:
        victim = directory.joinpath(*PurePosixPath(path).parts)
        installed_by = ", ".join(wheel.name for wheel in wheels) or "(no wheels)"
        if not os.path.lexists(victim):
            raise LayoutError(
                f"cannot remove {path!r} from location {location!r}: the install of "
                f"{installed_by} left no such file or directory ({victim}); fix the path "
                "(relative to the location, e.g. 'libfoo/lib/libfoo.so.1') or install the "
                "wheel that ships it"
            )
        parent = victim.parent.resolve()
        if parent != root and root not in parent.parents:
            raise LayoutError(
                f"cannot remove {path!r} from location {location!r}: it leads outside the "
                f"location through a symbolic link ({parent}); name the file inside it"
            )
        if victim.is_dir() and not victim.is_symlink():
            shutil.rmtree(victim)
        else:
            victim.unlink()
