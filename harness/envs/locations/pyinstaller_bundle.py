"""The ``pyinstaller`` location: the wheels frozen into a PyInstaller one-folder bundle.

Where many users meet native libraries: an app frozen with ``pyinstaller --onedir``
(PyInstaller from PyPI, its bootloader included). The wheels are installed into the
venv's site-packages as usual, PyInstaller (installed into the venv from the index,
through the work directory's uv cache) analyses that environment and writes
``pyinstaller/dist/app/``: the executable ``app`` and ``_internal/``, where the modules,
the extensions and every shared library it collected live (the location's directory).
PyInstaller collects a package's data files only when a hook asks: a producer's library
is bundled by the producer's own hook (``pyinstaller40`` entry point) or, when it can
resolve an extension's ``DT_NEEDED``, by the binary analysis.

The layout's interpreter becomes the bundle's ``app``, whose entry script behaves like
the interpreter for ``-c CODE ARGS`` and ``SCRIPT ARGS``, so the probe runs inside the
frozen app. The app imports every top-level module of the given wheels (hidden imports:
the steps name them by string) and the standard modules the probe needs.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import zipfile
from pathlib import Path

from harness import resources
from harness.envs import commands
from harness.envs.layout import CommandRunner, Layout, LayoutError
from harness.envs.location import Location, Setup
from harness.envs.locations.editable import network_env
from harness.envs.locations.site import LOCATION as SITE_LOCATION
from harness.installs import InstallRequest
from harness.vocabulary import PYINSTALLER, Installer

BUNDLE_DIR = "pyinstaller"
APP = "app"
PYINSTALLER_REQUIREMENT = "pyinstaller>=6.0"
ENTRY = "entry.py"
_ENTRY_SOURCE = '''\
"""A frozen app that behaves like the interpreter: ``-c CODE ARGS`` or ``SCRIPT ARGS``."""
import runpy
import sys

args = sys.argv[1:]
if args[:1] == ["-c"]:
    sys.argv = ["-c", *args[2:]]
    exec(compile(args[1], "<string>", "exec"), {"__name__": "__main__"})
elif args:
    sys.argv = args
    runpy.run_path(args[0], run_name="__main__")
'''


def top_level_modules(wheel: Path) -> list[str]:
    """The importable top-level modules and packages a wheel file holds."""
    found: set[str] = set()
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            first, _, rest = name.partition("/")
            if first.endswith((".dist-info", ".data", ".libs")):
                continue
            if rest and rest.split("/")[-1] == "__init__.py" and "/" not in rest:
                found.add(first)
            elif not rest and first.endswith(".py"):
                found.add(first[: -len(".py")])
    return sorted(found)


@functools.cache
def probe_imports() -> tuple[str, ...]:
    """The top-level standard modules the harness's probe imports (its own excepted);
    parsed once per process (every PyInstaller cell's template key names them)."""
    # read as data (never imported): its standard-library imports must be in the bundle
    files = [resources.path(name) for name in resources.PROBE_FILES]
    trees = [ast.parse(path.read_text(encoding="utf-8")) for path in files]
    return tuple(sorted({name for tree in trees for name in _imported(tree)}))


def _imported(tree: ast.Module) -> set[str]:
    names = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    names |= {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and not node.level
    }
    return names


class PyInstallerBundle(Location):
    label = PYINSTALLER
    order = 95
    directory = BUNDLE_DIR

    def fingerprint(self) -> str:
        """The entry script, the PyInstaller requirement and the probe's imports."""
        text = "\n".join([_ENTRY_SOURCE, PYINSTALLER_REQUIREMENT, *probe_imports()])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def add(self, layout: Layout, setup: Setup) -> None:
        """The bundle's directory; ``_internal`` is where its files will be."""
        del setup
        layout.locations[self.label] = self.own_directory(layout) / "dist" / APP / "_internal"

    def install(
        self, layout: Layout, request: InstallRequest, installer: Installer, run: CommandRunner
    ) -> None:
        """Install the wheels into the venv, then freeze an app from it (``--onedir``)."""
        directory = layout.root / BUNDLE_DIR
        if (directory / "dist").exists():
            raise LayoutError(f"the {self.label!r} location takes one install (one bundle)")
        SITE_LOCATION.install(layout, request, installer, run)
        uv = commands.find_uv()
        run(
            [
                uv,
                "pip",
                "install",
                "--python",
                str(layout.python),
                "--no-config",
                PYINSTALLER_REQUIREMENT,
            ],
            step="install PyInstaller into the venv (from the index)",
            env=network_env(),
            location=self.label,
        )
        (directory / ENTRY).write_text(_ENTRY_SOURCE, encoding="utf-8")
        hidden = [m for wheel in request.wheels for m in top_level_modules(wheel)]
        argv = [str(layout.python), "-m", "PyInstaller", "--onedir", "--noconfirm"]
        argv += ["--log-level", "WARN", "--name", APP, "--distpath", str(directory / "dist")]
        argv += ["--workpath", str(directory / "build"), "--specpath", str(directory / "build")]
        for module in [*probe_imports(), *hidden]:
            argv += ["--hidden-import", module]
        run(
            [*argv, str(directory / ENTRY)],
            step="freeze the app (pyinstaller --onedir)",
            location=self.label,
            wheels=list(request.wheels),
        )
        layout.python = directory / "dist" / APP / APP


LOCATION = PyInstallerBundle()
