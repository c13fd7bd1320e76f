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
from harness.envs import commands
from harness.envs.introspect import install_paths
from harness.envs.layout import CommandRunner, Layout
from harness.vocabulary import SITE, Installer

VENV_DIR = "venv"


class VenvProvider:
    """The base of ``venv`` layouts: a virtual environment of the cell's interpreter."""

    kind = "venv"
    relocatable = True

    def fingerprint(self, python: Path) -> str:
        return "venv-2"  # 2: user layouts hide the base site-packages (NO_BASE_SITE_PTH)

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
        # site-packages (site.venv()), and pip refuses `--user` there too; so a venv
        # with a user location says `include-system-site-packages = true`, and the user
        # location hides the base interpreter's site-packages again
        # (harness.envs.locations.user.NO_BASE_SITE_PTH).
        argv = commands.create_venv(installer, python, venv_dir, system_site_packages=user_site)
        run(argv, step=f"create venv ({installer})")
        venv_python = platforms.venv_interpreter(venv_dir, platform)
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
