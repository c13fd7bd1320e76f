"""The pip that installs into a layout (``pip`` installs, ``--user``, ``--root``, editable).

Asking costs a process or two, so locations ask only when they need pip.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from harness.envs import commands
from harness.envs.layout import Layout
from harness.vocabulary import SITE, Installer


def layout_pip(layout: Layout) -> list[str]:
    """The layout's own pip when it can import one, else the base interpreter's pip
    acting on it (``--python``), else the harness's pip.

    A pip-made venv has pip in its site; a uv-made venv has none, and the base
    interpreter's site-packages are hidden from it (harness.envs.locations.user.NO_BASE_SITE_PTH),
    but the base's pip run with ``--python`` imports only pip itself from there. Both
    support the layout's Python, which the harness's own pip may not (pip 26 requires
    3.10).
    """
    site = layout.locations.get(SITE)
    if site is not None and (site / "pip" / "__init__.py").is_file():
        return commands.venv_pip(layout.python)
    if _imports_pip(layout.python, layout.process_env(), (0, 0)):
        return commands.venv_pip(layout.python)
    base = _venv_base_python(layout.python)
    if base is not None and _imports_pip(base, layout.process_env(), (22, 3)):
        return [str(base), "-m", "pip", "--python", str(layout.python)]
    return commands.foreign_pip(layout.python)


def _imports_pip(python: Path, env: dict[str, str], at_least: tuple[int, int]) -> bool:
    """Whether ``python`` imports a pip of at least ``at_least`` (22.3 knows ``--python``)."""
    check = f"sys.exit(tuple(map(int, pip.__version__.split('.')[:2])) < {at_least})"
    probe = subprocess.run(
        [str(python), "-c", f"import pip, sys; {check}"], capture_output=True, env=env, check=False
    )
    return probe.returncode == 0


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
