"""The ``target`` location: a ``pip install --target`` directory put on ``PYTHONPATH``."""

from __future__ import annotations

from harness.envs import commands, pipfinder
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
        directory = layout.root / self.directory
        directory.mkdir(parents=True, exist_ok=True)
        layout.locations[TARGET] = directory
        on_pythonpath(layout, [directory])

    def command(self, layout: Layout, request: InstallRequest, installer: Installer) -> list[str]:
        wheels = [w.resolve() for w in request.wheels]
        target = layout.location(TARGET)
        if installer == "uv":
            uv = commands.find_uv()
            return commands.uv_install(uv, layout.python, wheels, deps=request.deps, target=target)
        pip = pipfinder.layout_pip(layout)
        return commands.pip_install(pip, wheels, deps=request.deps, target=target)


LOCATION = Target()
