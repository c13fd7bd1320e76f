"""The ``editable`` location: projects installed with ``pip install -e`` / ``uv pip install -e``
from source trees copied into the cell, the way a producer's or consumer's developer works.

Each project (named by the wheel id it would build) is staged exactly as the builder stages
it (:func:`harness.builder.staging.stage`) into ``editable/<id>``, then installed editable
with scikit-build-core's mode chosen by ``-C editable.mode=...``:

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
import sys
from pathlib import Path

from harness import project
from harness.builder.catalogue import WHEELS_BY_ID
from harness.builder.staging import PYPROJECT, project_dir, source_digest, stage, staged_pyproject
from harness.envs import commands
from harness.envs.base import CommandRunner, InstallRequest, Layout, LayoutError
from harness.vocabulary import EDITABLE, EDITABLE_MODES, Installer

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

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
    """A clear error for an editable request without projects or with an unknown mode."""
    if not request.projects:
        raise LayoutError("an editable install request names no projects (wheel ids)")
    if request.wheels:
        raise LayoutError("an editable install builds projects from source; it takes no wheels")
    for item in request.projects:
        if item not in WHEELS_BY_ID:
            raise LayoutError(
                f"editable install of {item!r}: not a wheel id of the catalogue "
                "(harness/builder/catalogue.py)"
            )
    if request.editable_mode not in EDITABLE_MODES:
        raise LayoutError(
            f"unknown editable mode {request.editable_mode!r}; use one of {EDITABLE_MODES}"
        )
    for wheel in request.build_inputs:
        if not wheel.is_file():
            raise LayoutError(f"build input wheel {wheel} does not exist; build it first")
    wanted = BACKEND_OF_MODE[request.editable_mode]
    for item in request.projects:
        backend, _ = build_system(item)
        if backend != wanted:
            modes = [m for m, b in BACKEND_OF_MODE.items() if b == backend]
            raise LayoutError(
                f"editable install of {item!r}: mode {request.editable_mode!r} needs the "
                f"build backend {wanted!r}, the project's staged pyproject.toml names "
                f"{backend!r}; use mode {' or '.join(repr(m) for m in modes) or '(none known)'}"
            )


def build_system(wheel_id: str) -> tuple[str, list[str]]:
    """``build-backend`` and ``requires`` of the project of ``wheel_id`` as its variant
    stages it (a variant may name another backend than the project's own file)."""
    spec = WHEELS_BY_ID[wheel_id]
    pyproject = project_dir(project.wheels_src(), spec) / PYPROJECT
    try:
        original = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise LayoutError(f"{pyproject}: invalid TOML: {error}") from error
    table = staged_pyproject(original, spec).get("build-system")
    table = table if isinstance(table, dict) else {}
    backend = table.get("build-backend", "setuptools.build_meta:__legacy__")
    requires = table.get("requires", [])
    return str(backend), [str(r) for r in requires] if isinstance(requires, list) else []


def constraint_lines(wheels: tuple[Path, ...]) -> list[str]:
    """``dist @ file://...`` per wheel (the distribution is the file name's first part)."""
    return [f"{w.name.split('-', 1)[0]} @ {w.resolve().as_uri()}" for w in sorted(wheels)]


def stage_project(layout: Layout, wheel_id: str) -> Path:
    """Copy the project of ``wheel_id`` (with its variant's pyproject) into ``editable/``."""

    spec = WHEELS_BY_ID[wheel_id]
    destination = layout.location(EDITABLE) / wheel_id
    if destination.exists():
        raise LayoutError(f"project {wheel_id!r} is installed editable twice in one layout")
    return stage(project_dir(project.wheels_src(), spec), spec, destination)


def install(
    layout: Layout,
    request: InstallRequest,
    installer: Installer,
    run: CommandRunner,
    pip: list[str],
) -> None:
    """Stage and install every project of ``request`` editable, in order."""
    check_editable(request)
    constraints = layout.root / CONSTRAINTS_FILE
    constraints.write_text("\n".join(constraint_lines(request.build_inputs)) + "\n", "utf-8")
    setting = f"editable.mode={request.editable_mode}"
    head = _install_command(layout, installer, pip)
    for wheel_id in request.projects:
        source = stage_project(layout, wheel_id)
        if request.editable_mode == "meson":
            _install_meson(layout, wheel_id, source, head, run)
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


def _install_command(layout: Layout, installer: Installer, pip: list[str]) -> list[str]:
    """``uv pip install`` / ``pip install`` into the layout's interpreter, without options
    from the host's configuration files."""
    if installer == "uv":
        return [commands.find_uv(), "pip", "install", "--python", str(layout.python), "--no-config"]
    return [*pip, "install", "--no-input", "--disable-pip-version-check"]


def _install_meson(
    layout: Layout, wheel_id: str, source: Path, head: list[str], run: CommandRunner
) -> None:
    """Install the build requirements into the layout, then the project without isolation."""
    _, requires = build_system(wheel_id)
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


def project_digest(wheel_id: str) -> str:
    """Hash of the project an editable install of ``wheel_id`` is made from (its sources and
    variant): part of a template's key, so an edited source tree gets a new layout."""

    spec = WHEELS_BY_ID[wheel_id]
    return source_digest(project_dir(project.wheels_src(), spec), spec)
