"""The ``venv`` provider: a virtual environment made by ``uv venv`` or ``python -m venv``.

Installer ``uv`` makes the venv with ``uv venv`` (fast, no pip inside); ``pip`` makes
it with the standard library's ``venv`` (pip bundled, as most users have it). The
``site`` location is whatever the venv's interpreter reports as ``purelib``; a
different ``platlib`` is recorded as another directory of ``site``.

A venv survives being copied to another path: ``pyvenv.cfg``'s ``home`` names the
base interpreter (absolute, outside the venv), ``bin/python`` is a symlink to it,
``sys.prefix`` is found from the path the interpreter was started by, and the
scripts' shebangs do not matter because cells run ``python`` directly.
"""

from __future__ import annotations

from pathlib import Path

from harness import platforms
from harness.envs import commands, paths
from harness.envs.base import SITE, CommandRunner, CreatesCells, Installer, Layout
from harness.envs.copying import CopyMode
from harness.envs.introspect import install_paths
from harness.workdir import WorkDir

VENV_DIR = "venv"


class VenvProvider(CreatesCells):
    """Layouts of kind ``venv`` (both a ``Provider`` and a ``BaseProvider``)."""

    kind = "venv"
    relocatable = True

    def __init__(
        self,
        installer: Installer = "uv",
        workdir: WorkDir | None = None,
        *,
        reuse: bool = True,
        copy_mode: CopyMode = "link",
    ) -> None:
        self.installer: Installer = installer
        self.workdir = workdir
        self.reuse = reuse
        self.copy_mode: CopyMode = copy_mode

    def fingerprint(self, python: Path) -> str:
        return "venv-1"

    def create_base(
        self,
        root: Path,
        python: Path,
        *,
        installer: Installer,
        user_site: bool,
        run: CommandRunner,
    ) -> Layout:
        platform = platforms.current()
        venv_dir = root / VENV_DIR
        # CPython turns the user site off in a venv unless it includes the system
        # site-packages (site.venv()); that is the documented way to let a venv see
        # PYTHONUSERBASE, at the price of also seeing the base interpreter's packages.
        argv = commands.create_venv(installer, python, venv_dir, system_site_packages=user_site)
        run(argv, step=f"create venv ({installer})")
        venv_python = paths.venv_interpreter(venv_dir, platform)
        found = install_paths(venv_python, {}, run)
        extra_dirs = {SITE: [found.platlib]} if found.platlib != found.purelib else {}
        return Layout(
            kind=self.kind,
            root=root,
            python=venv_python,
            locations={SITE: found.purelib},
            extra_dirs=extra_dirs,
            platform=platform,
        )
