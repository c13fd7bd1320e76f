"""The conda platform subdir of the running machine (``linux-64``, ``osx-arm64``, ``win-64``)."""

from __future__ import annotations

import platform as _platform
from functools import cache

from harness import platforms
from harness.conda.conda_paths import subdir

NOARCH = "noarch"


@cache
def current_subdir() -> str:
    """The subdir native packages built on this machine belong to."""
    return subdir(platforms.current(), _platform.machine())


def channel_subdirs() -> tuple[str, str]:
    """The subdirs a local channel made on this machine holds: its own and ``noarch``."""
    return current_subdir(), NOARCH
