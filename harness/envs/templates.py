"""Template layouts: built once per content key under ``WorkDir.envs``, copied per cell.

The key covers everything that decides a layout's contents: kind and provider
fingerprint, the base interpreter (real path and version), the installer and its
version, the wheel locations and every install request with its wheels' SHA-256, the
paths it removes and, for editable installs, the projects' source digests.
Creation of a copied template is atomic (:func:`harness.workdir.atomic_directory`):
when two pytest-xdist workers race, both build, one rename wins and the other's copy
is discarded. A layout that holds absolute paths into its own root (an editable
install's import hook, a venv over a base environment) cannot be copied: it is built
once where it stays, under a lock, and every cell uses it there, read-only
(:func:`ensure_in_place`).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

from harness import platforms
from harness.copying import CopyMode, copy_tree
from harness.envs import commands, manifest
from harness.envs.introspect import interpreter_identity
from harness.envs.layout import BaseProvider, Layout
from harness.filelock import locked
from harness.hashing import file_sha256
from harness.installs import InstallRequest
from harness.vocabulary import Installer
from harness.workdir import WorkDir, atomic_directory

TEMPLATE_SCHEMA = 1
"""Bump when the way layouts are built changes, so old templates are not reused."""
SCRATCH_DIR = "tmp"


@functools.cache
def installer_identity(installer: Installer) -> str:
    """The installer's version (uv), plus the harness's pip used for ``--user`` installs."""
    try:
        host_pip = importlib.metadata.version("pip")
    except importlib.metadata.PackageNotFoundError:
        host_pip = "none"
    if installer != "uv":
        return f"host-pip {host_pip}"
    done = subprocess.run(
        [commands.find_uv(), "--version"], capture_output=True, text=True, check=False
    )
    return f"{done.stdout.strip()}; host-pip {host_pip}"


def template_key(
    provider: BaseProvider,
    python: Path,
    installer: Installer,
    labels: list[str],
    installs: list[InstallRequest],
    *,
    fingerprints: Mapping[str, str] | None = None,
) -> str:
    """Directory name of the template for these inputs (readable prefix + content hash).

    ``fingerprints``: label -> what else decides that location (only non-empty ones, so
    the keys of templates without any stay what they were)."""
    real, version = interpreter_identity(python)
    data = {
        "schema": TEMPLATE_SCHEMA,
        "kind": provider.kind,
        "provider": provider.fingerprint(python),
        "platform": platforms.current().name,
        "python": [real, version],
        "installer": [installer, installer_identity(installer)],
        "labels": sorted(labels),
        "installs": [_install_key(r) for r in installs],
    }
    if fingerprints:
        data["locations"] = dict(sorted(fingerprints.items()))
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:20]
    return f"{provider.kind}-{installer}-{digest}"


def _install_key(request: InstallRequest) -> dict[str, object]:
    """What one install contributes to the key. Removals are added only when there are
    some, so a broken template never serves an intact cell (nor the reverse) while the
    keys of the intact templates already built stay what they were."""
    key: dict[str, object] = {
        "location": request.location,
        "deps": request.deps,
        "wheels": [[w.name, file_sha256(w)] for w in request.wheels],
    }
    if request.remove:
        key["remove"] = list(request.remove)
    if request.projects:
        key["projects"] = [[p.name, p.digest] for p in request.projects]
        key["editable_mode"] = request.editable_mode
        key["build_inputs"] = [[w.name, file_sha256(w)] for w in request.build_inputs]
    if request.sdists:
        key["sdists"] = [[s.name, file_sha256(s)] for s in request.sdists]
        key["build_isolation"] = request.build_isolation
        key["build_requirements"] = list(request.build_requirements)
        key["build_inputs"] = [[w.name, file_sha256(w)] for w in request.build_inputs]
    return key


def ensure_template(key: str, workdir: WorkDir, build: Callable[[Path], Layout]) -> Layout:
    """The template ``key``, built by ``build(empty_root)`` unless it already exists."""
    final = workdir.envs / key
    if not (final / manifest.MANIFEST).is_file():
        with atomic_directory(final, workdir.tmp) as scratch:
            layout = build(scratch)
            shutil.rmtree(scratch / SCRATCH_DIR, ignore_errors=True)
            (scratch / manifest.MANIFEST).write_text(manifest.dumps(layout), encoding="utf-8")
    return manifest.load(final / manifest.MANIFEST).relocated(final)


def ensure_in_place(key: str, workdir: WorkDir, build: Callable[[Path], Layout]) -> Layout:
    """The template ``key`` built where it stays (its absolute paths must hold), once.

    A lock serialises builders; the manifest, written last, marks a finished build, so
    a directory without one (a killed build) is removed and built again.
    """
    final = workdir.envs / key
    with locked(workdir.tmp / f"{key}.lock"):
        if not (final / manifest.MANIFEST).is_file():
            shutil.rmtree(final, ignore_errors=True)
            final.mkdir(parents=True)
            layout = build(final)
            shutil.rmtree(final / SCRATCH_DIR, ignore_errors=True)
            (final / manifest.MANIFEST).write_text(manifest.dumps(layout), encoding="utf-8")
    return manifest.load(final / manifest.MANIFEST).relocated(final)


def use_in_place(template: Layout, cell_dir: Path) -> Layout:
    """``template`` used where it was built, read-only, with the cell's own scratch
    directory as the temporary directory of its processes."""
    scratch = cell_dir / SCRATCH_DIR
    scratch.mkdir(parents=True, exist_ok=True)
    template.env.update(platforms.temp_dir_env(scratch, template.platform))
    return template


def clone(template: Layout, cell_dir: Path, mode: CopyMode) -> Layout:
    """Copy ``template``'s directories into ``cell_dir``; the layout as seen from there."""
    for entry in os.scandir(template.root):
        if entry.name == manifest.MANIFEST:
            continue
        if entry.is_dir(follow_symlinks=False):
            copy_tree(Path(entry.path), cell_dir / entry.name, mode=mode)
        else:
            shutil.copy2(entry.path, cell_dir / entry.name, follow_symlinks=False)
    (cell_dir / SCRATCH_DIR).mkdir(exist_ok=True)
    return template.relocated(cell_dir)
