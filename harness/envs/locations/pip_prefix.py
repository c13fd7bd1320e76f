"""The ``prefix`` location: ``pip install --prefix P``, with ``P``'s site-packages on ``PYTHONPATH``.

How distributions and container images stage packages outside an interpreter's own
site-packages: ``--prefix P`` installs with the interpreter's *prefix* scheme rooted at
``P`` (``P/lib/pythonX.Y/site-packages``, ``P\\Lib\\site-packages`` on Windows), and users
put that directory on ``PYTHONPATH``. The directories are asked from the layout's
interpreter (``sysconfig``), never computed here. (:mod:`harness.envs.locations.pip_root`
is its ``--root`` sibling.)
"""

from __future__ import annotations

import json
from pathlib import Path

from harness.envs import pipfinder
from harness.envs.layout import Layout
from harness.envs.location import Location, Setup, on_pythonpath
from harness.installs import InstallRequest
from harness.vocabulary import PREFIX, Installer

PREFIX_DIR = "prefix"

# Runs under Python >= 3.9: the purelib/platlib of the "prefix" scheme rooted at argv[1].
_PREFIX_SCHEME = """\
import json, os, sys, sysconfig
get = getattr(sysconfig, "get_preferred_scheme", None)
scheme = get("prefix") if get else ("nt" if os.name == "nt" else "posix_prefix")
base = {"base": sys.argv[1], "platbase": sys.argv[1]}
print(json.dumps([sysconfig.get_path(k, scheme, base) for k in ("purelib", "platlib")]))
"""


class Prefix(Location):
    label = PREFIX
    order = 40
    directory = PREFIX_DIR

    def add(self, layout: Layout, setup: Setup) -> None:
        """An empty install prefix whose site-packages the layout's processes import from."""
        prefix = self.own_directory(layout)
        output = setup.run(
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
        on_pythonpath(layout, dirs)

    def command(self, layout: Layout, request: InstallRequest, installer: Installer) -> list[str]:
        prefix = layout.root / PREFIX_DIR
        return pipfinder.install_argv(
            layout, installer, request.wheels, deps=request.deps, prefix=prefix
        )


LOCATION = Prefix()
