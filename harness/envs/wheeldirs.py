"""The ``wheel-dirs`` location: every wheel installed into a directory of its own, all of
them on ``PYTHONPATH``.

This is how Bazel's rules_python lays out third-party wheels (one external repository per
wheel, ``<repo>/site-packages`` on the import path) and what a ``PYTHONPATH`` stack of
unpacked wheels looks like: producer and consumer never share a root, so nothing may
assume a sibling directory. Each wheel goes to ``wheel-dirs/<dist>/site-packages`` with
``--target``; the directories are put on ``PYTHONPATH`` in install order.
"""

from __future__ import annotations

from pathlib import Path

from harness import platforms
from harness.envs import commands
from harness.envs.base import CommandRunner, InstallRequest, Layout
from harness.vocabulary import WHEEL_DIRS, Installer

WHEEL_DIRS_DIR = "wheel-dirs"
SITE_PACKAGES = "site-packages"


def add_wheel_dirs(layout: Layout) -> None:
    """The (empty) parent of the per-wheel directories; each install adds its own."""
    directory = layout.root / WHEEL_DIRS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    layout.locations[WHEEL_DIRS] = directory


def wheel_dir(layout: Layout, wheel: Path) -> Path:
    """``wheel-dirs/<dist>/site-packages`` for a wheel file (its distribution name part)."""
    dist = wheel.name.split("-", 1)[0]
    return layout.location(WHEEL_DIRS) / dist / SITE_PACKAGES


def install(
    layout: Layout,
    request: InstallRequest,
    installer: Installer,
    run: CommandRunner,
    pip: list[str],
) -> None:
    """Install each wheel of ``request`` with ``--target`` into its own directory."""
    added: list[Path] = []
    for wheel in request.wheels:
        target = wheel_dir(layout, wheel)
        target.mkdir(parents=True, exist_ok=True)
        resolved = [wheel.resolve()]
        if installer == "uv":
            argv = commands.uv_install(
                commands.find_uv(), layout.python, resolved, deps=request.deps, target=target
            )
        else:
            argv = commands.pip_install(pip, resolved, deps=request.deps, target=target)
        run(
            argv,
            step=f"install {wheel.name} into its own directory ({installer})",
            location=WHEEL_DIRS,
            wheels=[wheel],
        )
        added.append(target)
    for name, entries in platforms.pythonpath_prepends(added).items():
        layout.path_prepends.setdefault(name, []).extend(entries)
