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

from harness.envs import pipfinder
from harness.envs.layout import CommandRunner, Layout
from harness.envs.location import Location, Setup, on_pythonpath
from harness.installs import InstallRequest
from harness.vocabulary import WHEEL_DIRS, Installer

WHEEL_DIRS_DIR = "wheel-dirs"
SITE_PACKAGES = "site-packages"


def wheel_dir(layout: Layout, wheel: Path) -> Path:
    """``wheel-dirs/<dist>/site-packages`` for a wheel file (its distribution name part)."""
    dist = wheel.name.split("-", 1)[0]
    return layout.location(WHEEL_DIRS) / dist / SITE_PACKAGES


class WheelDirs(Location):
    label = WHEEL_DIRS
    order = 60
    directory = WHEEL_DIRS_DIR

    def add(self, layout: Layout, setup: Setup) -> None:
        """The (empty) parent of the per-wheel directories; each install adds its own."""
        del setup
        layout.locations[WHEEL_DIRS] = self.own_directory(layout)

    def install(
        self, layout: Layout, request: InstallRequest, installer: Installer, run: CommandRunner
    ) -> None:
        """Install each wheel of ``request`` with ``--target`` into its own directory."""
        added: list[Path] = []
        for wheel in request.wheels:
            target = wheel_dir(layout, wheel)
            target.mkdir(parents=True, exist_ok=True)
            argv = pipfinder.install_argv(
                layout, installer, [wheel], deps=request.deps, target=target
            )
            run(
                argv,
                step=f"install {wheel.name} into its own directory ({installer})",
                location=WHEEL_DIRS,
                wheels=[wheel],
            )
            added.append(target)
        on_pythonpath(layout, added)


LOCATION = WheelDirs()
