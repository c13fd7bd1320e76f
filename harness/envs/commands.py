"""Installer command lines: exact wheel files, never an index.

Pure functions returning argv lists, so the flags that keep installs hermetic are
visible (and tested) in one place. ``uv`` is the fast default, ``pip`` the faithful
one; ``pip install --user`` has no uv equivalent (uv rejects ``--user``), so user
installs always use pip.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path

from harness import tools
from harness.envs.layout import LayoutError
from harness.vocabulary import Installer


def find_uv() -> str:
    """The ``uv`` executable (see :func:`harness.tools.uv_executable`)."""
    found = tools.uv_executable()
    if found is None:
        raise LayoutError(
            "uv is not installed: put `uv` on PATH or `pip install uv` (or choose installer 'pip')"
        )
    return str(found)


# pip's file that runs exactly that copy of pip in another interpreter (pip >= 22.3): what
# ``pip --python`` and pip's isolated build environments run
PIP_RUNNER = "__pip-runner__.py"


def host_pip() -> list[str]:
    """pip of the interpreter running the harness, used with ``--python`` on another one."""
    return [sys.executable, "-m", "pip"]


def _source_flags(wheels: Sequence[Path], deps: bool) -> list[str]:
    if not deps:
        return ["--no-deps"]
    flags: list[str] = []
    for directory in dict.fromkeys(w.parent for w in wheels):
        flags += ["--find-links", str(directory)]
    return flags


def uv_install(
    uv: str,
    python: Path,
    wheels: Sequence[Path],
    *,
    deps: bool = False,
    target: Path | None = None,
    prefix: Path | None = None,
) -> list[str]:
    """``uv pip install`` into ``python``'s environment, or into ``target`` / ``prefix``."""
    argv = [uv, "pip", "install", "--python", str(python), "--no-config", "--offline"]
    argv += ["--no-index", "--link-mode", "copy", *_source_flags(wheels, deps)]
    if target is not None:
        argv += ["--target", str(target)]
    if prefix is not None:
        argv += ["--prefix", str(prefix)]
    return [*argv, *map(str, wheels)]


def pip_install(
    pip: Sequence[str],
    wheels: Sequence[Path],
    *,
    deps: bool = False,
    target: Path | None = None,
    user: bool = False,
    prefix: Path | None = None,
    root: Path | None = None,
) -> list[str]:
    """``pip install`` with the pip command ``pip`` (``python -m pip [--python X]``)."""
    argv = [*pip, "install", "--no-index", "--no-cache-dir", "--disable-pip-version-check"]
    argv += ["--no-input", *_source_flags(wheels, deps)]
    if target is not None:
        argv += ["--target", str(target)]
    if prefix is not None:
        argv += ["--prefix", str(prefix)]
    if root is not None:
        argv += ["--root", str(root)]
    if user:
        argv.append("--user")
    return [*argv, *map(str, wheels)]


def foreign_pip(python: Path) -> list[str]:
    """The harness's pip acting on ``python`` (for environments without their own pip)."""
    found = importlib.util.find_spec("pip")
    if found is None or found.origin is None:
        return [*host_pip(), "--python", str(python)]  # fails as pip fails: no pip here
    return pip_acting_on(Path(sys.executable), Path(found.origin).parent.parent, python)


def pip_acting_on(python: Path, sources: Path, target: Path) -> list[str]:
    """The pip that ``python`` imports from the directory ``sources``, acting on ``target``.

    On its own interpreter it runs as ``python -m pip``. On another, the command is the one
    ``pip --python`` runs itself: ``target`` running that pip's ``__pip-runner__.py`` with
    the same arguments, the process that installs. The first pip process, which would
    only start it, is left out (it costs a pip start, about 0.5 s). Without
    ``__pip-runner__.py`` (a pip older than 22.3, or one inside a zip) it is ``--python``.
    """
    if python == target:
        return [str(python), "-m", "pip"]
    runner = (sources / "pip").resolve() / PIP_RUNNER
    if runner.is_file():
        return [str(target), str(runner)]
    return [str(python), "-m", "pip", "--python", str(target)]


def create_venv(
    installer: Installer, base_python: Path, venv_dir: Path, *, system_site_packages: bool
) -> list[str]:
    """Create a venv with ``uv venv`` (no pip inside) or ``python -m venv`` (with pip)."""
    extra = ["--system-site-packages"] if system_site_packages else []
    if installer == "uv":
        argv = [find_uv(), "venv", "--no-config", "--offline", "--python", str(base_python)]
        return [*argv, *extra, str(venv_dir)]
    return [str(base_python), "-m", "venv", *extra, str(venv_dir)]
