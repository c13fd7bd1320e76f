"""The ``target`` location: a ``pip install --target`` directory put on ``PYTHONPATH``."""

from __future__ import annotations

from harness.envs import pipfinder
from harness.envs.layout import Layout
from harness.envs.location import Location, Setup, on_pythonpath
from harness.installs import InstallRequest
from harness.vocabulary import TARGET, Installer


class Target(Location):
    label = TARGET
    order = 20
    directory = "target"

    def add(self, layout: Layout, setup: Setup) -> None:
        """Give ``layout`` an empty ``target`` directory that its processes import from."""
        del setup
        directory = self.own_directory(layout)
        layout.locations[TARGET] = directory
        on_pythonpath(layout, [directory])

    def command(self, layout: Layout, request: InstallRequest, installer: Installer) -> list[str]:
        target = layout.location(TARGET)
        return pipfinder.install_argv(
            layout, installer, request.wheels, deps=request.deps, target=target
        )


LOCATION = Target()
