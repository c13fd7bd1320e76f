"""The ``user`` location: the user site of an isolated ``PYTHONUSERBASE`` inside the cell.

Installs use ``pip install --user`` (uv has no ``--user``). The interpreter must
have the user site enabled: for a venv the provider creates it with
``include-system-site-packages = true`` (``Provider.create(user_site=True)``), the
only configuration in which CPython's ``site`` honours ``PYTHONUSERBASE`` inside a
venv and pip accepts ``--user``, plus a ``.pth`` file that hides the base
interpreter's site-packages again (``harness.envs.venv.NO_BASE_SITE_PTH``), so a cell
sees only what its scenario installed. Layouts without a ``user`` location get
``PYTHONNOUSERSITE=1`` instead.
"""

from __future__ import annotations

from harness.envs.base import CommandRunner, Layout, LayoutError
from harness.envs.introspect import install_paths
from harness.vocabulary import USER

USER_BASE_DIR = "user"


def add_user(layout: Layout, run: CommandRunner) -> None:
    """Point ``PYTHONUSERBASE`` into the cell and record the user site it implies."""
    user_base = layout.root / USER_BASE_DIR
    user_base.mkdir(parents=True, exist_ok=True)
    env = {"PYTHONUSERBASE": str(user_base)}
    found = install_paths(layout.python, env, run)
    if not found.user_enabled or found.user_site is None:
        raise LayoutError(
            f"the interpreter {layout.python} of this {layout.kind} layout has the user site "
            "turned off, so a 'user' location would never be imported from; a venv needs "
            "include-system-site-packages = true (create it with user_site=True)"
        )
    # site.py adds the user site to sys.path only if the directory exists.
    found.user_site.mkdir(parents=True, exist_ok=True)
    layout.locations[USER] = found.user_site
    if found.user_platlib is not None and found.user_platlib != found.user_site:
        layout.extra_dirs.setdefault(USER, []).append(found.user_platlib)
    layout.env.update(env)
    layout.env.pop("PYTHONNOUSERSITE", None)
