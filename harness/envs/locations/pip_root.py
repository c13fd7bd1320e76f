"""The ``root`` location: ``pip install --root R``, the staged site-packages on ``PYTHONPATH``.

``--root R`` installs with the environment's own scheme, every path re-rooted under ``R``
(``R/<the venv's site-packages path>``): the ``DESTDIR`` staging of distribution builds.
``uv pip install`` has no ``--root``, so this location needs installer ``pip``.
"""

from __future__ import annotations

from pathlib import Path, PurePath

from harness.envs import commands, pipfinder
from harness.envs.layout import Layout, LayoutError
from harness.envs.location import Location, Setup, on_pythonpath
from harness.installs import InstallRequest
from harness.vocabulary import ROOT, SITE, Installer

ROOT_DIR = "root"


def rerooted(root: Path, path: PurePath) -> Path:
    """Where ``pip install --root root`` puts a file whose normal place is ``path``:
    the path without its anchor (``/``, ``C:\\``) under ``root``."""
    return root.joinpath(*path.parts[1:])


class Root(Location):
    label = ROOT
    order = 50
    directory = ROOT_DIR

    def add(self, layout: Layout, setup: Setup) -> None:
        """An empty ``--root`` staging tree; its copy of the site-packages goes on ``PYTHONPATH``."""
        del setup
        root = self.own_directory(layout)
        staged = rerooted(root, layout.location(SITE))
        staged.mkdir(parents=True, exist_ok=True)
        layout.locations[ROOT] = staged
        dirs = [staged]
        for platlib in layout.extra_dirs.get(SITE, []):
            extra = rerooted(root, platlib)
            layout.extra_dirs.setdefault(ROOT, []).append(extra)
            dirs.append(extra)
        on_pythonpath(layout, dirs)

    def command(self, layout: Layout, request: InstallRequest, installer: Installer) -> list[str]:
        if installer == "uv":
            raise LayoutError(
                "`uv pip install` has no --root option, so the 'root' location cannot be made "
                "with installer 'uv'; use `installers = [\"pip\"]` for this scenario"
            )
        wheels = [w.resolve() for w in request.wheels]
        pip = pipfinder.layout_pip(layout)
        return commands.pip_install(pip, wheels, deps=request.deps, root=layout.root / ROOT_DIR)


LOCATION = Root()
