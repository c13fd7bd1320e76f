"""A real conda, mamba or micromamba, used when one is installed and can reach a channel.

Then the prefix gets conda-forge's own ``python`` (and ``pip``); the harness's
``libfoo`` packages still come from the local channel, which is listed first so its
``libfoo`` wins, while ``python`` and ``pip`` are pinned to the remote channel by
``channel::name`` specs. Choose explicitly with ``HARNESS_CONDA_BACKEND=rattler|external``
and the tool with ``HARNESS_CONDA_EXE``; the remote channel is ``HARNESS_CONDA_CHANNEL``
(default ``conda-forge``).
"""

from __future__ import annotations

import os
import shutil
import urllib.error
import urllib.request
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from harness import tools
from harness.conda.errors import CondaError
from harness.logged import CommandFailedError, run_logged

TOOLS = ("micromamba", "mamba", "conda")
CHANNEL_ENV = "HARNESS_CONDA_CHANNEL"
EXE_ENV = "HARNESS_CONDA_EXE"


def remote_channel() -> str:
    return os.environ.get(CHANNEL_ENV, "conda-forge")


def find_tool() -> str | None:
    """``$HARNESS_CONDA_EXE`` or the first of micromamba, mamba, conda on ``PATH``."""
    configured = os.environ.get(EXE_ENV)
    if configured:
        return shutil.which(configured) or configured
    for name in TOOLS:
        found = tools.find(name)
        if found:
            return str(found)
    return None


def _channel_url(channel: str) -> str:
    if "://" in channel:
        return channel.rstrip("/")
    return f"https://conda.anaconda.org/{channel}"


@cache
def channel_reachable(channel: str, timeout: float = 5.0) -> bool:
    """Whether the channel's ``noarch/repodata.json`` answers (a HEAD request, no download)."""
    request = urllib.request.Request(_channel_url(channel) + "/noarch/repodata.json", method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return bool(response.status < 400)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def available() -> str | None:
    """The tool to use, or ``None`` when there is no tool or no reachable channel."""
    tool = find_tool()
    if tool is None or not channel_reachable(remote_channel()):
        return None
    return tool


def is_micromamba(tool: str) -> bool:
    """Whether ``tool`` names micromamba (``micromamba`` or Windows' ``micromamba.exe``)."""
    return Path(tool).name.lower() in ("micromamba", "micromamba.exe")


def tool_env(tool: str, root_prefix: Path) -> dict[str, str]:
    """The tool's environment: micromamba gets a root prefix unless one is set.

    A set ``MAMBA_ROOT_PREFIX`` (setup-micromamba's in CI, passed on by tox) is kept, so
    its package cache is the one reused between runs; otherwise the work directory's.
    """
    env = dict(os.environ)
    if is_micromamba(tool):
        env.setdefault("MAMBA_ROOT_PREFIX", str(root_prefix))
    return env


def install(
    tool: str,
    python_version: str,
    *,
    local_channel_url: str | None,
    extra_specs: Sequence[str],
    prefix: Path,
    root_prefix: Path,
    log: Path,
) -> list[str]:
    """``<tool> create -p prefix`` with conda-forge's python and pip plus ``extra_specs``
    (from the local channel at ``local_channel_url``, when one is needed)."""
    remote = remote_channel()
    args = [
        tool,
        "create",
        "--yes",
        "--prefix",
        str(prefix),
        "--override-channels",
        *(("--channel", local_channel_url) if local_channel_url else ()),
        "--channel",
        remote,
        f"{remote}::python={python_version}",
        f"{remote}::pip",
        *extra_specs,
    ]
    try:
        run_logged(
            f"{Path(tool).name} create",
            args,
            log,
            env=tool_env(tool, root_prefix),
            inherit_env=False,
            timeout=1800,
        )
    except CommandFailedError as error:
        raise CondaError(str(error)) from None
    meta = prefix / "conda-meta"
    return sorted(p.stem for p in meta.glob("*.json"))
