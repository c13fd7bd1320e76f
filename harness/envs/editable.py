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

The build environment is the frontend's usual isolated one: scikit-build-core comes from the
index (through the work directory's uv cache), producer wheels a consumer builds against are
pinned to the harness's own files (``libfoo @ file://...``), never an index copy. An editable
install holds absolute paths into the cell, so such layouts are built per cell.
"""

from __future__ import annotations

import os
from pathlib import Path

from harness.envs import commands
from harness.envs.base import CommandRunner, InstallRequest, Layout, LayoutError
from harness.vocabulary import EDITABLE, EDITABLE_MODES, Installer

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
    from harness.builder.catalogue import WHEELS_BY_ID  # noqa: PLC0415

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


def constraint_lines(wheels: tuple[Path, ...]) -> list[str]:
    """``dist @ file://...`` per wheel (the distribution is the file name's first part)."""
    return [f"{w.name.split('-', 1)[0]} @ {w.resolve().as_uri()}" for w in sorted(wheels)]


def stage_project(layout: Layout, wheel_id: str) -> Path:
    """Copy the project of ``wheel_id`` (with its variant's pyproject) into ``editable/``."""
    from harness import project  # noqa: PLC0415
    from harness.builder.catalogue import WHEELS_BY_ID  # noqa: PLC0415
    from harness.builder.staging import project_dir, stage  # noqa: PLC0415

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
    constraints = layout.root / "editable-build-constraints.txt"
    constraints.write_text("\n".join(constraint_lines(request.build_inputs)) + "\n", "utf-8")
    setting = f"editable.mode={request.editable_mode}"
    for wheel_id in request.projects:
        source = stage_project(layout, wheel_id)
        if installer == "uv":
            argv = [commands.find_uv(), "pip", "install", "--python", str(layout.python)]
            argv += ["--no-config", "--no-deps", "--build-constraint", str(constraints)]
            argv += ["-C", setting, "-e", str(source)]
            env = network_env()
        else:
            argv = [*pip, "install", "--no-deps", "--no-input", "--disable-pip-version-check"]
            argv += ["--config-settings", setting, "-e", str(source)]
            # pip hands PIP_CONSTRAINT to the pip that fills the isolated build environment
            env = {**network_env(), "PIP_CONSTRAINT": str(constraints)}
        run(
            argv,
            step=f"install {wheel_id} editable ({request.editable_mode}, {installer})",
            env=env,
            location=EDITABLE,
        )


def project_digest(wheel_id: str) -> str:
    """Hash of the project an editable install of ``wheel_id`` is made from (its sources and
    variant): part of a template's key, so an edited source tree gets a new layout."""
    from harness import project  # noqa: PLC0415
    from harness.builder.catalogue import WHEELS_BY_ID  # noqa: PLC0415
    from harness.builder.staging import project_dir, source_digest  # noqa: PLC0415

    spec = WHEELS_BY_ID[wheel_id]
    return source_digest(project_dir(project.wheels_src(), spec), spec)
