"""The ``pex`` location: the wheels in a PEX zipapp, unpacked into its cache when it runs.

How many deployers ship Python: one ``app.pex`` built with ``pex`` (from PyPI) holding the
wheels; at run time PEX unpacks **each wheel into a directory of its own** under its cache
(``PEX_ROOT/installed_wheels/<hash>/<wheel file name>/``) and puts those directories on
``sys.path``. So, as with ``wheel-dirs``, producer and consumer never share a root: a
consumer whose RPATH points into ``../libfoo/lib`` of its own root fails, a preloading one
loads the producer's copy from the producer's directory.

The layout's interpreter becomes a launcher (``pex/python``, a POSIX shell script) that
runs ``python app.pex ...`` with ``PEX_INTERPRETER=1``: the app then behaves like the
interpreter (``-c``, a script, ``-m``) with its wheels on the path. The ``python`` it
names is the venv's base interpreter (the venv's ``bin/python`` resolved), the one PEX
runs the app under in any case: started by a venv's interpreter, PEX re-executes itself
under that venv's base (its isolation from the venv's site-packages), so the process the
probe sees is the same either way (``sys.executable``, ``sys.prefix``, ``sys.path``:
tests/envs/test_envs_pex.py) and each run skips two interpreter starts of PEX's
bootstrap (1.07 s against 0.50 s per run, CPython 3.9). The app is named by a path
relative to the launcher, so a copied layout works. ``PEX_ROOT`` is the
layout's own ``pex/cache``, so the first run of each cell unpacks the wheels there (a cold
cache); ``pex-warm`` (:mod:`harness.envs.locations.pex_warm`) runs the app once while the
layout is made, so its cells run warm. List the ``pex`` install last: later installs into
other locations would see the launcher as the interpreter.
"""

from __future__ import annotations

import os
import shlex
import stat
from pathlib import Path

from harness import tools
from harness.copying import link_or_copy
from harness.envs.layout import CommandRunner, Layout, LayoutError
from harness.envs.location import Location, LocationUnavailableError, Setup
from harness.installs import InstallRequest
from harness.vocabulary import PEX, Installer

PEX_DIR = "pex"
APP = "app.pex"
CACHE = "cache"
"""``PEX_ROOT`` inside the location's directory."""
LAUNCHER = "python"
_DISTS = "dists"


def launcher_script(python: Path, directory: Path) -> str:
    """A ``sh`` script running ``python app.pex "$@"``: the app by a path relative to the
    script, ``python`` by its absolute path (an interpreter outside the layout) or by one
    relative to the script (an interpreter inside it, which moves with a copy)."""
    app = f'"$here/{APP}"'
    if python.is_absolute() and not python.is_relative_to(directory.parent):
        interpreter = shlex.quote(str(python))
    else:
        interpreter = f'"$here/{os.path.relpath(python, directory)}"'
    return (
        "#!/bin/sh\n"
        "# the layout's interpreter, seen through the PEX (harness.envs.locations.pex_app)\n"
        'here="$(cd "$(dirname "$0")" && pwd)"\n'
        f'exec {interpreter} {app} "$@"\n'
    )


def base_interpreter(python: Path) -> Path:
    """The interpreter a venv's ``python`` resolves to (POSIX venvs link to their base);
    PEX re-executes itself under it when started by the venv's."""
    return Path(os.path.realpath(python))


class PexApp(Location):
    label = PEX
    order = 90
    directory = PEX_DIR
    warm = False
    """Run the app once while the layout is made (its cells find the wheels unpacked)."""

    def add(self, layout: Layout, setup: Setup) -> None:
        """The location's directory, ``PEX_ROOT`` in it and ``PEX_INTERPRETER=1``."""
        del setup
        if layout.platform.name == "windows":
            raise LayoutError(
                f"the {self.label!r} location runs the PEX through a POSIX shell launcher; "
                'declare `platforms = ["linux", "macos"]` for this scenario'
            )
        cache = self.own_directory(layout) / CACHE
        layout.locations[self.label] = cache / "installed_wheels"
        layout.env["PEX_ROOT"] = str(cache)
        layout.env["PEX_INTERPRETER"] = "1"

    def install(
        self, layout: Layout, request: InstallRequest, installer: Installer, run: CommandRunner
    ) -> None:
        """Build ``app.pex`` from exactly these wheels; the launcher becomes the interpreter."""
        del installer  # pex resolves nothing: the wheels are given, pre-resolved
        pex = tools.find("pex")
        if pex is None:
            raise LocationUnavailableError(
                f"the {self.label!r} location needs the `pex` tool, which is not installed: "
                "`pip install pex` (the harness's test extras include it)"
            )
        directory = layout.root / self.directory
        app = directory / APP
        if app.exists():
            raise LayoutError(f"the {self.label!r} location takes one install (one PEX app)")
        dists = directory / _DISTS
        dists.mkdir(exist_ok=True)
        for wheel in request.wheels:
            link_or_copy(wheel, dists / wheel.name)
        names = [wheel.name.split("-", 1)[0] for wheel in request.wheels]
        argv = [str(pex), "--no-pypi", "--python", str(layout.python), "--pre-resolved-dists"]
        argv += [str(dists), *names, "-o", str(app)]
        if not request.deps:
            argv.insert(1, "--intransitive")
        run(
            argv,
            step=f"build {APP} from the wheels (pex)",
            location=self.label,
            wheels=[*request.wheels],
        )
        launcher = directory / LAUNCHER
        base = base_interpreter(layout.python)
        launcher.write_text(launcher_script(base, directory), encoding="utf-8")
        launcher.chmod(launcher.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        layout.python = launcher
        if self.warm:
            run(
                [str(launcher), "-c", "pass"],
                step=f"run {APP} once: its wheels are unpacked into the cache",
                env={key: layout.env[key] for key in ("PEX_ROOT", "PEX_INTERPRETER")},
                location=self.label,
            )


LOCATION = PexApp()
