"""The ``prefix`` and ``root`` locations: ``pip install --prefix`` and ``pip install --root``.

Both are how distributions and container images stage packages outside an interpreter's
own site-packages; their users then put the resulting site-packages directory on
``PYTHONPATH``, and so does this layout:

- ``--prefix P`` installs with the interpreter's *prefix* scheme rooted at ``P``
  (``P/lib/pythonX.Y/site-packages``, ``P\\Lib\\site-packages`` on Windows);
- ``--root R`` installs with the environment's own scheme, every path re-rooted under ``R``
  (``R/<the venv's site-packages path>``), the ``DESTDIR`` staging of distribution builds.
  ``uv pip install`` has no ``--root``, so this location needs installer ``pip``.

The directories are asked from the layout's interpreter (``sysconfig``), never computed here.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePath

from harness import platforms
from harness.envs import commands
from harness.envs.base import CommandRunner, InstallRequest, Layout, LayoutError
from harness.vocabulary import PREFIX, ROOT, SITE, Installer

PREFIX_DIR = "prefix"
ROOT_DIR = "root"

# Runs under Python >= 3.9: the purelib/platlib of the "prefix" scheme rooted at argv[1].
_PREFIX_SCHEME = """\
import json, os, sys, sysconfig
get = getattr(sysconfig, "get_preferred_scheme", None)
scheme = get("prefix") if get else ("nt" if os.name == "nt" else "posix_prefix")
base = {"base": sys.argv[1], "platbase": sys.argv[1]}
print(json.dumps([sysconfig.get_path(k, scheme, base) for k in ("purelib", "platlib")]))
"""


def _on_pythonpath(layout: Layout, directories: list[Path]) -> None:
    for name, entries in platforms.pythonpath_prepends(directories).items():
        layout.path_prepends.setdefault(name, []).extend(entries)


def add_prefix(layout: Layout, run: CommandRunner) -> None:
    """An empty install prefix whose site-packages the layout's processes import from."""
    prefix = layout.root / PREFIX_DIR
    prefix.mkdir(parents=True, exist_ok=True)
    output = run(
        [str(layout.python), "-c", _PREFIX_SCHEME, str(prefix)], step="query prefix scheme"
    )
    purelib, platlib = (Path(p) for p in json.loads(output.strip().splitlines()[-1]))
    # site.py does not create it; PYTHONPATH entries that do not exist are kept anyway,
    # but the installer must find the same directory the interpreter will search.
    purelib.mkdir(parents=True, exist_ok=True)
    layout.locations[PREFIX] = purelib
    dirs = [purelib]
    if platlib != purelib:
        layout.extra_dirs.setdefault(PREFIX, []).append(platlib)
        dirs.append(platlib)
    _on_pythonpath(layout, dirs)


def rerooted(root: Path, path: PurePath) -> Path:
    """Where ``pip install --root root`` puts a file whose normal place is ``path``:
    the path without its anchor (``/``, ``C:\\``) under ``root``."""
    return root.joinpath(*path.parts[1:])


def add_root(layout: Layout) -> None:
    """An empty ``--root`` staging tree; its copy of the site-packages goes on ``PYTHONPATH``."""
    root = layout.root / ROOT_DIR
    root.mkdir(parents=True, exist_ok=True)
    staged = rerooted(root, layout.location(SITE))
    staged.mkdir(parents=True, exist_ok=True)
    layout.locations[ROOT] = staged
    dirs = [staged]
    for platlib in layout.extra_dirs.get(SITE, []):
        extra = rerooted(root, platlib)
        layout.extra_dirs.setdefault(ROOT, []).append(extra)
        dirs.append(extra)
    _on_pythonpath(layout, dirs)


def install_command(
    layout: Layout, request: InstallRequest, installer: Installer, pip: list[str]
) -> list[str]:
    """The installer command for a ``prefix`` or ``root`` request (``pip``: the pip to use)."""
    wheels = [w.resolve() for w in request.wheels]
    if request.location == PREFIX:
        prefix = layout.root / PREFIX_DIR
        if installer == "uv":
            uv = commands.find_uv()
            return commands.uv_install(uv, layout.python, wheels, deps=request.deps, prefix=prefix)
        return commands.pip_install(pip, wheels, deps=request.deps, prefix=prefix)
    if installer == "uv":
        raise LayoutError(
            "`uv pip install` has no --root option, so the 'root' location cannot be made "
            "with installer 'uv'; use `installers = [\"pip\"]` for this scenario"
        )
    return commands.pip_install(pip, wheels, deps=request.deps, root=layout.root / ROOT_DIR)
