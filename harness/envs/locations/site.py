"""The ``site`` location: the site-packages of the layout's own environment (venv, prefix).

The provider makes it with the interpreter (:meth:`BaseProvider.create_base`), which finds
it by itself; installs are the installer's plain ``install`` into that environment.
"""

from __future__ import annotations

from harness.envs import pipfinder
from harness.envs.layout import Layout
from harness.envs.location import Location, Setup
from harness.installs import InstallRequest
from harness.vocabulary import SITE, Installer


class Site(Location):
    label = SITE
    order = 0

    def add(self, layout: Layout, setup: Setup) -> None:
        """Nothing to add: the provider made the environment with its site-packages."""
        del layout, setup

    def command(self, layout: Layout, request: InstallRequest, installer: Installer) -> list[str]:
        return pipfinder.install_argv(layout, installer, request.wheels, deps=request.deps)


LOCATION = Site()
