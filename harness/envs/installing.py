"""Install exact wheel files into one named location of a layout, never from an index."""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

from harness.copying import link_or_copy
from harness.envs import baseenv, commands, prefix, wheeldirs, zipped
from harness.envs.base import CommandRunner, InstallRequest, Layout, LayoutError
from harness.envs.removing import apply_removals, check_removals
from harness.vocabulary import (
    BASE,
    EDITABLE,
    PREFIX,
    ROOT,
    SITE,
    TARGET,
    USER,
    WHEEL_DIRS,
    WHEEL_LOCATIONS,
    ZIPPED,
    Installer,
)


def check_request(request: InstallRequest) -> None:
    """A clear error before any installer runs: unknown label, no wheels, missing files."""
    if request.location not in WHEEL_LOCATIONS:
        known = ", ".join(sorted(WHEEL_LOCATIONS))
        raise LayoutError(
            f"cannot install wheels into location {request.location!r}: wheels go into "
            f"one of {known} (the 'system' location takes a library directory instead)"
        )
    if request.location == EDITABLE:
        from harness.envs.editable import check_editable  # noqa: PLC0415 - avoids a cycle

        check_editable(request)
        return
    if not request.wheels:
        raise LayoutError(f"install request for location {request.location!r} names no wheels")
    for wheel in request.wheels:
        if not wheel.is_file():
            raise LayoutError(
                f"wheel file {wheel} (for location {request.location!r}) does not exist; "
                "build it first (`harness build`) or fix the path"
            )
        if wheel.suffix != ".whl":
            raise LayoutError(
                f"{wheel} (for location {request.location!r}) is not a .whl file; "
                "only built wheels are installed"
            )
    check_removals(request.remove, request.location)


def _pip(layout: Layout) -> list[str]:
    """The layout's own pip when it can import one, else the base interpreter's pip
    acting on it (``--python``), else the harness's pip.

    A pip-made venv has pip in its site; a uv-made venv has none, and the base
    interpreter's site-packages are hidden from it (harness.envs.user.NO_BASE_SITE_PTH),
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


def install_command(layout: Layout, request: InstallRequest, installer: Installer) -> list[str]:
    """The installer command line for ``request`` in ``layout``."""
    wheels: Sequence[Path] = [w.resolve() for w in request.wheels]
    if request.location == USER:
        return commands.pip_install(_pip(layout), wheels, deps=request.deps, user=True)
    if request.location in (PREFIX, ROOT):
        return prefix.install_command(layout, request, installer, _pip(layout))
    target = layout.location(TARGET) if request.location == TARGET else None
    if installer == "uv":
        uv = commands.find_uv()
        return commands.uv_install(uv, layout.python, wheels, deps=request.deps, target=target)
    return commands.pip_install(_pip(layout), wheels, deps=request.deps, target=target)


def install(
    layout: Layout, request: InstallRequest, installer: Installer, run: CommandRunner
) -> None:
    """Install ``request``'s wheels into its location of ``layout``."""
    check_request(request)
    layout.location(request.location)  # the location must have been added first
    if request.deps:
        request = _with_private_find_links(layout, request)
    if request.location in _OWN_INSTALLERS:
        _OWN_INSTALLERS[request.location](layout, request, installer, run)
        _removals(layout, request)
        return
    argv = install_command(layout, request, installer)
    used = "pip" if request.location == USER else installer
    env = {"PYTHONUSERBASE": layout.env["PYTHONUSERBASE"]} if request.location == USER else None
    run(
        argv,
        step=f"install into {request.location} ({used})",
        env=env,
        location=request.location,
        wheels=list(request.wheels),
    )
    _removals(layout, request)


def _removals(layout: Layout, request: InstallRequest) -> None:
    if request.remove:
        apply_removals(
            layout.location(request.location),
            request.remove,
            location=request.location,
            wheels=request.wheels,
        )


def _editable(
    layout: Layout, request: InstallRequest, installer: Installer, run: CommandRunner
) -> None:
    from harness.envs import editable  # noqa: PLC0415 - only editable layouts build from source

    editable.install(layout, request, installer, run, _pip(layout))


_OWN_INSTALLERS: dict[str, Callable[[Layout, InstallRequest, Installer, CommandRunner], None]] = {
    WHEEL_DIRS: lambda layout, request, installer, run: wheeldirs.install(
        layout, request, installer, run, _pip(layout)
    ),
    ZIPPED: lambda layout, request, installer, run: zipped.install(
        layout, request, installer, run, _pip(layout)
    ),
    BASE: lambda layout, request, installer, run: baseenv.install(
        layout, request, installer, run, _pip(layout)
    ),
    EDITABLE: _editable,
}
"""Locations whose installs are more than one installer command (module per location)."""


def _with_private_find_links(layout: Layout, request: InstallRequest) -> InstallRequest:
    """The same request with its wheels linked into a directory that holds only them.

    With ``deps`` the installer resolves ``Requires-Dist`` from ``--find-links``; the
    wheelhouse itself must never be that directory, because it also holds variants
    (``libfoo 1.0+nosoname`` sorts above ``1.0`` and would win).
    """
    directory = layout.root / "find-links" / request.location
    directory.mkdir(parents=True, exist_ok=True)
    linked: list[Path] = []
    for wheel in request.wheels:
        destination = directory / wheel.name
        if not destination.exists():
            link_or_copy(wheel, destination)
        linked.append(destination)
    return dataclasses.replace(request, wheels=linked)
