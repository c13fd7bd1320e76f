"""The run's work directory: the only place the harness writes to.

Default ``.harness/`` at the project root (or the current directory), overridable
with ``--workdir`` or ``HARNESS_WORKDIR``. Subdirectories have fixed roles so that
caches survive between runs and cells never share state by accident.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ENV_VAR = "HARNESS_WORKDIR"


def default_root() -> Path:
    """``$HARNESS_WORKDIR`` or ``./.harness``."""
    configured = os.environ.get(ENV_VAR)
    return Path(configured).resolve() if configured else (Path.cwd() / ".harness").resolve()


class WorkDir:
    """Named subdirectories of one work directory."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = (root or default_root()).resolve()

    def _sub(self, *parts: str) -> Path:
        path = self.root.joinpath(*parts)
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def cache(self) -> Path:
        """Content-addressed build products (wheels, system prefixes, conda channel)."""
        return self._sub("cache")

    @property
    def wheelhouse(self) -> Path:
        """Built, repaired wheels, one subdirectory per interpreter tag."""
        return self._sub("wheelhouse")

    @property
    def envs(self) -> Path:
        """Template environments reused by cells that do not mutate them."""
        return self._sub("envs")

    @property
    def cells(self) -> Path:
        """One fresh directory per scenario cell."""
        return self._sub("cells")

    @property
    def reports(self) -> Path:
        """Markdown, HTML and JSON reports of the latest run."""
        return self._sub("reports")

    @property
    def logs(self) -> Path:
        """Full build and install logs."""
        return self._sub("logs")

    @property
    def tmp(self) -> Path:
        """Scratch space for atomic writes (same filesystem as the caches)."""
        return self._sub("tmp")


@contextmanager
def atomic_directory(final: Path, scratch_parent: Path) -> Iterator[Path]:
    """Yield a scratch directory that becomes ``final`` only if the block succeeds.

    Another process that finished first wins; ours is discarded. An interrupted
    block leaves only a scratch directory under ``scratch_parent``, never a
    half-written ``final``.
    """
    scratch = Path(tempfile.mkdtemp(prefix=final.name + ".", dir=scratch_parent))
    try:
        yield scratch
        final.parent.mkdir(parents=True, exist_ok=True)
        try:
            scratch.replace(final)
        except OSError:
            if not final.is_dir():
                raise
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)
