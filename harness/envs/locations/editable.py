"""The ``editable`` location: projects installed with ``pip install -e`` / ``uv pip install -e``
from source trees copied into the cell, the way a producer's or consumer's developer works.

Each project (named by the wheel id it would build) comes staged by the builder's supply
(:class:`harness.installs.EditableSource`: the files and the variant's ``pyproject.toml``
:func:`harness.builder.staging.stage` would write), is copied into ``editable/<id>``, then
installed editable with scikit-build-core's mode chosen by ``-C editable.mode=...``:

- ``redirect`` (the default): the wheel holds what CMake installed plus an import hook
  (``_editable_skbc_<name>.py`` + ``.pth``) that serves the packages listed in
  ``wheel.packages`` from the source tree; CMake-installed files land in site-packages.
- ``inplace``: CMake builds in the source tree itself and a ``.pth`` puts the source
  packages on ``sys.path``; nothing is installed but the metadata.

or, for a project whose (staged) ``build-system`` names meson-python, with its only mode,
``meson``: meson builds in ``build/cp3XY/`` of the source tree and an import hook serves
every installed file from that build tree, running ninja again on the first import of
each process. That hook calls the meson and ninja of the install, so the build cannot be
isolated: the project's build requirements (meson-python, meson and ninja from the index)
are installed into the layout first, and the install runs with ``--no-build-isolation``,
``MESON`` and ``NINJA`` naming the layout's own executables, never a tool of the host.

The build environment is the frontend's usual isolated one: scikit-build-core comes from the
index (through the work directory's uv cache), producer wheels a consumer builds against are
pinned to the harness's own files (``libfoo @ file://...``), never an index copy. An editable
install holds absolute paths into the cell, so such layouts are built per cell.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from harness.envs import commands, pipfinder
from harness.envs.layout import CommandRunner, Layout, LayoutError
from harness.envs.location import Location, Setup
from harness.installs import EditableSource, InstallRequest
from harness.vocabulary import EDITABLE, EDITABLE_MODES, Installer

EDITABLE_DIR = "editable"

SCIKIT_BUILD_CORE = "scikit_build_core.build"
MESON_PYTHON = "mesonpy"
BACKEND_OF_MODE: dict[str, str] = {
    "redirect": SCIKIT_BUILD_CORE,
    "inplace": SCIKIT_BUILD_CORE,
    "meson": MESON_PYTHON,
}
"""The build backend (``build-system.build-backend``) each editable mode belongs to."""
CONSTRAINTS_FILE = "editable-build-constraints.txt"
"""In the layout's root: ``dist @ file://...`` lines pinning build inputs to our wheels."""

NETWORK_VARIABLES = frozenset(
    {
        *(f"{scheme}_PROXY" for scheme in ("HTTP", "HTTPS", "ALL", "NO")),
        *(f"{scheme}_proxy" for scheme in ("http", "https", "all", "no")),
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "PIP_CERT",
        "REQUESTS_CA_BUNDLE",
        "PIP_INDEX_URL",
        "UV_INDEX_URL",
        "UV_DEFAULT_INDEX",
        "UV_NATIVE_TLS",
    }
)
"""What an editable build takes from the host besides the scrubbed setup environment: how
to reach the package index for its build backend (proxy, certificates, index mirror), the
same the builder's ``uv build`` uses. Never ``PIP_FIND_LINKS`` or other package sources."""


def network_env() -> dict[str, str]:
    """The host's :data:`NETWORK_VARIABLES` that are set."""
    return {k: v for k, v in os.environ.items() if k in NETWORK_VARIABLES}


def check_editable(request: InstallRequest) -> None:
    """A clear error for an editable request without projects, with an unknown mode or a
    mode of another build backend than the project's."""
    if not request.projects:
        raise LayoutError("an editable install request names no projects (wheel ids)")
    if request.wheels:
        raise LayoutError("an editable install builds projects from source; it takes no wheels")
    if request.editable_mode not in EDITABLE_MODES:
        raise LayoutError(
            f"unknown editable mode {request.editable_mode!r}; use one of {EDITABLE_MODES}"
        )
    for wheel in request.build_inputs:
        if not wheel.is_file():
            raise LayoutError(f"build input wheel {wheel} does not exist; build it first")
    wanted = BACKEND_OF_MODE[request.editable_mode]
    for item in request.projects:
        if item.backend != wanted:
            modes = [m for m, b in BACKEND_OF_MODE.items() if b == item.backend]
            raise LayoutError(
                f"editable install of {item.name!r}: mode {request.editable_mode!r} needs the "
                f"build backend {wanted!r}, the project's staged pyproject.toml names "
                f"{item.backend!r}; use mode {' or '.join(repr(m) for m in modes) or '(none known)'}"
            )


def constraint_lines(wheels: tuple[Path, ...]) -> list[str]:
    """``dist @ file://...`` per wheel (the distribution is the file name's first part)."""
    return [f"{w.name.split('-', 1)[0]} @ {w.resolve().as_uri()}" for w in sorted(wheels)]


def stage_project(layout: Layout, source: EditableSource) -> Path:
    """Copy the staged project into ``editable/<id>``."""
    destination = layout.location(EDITABLE) / source.name
    if destination.exists():
        raise LayoutError(f"project {source.name!r} is installed editable twice in one layout")
    return source.copy_to(destination)


class Editable(Location):
    """Not relocatable: an editable install's import hook names its source tree by
    absolute path, so such a layout is built once where it stays."""

    label = EDITABLE
    order = 80
    directory = EDITABLE_DIR
    relocatable = False

    def add(self, layout: Layout, setup: Setup) -> None:
        del setup
        layout.locations[EDITABLE] = self.own_directory(layout)

    def check(self, request: InstallRequest) -> None:
        check_editable(request)

    def install(
        self, layout: Layout, request: InstallRequest, installer: Installer, run: CommandRunner
    ) -> None:
        install(layout, request, installer, run)


LOCATION = Editable()


def install(
    layout: Layout, request: InstallRequest, installer: Installer, run: CommandRunner
) -> None:
    """Stage and install every project of ``request`` editable, in order."""
    check_editable(request)
    constraints = layout.root / CONSTRAINTS_FILE
    constraints.write_text("\n".join(constraint_lines(request.build_inputs)) + "\n", "utf-8")
    setting = f"editable.mode={request.editable_mode}"
    head = _install_command(layout, installer)
    for project in request.projects:
        wheel_id = project.name
        source = stage_project(layout, project)
        if request.editable_mode == "meson":
            _install_meson(layout, project, source, head, run)
            continue
        if installer == "uv":
            argv = [*head, "--no-deps", "--build-constraint", str(constraints)]
            argv += ["-C", setting, "-e", str(source)]
            env = network_env()
        else:
            argv = [*head, "--no-deps", "--config-settings", setting, "-e", str(source)]
            # pip hands PIP_CONSTRAINT to the pip that fills the isolated build environment
            env = {**network_env(), "PIP_CONSTRAINT": str(constraints)}
        run(
            argv,
            step=f"install {wheel_id} editable ({request.editable_mode}, {installer})",
            env=env,
            location=EDITABLE,
        )


def _install_command(layout: Layout, installer: Installer) -> list[str]:
    """``uv pip install`` / ``pip install`` into the layout's interpreter, without options
    from the host's configuration files."""
    if installer == "uv":
        return [commands.find_uv(), "pip", "install", "--python", str(layout.python), "--no-config"]
    pip = pipfinder.layout_pip(layout)
    return [*pip, "install", "--no-input", "--disable-pip-version-check"]


def _install_meson(
    layout: Layout, project: EditableSource, source: Path, head: list[str], run: CommandRunner
) -> None:
    """Install the build requirements into the layout, then the project without isolation."""
    wheel_id, requires = project.name, project.requires
    constraints = layout.root / CONSTRAINTS_FILE
    run(
        [*head, "-c", str(constraints), *requires],
        step=f"install the build requirements of {wheel_id}",
        env=network_env(),
        location=EDITABLE,
    )
    tools = {name.upper(): _layout_script(layout, name, wheel_id) for name in ("meson", "ninja")}
    run(
        [*head, "--no-deps", "--no-build-isolation", "-e", str(source)],
        step=f"install {wheel_id} editable (meson)",
        env={**network_env(), **tools},
        location=EDITABLE,
    )


def _layout_script(layout: Layout, name: str, wheel_id: str) -> str:
    """The layout's own ``name`` executable (``bin/meson``, ``Scripts\\ninja.exe``)."""
    found = shutil.which(name, path=str(layout.python.parent))
    if found is None:
        raise LayoutError(
            f"editable install of {wheel_id!r} (meson): its build requirements put no "
            f"{name!r} into {layout.python.parent}; meson-python's import hook runs meson and "
            f"ninja again on import, so build-system.requires must list {name!r} (from the index)"
        )
    return found
