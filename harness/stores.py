"""Content-keyed directories made once: in a work dir's cache, or in a directory that
several work dirs share.

An entry's key names its content, so an entry made for one work dir serves any other:
the test suite's many fresh work dirs share their pip venvs (``$HARNESS_PIP_VENVS``)
and conda packages (``$HARNESS_CONDA_PACKAGES``) this way. One process makes an entry,
under a lock, in a scratch directory renamed into place; the others wait for the lock
and then find the entry made.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from harness.filelock import locked
from harness.workdir import WorkDir, atomic_directory


@dataclass(frozen=True)
class Store:
    """Where the entries of one kind live, and where they are made first (a directory
    on the same filesystem, so the rename into place is atomic)."""

    root: Path
    scratch: Path

    def make_once(
        self,
        key: str,
        make: Callable[[Path], None],
        *,
        lock_prefix: str,
        ready: str | None = None,
    ) -> Path:
        """``root/key``, made by ``make(scratch)`` unless it is there already (with the
        file ``ready`` in it, when given); concurrent makers of one key wait for the
        first instead of making it too."""
        final = self.root / key

        def made() -> bool:
            return final.is_dir() if ready is None else (final / ready).is_file()

        if not made():
            self.scratch.mkdir(parents=True, exist_ok=True)
            with locked(self.scratch / f"{lock_prefix}-{key}.lock"):
                if not made():
                    with atomic_directory(final, self.scratch) as scratch:
                        make(scratch)
        return final


def store(workdir: WorkDir, variable: str, own: str) -> Store:
    """The directory ``$variable`` names, shared by several work dirs (made first in its
    ``.tmp``), or else ``workdir``'s own ``cache/<own>`` (made first in its ``tmp``)."""
    value = os.environ.get(variable, "")
    if value:
        shared = Path(value).absolute()
        return Store(shared, shared / ".tmp")
    return Store(workdir.cache / own, workdir.tmp)
