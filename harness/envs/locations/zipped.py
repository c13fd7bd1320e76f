"""The ``zip`` location: the wheels' files inside one zip archive on ``PYTHONPATH``.

Python imports pure modules from a zip (``zipimport``), as zipapps, ``PYTHONPATH=app.zip``
deployments and some freezers rely on; the dynamic loader cannot map a library from inside
an archive. A producer served from a zip can therefore never preload its library: the
layout exists to check that the user gets a clear error saying so, not a crash.

The wheels are installed with ``--target`` into a staging directory, which is then zipped
(stored, with directory entries) into ``zip/packages.zip`` and removed.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

from harness.envs import pipfinder
from harness.envs.layout import CommandRunner, Layout
from harness.envs.location import Location, Setup, on_pythonpath
from harness.installs import InstallRequest
from harness.vocabulary import ZIPPED, Installer

ZIP_DIR = "zip"
ARCHIVE = "packages.zip"
_STAGING = "zip-staging"


class Zipped(Location):
    label = ZIPPED
    order = 70
    directory = ZIP_DIR

    def add(self, layout: Layout, setup: Setup) -> None:
        """Record the archive (made by :meth:`install`) as the location, on PYTHONPATH."""
        del setup
        archive = self.own_directory(layout) / ARCHIVE
        layout.locations[ZIPPED] = archive
        on_pythonpath(layout, [archive])

    def install(
        self, layout: Layout, request: InstallRequest, installer: Installer, run: CommandRunner
    ) -> None:
        """Install the wheels unpacked into a staging directory, then zip that directory."""
        staging = layout.root / _STAGING
        staging.mkdir(parents=True, exist_ok=True)
        argv = pipfinder.install_argv(
            layout, installer, request.wheels, deps=request.deps, target=staging
        )
        step = f"install into a directory to zip ({installer})"
        run(argv, step=step, location=ZIPPED, wheels=[w.resolve() for w in request.wheels])
        write_archive(staging, layout.location(ZIPPED))
        shutil.rmtree(staging)


LOCATION = Zipped()


def write_archive(source: Path, archive: Path) -> None:
    """Zip ``source``'s tree into ``archive`` with directory entries, in a stable order
    (zipimport needs no directory entries; ``importlib.resources`` on a zip does)."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as out:
        for folder, dirs, files in os.walk(source):
            dirs.sort()
            base = Path(folder)
            relative = base.relative_to(source).as_posix()
            if relative != ".":
                out.write(base, relative + "/")
            for name in sorted(files):
                if not name.endswith(".pyc"):
                    path = base / name
                    out.write(path, path.relative_to(source).as_posix())
