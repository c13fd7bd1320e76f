"""Make the layout of one cell: base kind + wheel locations + installs + system libraries.

This is the entry point scenarios use::

    spec = LayoutSpec(python=interpreter.executable, installer="uv",
                      installs=(InstallRequest("target", [producer_whl]),
                                InstallRequest("site", [consumer_whl])),
                      system=prefix_library_dir(system_prefix, platforms.current()))
    layout = make_layout(spec, cell_dir, workdir=WorkDir())

Layouts are reused from templates unless ``reuse=False`` (a scenario that needs a
pristine build); ``copy_mode="copy"`` gives a cell its own file contents for
scenarios that write into installed files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from harness import platforms, tools
from harness.copying import CopyMode
from harness.envs import locations
from harness.envs.installing import check_request, install
from harness.envs.layout import PASSTHROUGH, BaseProvider, Layout, LayoutError
from harness.envs.location import Setup
from harness.envs.locations.user import USER_BASE_DIR
from harness.envs.logged_runner import LoggedRunner
from harness.envs.system import SYSTEM_DIR, add_system
from harness.envs.templates import (
    SCRATCH_DIR,
    clone,
    ensure_in_place,
    ensure_template,
    template_key,
    use_in_place,
)
from harness.envs.venv import VENV_DIR, VenvProvider
from harness.installs import InstallRequest
from harness.vocabulary import INSTALLERS, SITE, WHEEL_LOCATIONS, Installer
from harness.workdir import WorkDir

LOG_DIR = "logs"
_CELL_ENTRIES = (VENV_DIR, SYSTEM_DIR, LOG_DIR, SCRATCH_DIR, *locations.cell_entries())


@dataclass(frozen=True)
class LayoutSpec:
    """What a cell's layout consists of."""

    python: Path
    """The base interpreter (``harness.interpreters.find("3.12").executable``)."""
    kind: str = "venv"
    installer: Installer = "uv"
    installs: tuple[InstallRequest, ...] = ()
    """Applied in order; producer and consumer may go to different locations."""
    locations: tuple[str, ...] = ()
    """Wheel locations to create even when nothing is installed there (``target``, ``user``)."""
    system: Path | None = None
    """A directory of native libraries to expose as the ``system`` location."""

    def wheel_labels(self) -> list[str]:
        """``site`` plus every location named by the installs or ``locations``."""
        labels = {SITE, *self.locations, *(r.location for r in self.installs)}
        return sorted(labels)

    def relocatable(self) -> bool:
        """Whether a template of this layout still works from a copy: not when a location
        holds absolute paths into its own root (a venv's ``home`` in the base environment,
        an editable install's import hook). Such layouts are never copied; they are built
        once where they stay and used there by every cell (``copy_mode="copy"``: built in
        the cell)."""
        return all(location.relocatable for location in locations.in_order(self.wheel_labels()))


def setup_env(root: Path, workdir: WorkDir) -> dict[str, str]:
    """The hermetic environment installers and venv creation run with."""
    platform = platforms.current()
    env = {k: v for k, v in os.environ.items() if k in PASSTHROUGH}
    if "PATH" in env:  # the CMake a build finds on PATH, as its binary (tools.py)
        env["PATH"] = tools.binaries_before_wrappers(env["PATH"])
    env.update(platforms.temp_dir_env(root / SCRATCH_DIR, platform))
    home = root / SCRATCH_DIR / "home"
    home.mkdir(parents=True, exist_ok=True)
    env.update(platforms.home_dir_env(home, platform))
    env.update(
        {
            "PYTHONUSERBASE": str(root / USER_BASE_DIR),  # never the host's ~/.local
            "PYTHONDONTWRITEBYTECODE": "1",
            "PIP_CONFIG_FILE": os.devnull,
            "UV_CACHE_DIR": str(workdir.cache / "uv"),
            "UV_PYTHON_DOWNLOADS": "never",
        }
    )
    return env


def cell_env(root: Path) -> dict[str, str]:
    """Variables every layout's processes start with (the user location relaxes one)."""
    env = {"PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1"}
    env.update(platforms.temp_dir_env(root / SCRATCH_DIR, platforms.current()))
    return env


def build_layout(
    spec: LayoutSpec, root: Path, *, provider: BaseProvider, workdir: WorkDir, log_dir: Path
) -> Layout:
    """Create the layout in the empty directory ``root`` (no template involved)."""
    (root / SCRATCH_DIR).mkdir(parents=True, exist_ok=True)
    run = LoggedRunner(log_dir, cwd=root, base_env=setup_env(root, workdir))
    used = locations.in_order(spec.wheel_labels())
    setup = Setup(
        labels=frozenset(spec.wheel_labels()),
        installer=spec.installer,
        run=run,
        provider_kind=provider.kind,
    )
    python = spec.python
    for location in used:
        python = location.interpreter(root, python, setup)
    # a venv sees PYTHONUSERBASE and the base environment only with the system site packages
    layout = provider.create_base(
        root,
        python,
        installer=spec.installer,
        user_site=any(location.user_site for location in used),
        run=run,
    )
    layout.env.update(cell_env(root))
    for location in used:
        location.add(layout, setup)
    for request in spec.installs:
        install(layout, request, spec.installer, run)
    return layout


def _check_spec(spec: LayoutSpec) -> None:
    if spec.installer not in INSTALLERS:
        raise LayoutError(f"unknown installer {spec.installer!r}; use one of {INSTALLERS}")
    for label in spec.locations:
        if label not in WHEEL_LOCATIONS:
            raise LayoutError(
                f"unknown location {label!r} in LayoutSpec.locations; use "
                f"{sorted(WHEEL_LOCATIONS)} (and LayoutSpec.system for 'system')"
            )
    for request in spec.installs:
        check_request(request)
    if not Path(spec.python).exists():
        raise LayoutError(f"interpreter {spec.python} does not exist")


def make_layout(
    spec: LayoutSpec,
    cell_dir: Path,
    *,
    workdir: WorkDir | None = None,
    provider: BaseProvider | None = None,
    reuse: bool = True,
    copy_mode: CopyMode = "link",
) -> Layout:
    """The ready layout of one cell, under ``cell_dir`` (created if missing).

    Install logs go to ``cell_dir/logs``. With ``reuse`` (the default) the layout
    is a copy of a cached template, built first if needed.
    """
    _check_spec(spec)
    workdir = workdir or WorkDir()
    if provider is None:
        if spec.kind != VenvProvider.kind:
            raise LayoutError(f"layout kind {spec.kind!r} needs its provider passed explicitly")
        provider = VenvProvider(workdir)
    if provider.kind != spec.kind:
        raise LayoutError(f"provider of kind {provider.kind!r} cannot make a {spec.kind!r} layout")
    cell_dir = cell_dir.resolve()
    cell_dir.mkdir(parents=True, exist_ok=True)
    taken = [name for name in _CELL_ENTRIES if (cell_dir / name).exists()]
    if taken:
        raise LayoutError(
            f"cell directory {cell_dir} already holds {', '.join(taken)}; "
            "every cell needs a fresh directory"
        )
    log_dir = cell_dir / LOG_DIR

    def build(root: Path) -> Layout:
        return build_layout(spec, root, provider=provider, workdir=workdir, log_dir=log_dir)

    if reuse and provider.relocatable:
        used = locations.in_order(spec.wheel_labels())
        fingerprints = {loc.label: loc.fingerprint() for loc in used if loc.fingerprint()}
        key = template_key(
            provider,
            spec.python,
            spec.installer,
            spec.wheel_labels(),
            list(spec.installs),
            fingerprints=fingerprints,
        )
        if spec.relocatable():
            layout = clone(ensure_template(key, workdir, build), cell_dir, copy_mode)
        elif copy_mode == "link":
            # absolute paths into its own root: built once where it stays, shared read-only
            layout = use_in_place(ensure_in_place(key, workdir, build), cell_dir)
        else:
            layout = build(cell_dir)
    else:
        layout = build(cell_dir)
    if spec.system is not None:
        add_system(layout, spec.system, into=cell_dir)
    return layout
