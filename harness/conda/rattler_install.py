"""Solve and install a conda prefix from the local channel with py-rattler (no network)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import rattler

from harness.conda.channel import LocalChannel
from harness.conda.errors import ChannelError, CondaError


def rattler_version() -> str:
    return version("py-rattler")


async def _solve_install(
    channel: LocalChannel, specs: Sequence[str], prefix: Path, cache: Path
) -> list[str]:
    gateway = rattler.Gateway(cache_dir=cache / "repodata")
    # Plain subdir strings (made by conda_paths.subdir): every py-rattler version takes them.
    subdirs: Any = list(channel.subdirs)
    try:
        records = await rattler.solve(
            sources=[rattler.Channel(channel.url)],
            specs=list(specs),
            gateway=gateway,
            platforms=subdirs,
            virtual_packages=[],
        )
    except Exception as error:
        raise CondaError(
            f"py-rattler cannot solve {list(specs)} from the local channel {channel.path}: {error}"
        ) from error
    try:
        await rattler.install(
            records,
            target_prefix=prefix,
            cache_dir=cache / "pkgs",
            show_progress=False,
            execute_link_scripts=False,
        )
    except Exception as error:
        raise ChannelError(
            f"py-rattler failed to install {[r.file_name for r in records]} from {channel.path} "
            f"into {prefix}: {error}; delete {channel.path} to rebuild the channel"
        ) from error
    return [f"{r.name.normalized}-{r.version}-{r.build}" for r in records]


def install(channel: LocalChannel, specs: Sequence[str], prefix: Path, cache: Path) -> list[str]:
    """Install ``specs`` into ``prefix``; return ``name-version-build`` of what was installed."""
    return asyncio.run(_solve_install(channel, specs, prefix, cache))
