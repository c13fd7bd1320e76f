"""External executables more than one part of the harness runs."""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path


def uv_executable() -> Path | None:
    """The ``uv`` binary: the one the ``uv`` package (a harness dependency) ships, else ``PATH``.

    The package's binary comes first so that the builder and the environments use the
    same, pinned uv whatever else is on ``PATH``.
    """
    try:
        uv = importlib.import_module("uv")
        return Path(uv.find_uv_bin())
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        return Path(found) if found else None
