"""The ``user`` location: the user site of an isolated ``PYTHONUSERBASE`` inside the cell.

Installs use ``pip install --user`` (uv has no ``--user``). The interpreter must
have the user site enabled: for a venv the provider creates it with
``include-system-site-packages = true`` (``Provider.create(user_site=True)``), the
only configuration in which CPython's ``site`` honours ``PYTHONUSERBASE`` inside a
venv and pip accepts ``--user``, plus a ``.pth`` file that hides the base
interpreter's site-packages again (``harness.envs.locations.user.NO_BASE_SITE_PTH``), so a cell
sees only what its scenario installed. Layouts without a ``user`` location get
``PYTHONNOUSERSITE=1`` instead.
"""

from __future__ import annotations

from harness.envs import commands, pipfinder
from harness.envs.introspect import install_paths
from harness.envs.layout import CommandRunner, Layout, LayoutError
from harness.envs.location import Location, Setup
from harness.installs import InstallRequest
from harness.vocabulary import BASE, SITE, USER, Installer

USER_BASE_DIR = "user"

NO_BASE_SITE_PTH = "_harness_no_base_site.pth"
NO_BASE_SITE_LINE = (
    "import site, sys; "
    "site.PREFIXES[:] = [p for p in site.PREFIXES if p in (sys.prefix, sys.exec_prefix)]\n"
)
"""Keeps a venv's user site while hiding the base interpreter's site-packages.

``site.main()`` in a venv runs ``site.venv()`` -- which adds the venv's site-packages
and processes its ``.pth`` files -- before ``addusersitepackages()`` and before
``addsitepackages()`` adds the base prefixes left in ``site.PREFIXES``. This line runs
during the first step and leaves only the venv's own prefix in ``site.PREFIXES``, so
the order is the venv's site-packages, then the user site (``PYTHONUSERBASE``, with its
``.pth`` files), and never the base's. ``pyvenv.cfg`` still says
``include-system-site-packages = true``, which is what makes CPython enable the user
site and pip accept ``--user``; pip run in the venv no longer sees the base's packages,
so an install is never "already satisfied" by them. CPython 3.9-3.13 share this
``site.venv()``."""


class User(Location):
    label = USER
    order = 30
    directory = USER_BASE_DIR
    user_site = True

    def add(self, layout: Layout, setup: Setup) -> None:
        add_user(layout, setup.run, hide_base_site=BASE not in setup.labels)

    def command(self, layout: Layout, request: InstallRequest, installer: Installer) -> list[str]:
        """Always pip (uv has no ``--user``)."""
        del installer
        wheels = [w.resolve() for w in request.wheels]
        pip = pipfinder.layout_pip(layout)
        return commands.pip_install(pip, wheels, deps=request.deps, user=True)

    def install_env(self, layout: Layout, installer: Installer) -> tuple[str, dict[str, str]]:
        del installer
        return "pip", {"PYTHONUSERBASE": layout.env["PYTHONUSERBASE"]}


LOCATION = User()


def add_user(layout: Layout, run: CommandRunner, *, hide_base_site: bool = True) -> None:
    """Point ``PYTHONUSERBASE`` into the cell and record the user site it implies.

    ``hide_base_site``: a venv layout's base interpreter is the host's; its site-packages
    are hidden (:data:`NO_BASE_SITE_PTH`) unless the layout shows a harness-made base
    environment on purpose (the ``base`` location).
    """
    if hide_base_site and (layout.python.parent.parent / "pyvenv.cfg").is_file():
        site = layout.location(SITE)
        (site / NO_BASE_SITE_PTH).write_text(NO_BASE_SITE_LINE, encoding="utf-8")
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
