"""The pip that installs into a layout (``pip`` installs, ``--user``, ``--root``, editable).

Asking costs a process or two, so locations ask only when they need pip.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

from harness.envs import commands
from harness.envs.layout import Layout
from harness.vocabulary import SITE, Installer

# what the probe prints: pip's version, then the directory holding the ``pip`` package
_PROBE = "import os, pip; print(pip.__version__); print(os.path.dirname(pip.__path__[0]))"


def layout_pip(layout: Layout, acting_on: Path | None = None) -> list[str]:
    """The layout's own pip when it can import one, else the base interpreter's pip, else
    the harness's pip, acting on ``acting_on`` (the layout's interpreter by default).

    A pip-made venv has pip in its site; a uv-made venv has none, and the base
    interpreter's site-packages are hidden from it (harness.envs.locations.user.NO_BASE_SITE_PTH),
    but the base's pip acting on it imports only pip itself from there. Both support the
    layout's Python, which the harness's own pip may not (pip 26 requires 3.10). A pip
    acting on another interpreter runs as ``pip --python`` runs it
    (:func:`harness.envs.commands.pip_acting_on`).
    """
    target = acting_on or layout.python
    site = layout.locations.get(SITE)
    if site is not None and (site / "pip" / "__init__.py").is_file():
        return commands.pip_acting_on(layout.python, site, target)
    env = layout.process_env()
    own = _pip_sources(layout.python, env, (0, 0))
    if own is not None:
        return commands.pip_acting_on(layout.python, own, target)
    base = _venv_base_python(layout.python)
    if base is not None:
        sources = _pip_sources(base, env, (22, 3))
        if sources is not None:
            return commands.pip_acting_on(base, sources, target)
    return commands.foreign_pip(target)


def _pip_sources(python: Path, env: dict[str, str], at_least: tuple[int, int]) -> Path | None:
    """The directory ``python`` imports pip from, if that pip is at least ``at_least``
    (22.3 knows ``--python``)."""
    probe = subprocess.run(
        [str(python), "-c", _PROBE], capture_output=True, text=True, env=env, check=False
    )
    lines = probe.stdout.splitlines()
    if probe.returncode != 0 or len(lines) != 2:
        return None
    numbers = re.match(r"(\d+)\.(\d+)", lines[0])
    if numbers is None:
        return None
    version = (int(numbers.group(1)), int(numbers.group(2)))
    return Path(lines[1]) if version >= at_least else None


def _venv_base_python(python: Path) -> Path | None:
    """The base interpreter of the venv ``python`` belongs to (``home`` in ``pyvenv.cfg``)."""
    for config in (python.parent / "pyvenv.cfg", python.parent.parent / "pyvenv.cfg"):
        if config.is_file():
            break
    else:
        return None
    home = None
    for line in config.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition("=")
        if key.strip().lower() == "home":
            home = Path(value.strip())
    if home is None:
        return None
    for name in (python.name, "python3", "python", "python.exe"):
        if (home / name).is_file():
            return home / name
    return None


def install_argv(
    layout: Layout,
    installer: Installer,
    wheels: Sequence[Path],
    *,
    deps: bool,
    target: Path | None = None,
    prefix: Path | None = None,
) -> list[str]:
    """``uv pip install`` or the layout's ``pip install`` of ``wheels`` into the layout's
    environment, or into ``target`` / ``prefix``."""
    resolved = [wheel.resolve() for wheel in wheels]
    if installer == "uv":
        uv = commands.find_uv()
        return commands.uv_install(
            uv, layout.python, resolved, deps=deps, target=target, prefix=prefix
        )
    pip = layout_pip(layout)
    return commands.pip_install(pip, resolved, deps=deps, target=target, prefix=prefix)
