"""The ``base`` location: a base environment the harness makes, seen through a venv created
from it with ``--system-site-packages``.

Users meet this when a system or image Python already holds the producer and a project
venv adds the consumer on top. The base must be a real base interpreter (a venv made from
a venv points at the *original* base, not at the inner venv's packages), and never the
host's own interpreter, whose site-packages the harness must not touch. So the base is a
relocated copy of the cell's interpreter: its executable copied into ``base/bin`` and its
standard library linked entry by entry into ``base/lib/pythonX.Y``, with an empty
``site-packages`` of its own. CPython finds its prefix from the landmark
``lib/pythonX.Y/os.py`` next to the executable, so ``sys.prefix`` is ``base/`` and the
site-packages is the cell's. POSIX only: a Windows base needs the DLLs and ``Lib`` of the
installation copied the Windows way (not built yet).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from harness import platforms
from harness.envs import commands, pipfinder
from harness.envs.layout import CommandRunner, Layout, LayoutError
from harness.envs.location import Location, Setup
from harness.installs import InstallRequest
from harness.vocabulary import BASE, Installer

BASE_DIR = "base"

_FACTS = """\
import json, sys, sysconfig
print(json.dumps({"executable": sys.executable, "prefix": sys.base_prefix,
                  "stdlib": sysconfig.get_path("stdlib"),
                  "version": "%d.%d" % sys.version_info[:2]}))
"""
_SITE = "import json, sysconfig; print(json.dumps(sysconfig.get_path('purelib')))"


def base_python(root: Path) -> Path:
    """The base environment's interpreter inside a layout rooted at ``root``."""
    return root / BASE_DIR / "bin" / "python"


def make_base(root: Path, python: Path, run: CommandRunner) -> Path:
    """Make ``root/base`` from the base interpreter ``python``; return its interpreter."""
    if platforms.current().name == "windows":
        raise LayoutError(
            "the 'base' location (a harness-made base environment) is built on POSIX only; "
            'declare `platforms = ["linux", "macos"]` for this scenario'
        )
    facts = json.loads(
        run([str(python), "-c", _FACTS], step="query base interpreter").strip().splitlines()[-1]
    )
    prefix, stdlib = Path(facts["prefix"]), Path(facts["stdlib"])
    executable = Path(os.path.realpath(facts["executable"]))
    base = root / BASE_DIR
    if stdlib.parent != prefix / "lib":
        raise LayoutError(
            f"the interpreter {python} keeps its standard library in {stdlib}, not under "
            f"{prefix}/lib; a base environment cannot be derived from it"
        )
    (base / "bin").mkdir(parents=True)
    copy = base / "bin" / executable.name
    shutil.copy2(executable, copy)  # a copy, not a link: CPython resolves links to find its prefix
    if copy.name != "python":
        (base / "bin" / "python").symlink_to(copy.name)
    lib = base / "lib"
    lib.mkdir()
    for entry in os.scandir(prefix / "lib"):
        if entry.name != stdlib.name:  # libpythonX.Y.so and friends
            (lib / entry.name).symlink_to(entry.path)
    (lib / stdlib.name).mkdir()
    for entry in os.scandir(stdlib):
        # the base is the harness's own: no EXTERNALLY-MANAGED marker of a distribution python
        if entry.name not in ("site-packages", "EXTERNALLY-MANAGED"):
            (lib / stdlib.name / entry.name).symlink_to(entry.path)
    interpreter = base_python(root)
    site = Path(json.loads(run([str(interpreter), "-c", _SITE], step="query base site").strip()))
    if site != lib / stdlib.name / "site-packages":
        raise LayoutError(
            f"the base environment's interpreter {interpreter} reports site-packages {site}, "
            f"not its own {lib / stdlib.name / 'site-packages'}; it did not find its prefix"
        )
    site.mkdir()
    return interpreter


class BaseEnvironment(Location):
    """Not relocatable: the venv's ``home`` points into the base environment by absolute
    path, so a layout with it is built once where it stays and used there."""

    label = BASE
    order = 10
    directory = BASE_DIR
    relocatable = False
    user_site = True  # the venv sees the base environment through the system site

    def interpreter(self, root: Path, python: Path, setup: Setup) -> Path:
        """The base environment's interpreter, made under ``root`` (venv layouts only)."""
        if setup.provider_kind != "venv":
            raise LayoutError(
                f"the 'base' location needs a venv layout (a venv over a base environment), "
                f"not {setup.provider_kind!r}"
            )
        return make_base(root, python, setup.run)

    def add(self, layout: Layout, setup: Setup) -> None:
        """Record the base environment's site-packages as the ``base`` location."""
        del setup
        site = layout.root / BASE_DIR / "lib"
        found = [p for p in site.glob("python*/site-packages") if p.is_dir()]
        if len(found) != 1:
            raise LayoutError(
                f"base environment {layout.root / BASE_DIR} has no single site-packages"
            )
        layout.locations[BASE] = found[0]

    def install(
        self, layout: Layout, request: InstallRequest, installer: Installer, run: CommandRunner
    ) -> None:
        """Install into the base environment with its own interpreter (the venv only sees it).

        The layout's pip acts on the base interpreter, as with ``--python`` (pip runs itself
        there, so it must support that Python: the venv's own pip does).
        """
        python = base_python(layout.root)
        wheels = [w.resolve() for w in request.wheels]
        if installer == "uv":
            argv = commands.uv_install(commands.find_uv(), python, wheels, deps=request.deps)
        else:
            pip = pipfinder.layout_pip(layout, acting_on=python)
            argv = commands.pip_install(pip, wheels, deps=request.deps)
        run(
            argv,
            step=f"install into the base environment ({installer})",
            location=BASE,
            wheels=wheels,
        )


LOCATION = BaseEnvironment()
