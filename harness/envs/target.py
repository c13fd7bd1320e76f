"""The ``target`` location: a ``pip install --target`` directory put on ``PYTHONPATH``."""

from __future__ import annotations

from harness import platforms
from harness.envs.base import Layout
from harness.vocabulary import TARGET

TARGET_DIR = "target"


def add_target(layout: Layout) -> None:
    """Give ``layout`` an empty ``target`` directory that its processes import from."""
    directory = layout.root / TARGET_DIR
    directory.mkdir(parents=True, exist_ok=True)
    layout.locations[TARGET] = directory
    for name, entries in platforms.pythonpath_prepends([directory]).items():
        layout.path_prepends.setdefault(name, []).extend(entries)
