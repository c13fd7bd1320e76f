"""Template layouts: built once per content key under ``WorkDir.envs``, copied per cell.

The key covers everything that decides a layout's contents: kind and provider
fingerprint, the base interpreter (real path and version), the installer and its
version, the wheel locations and every install request with its wheels' SHA-256 and
the paths it removes.
Creation is atomic (:func:`harness.workdir.atomic_directory`): when two
pytest-xdist workers race, both build, one rename wins and the other's copy is
discarded.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from harness import platforms
from harness.copying import CopyMode, copy_tree
from harness.envs import commands, manifest
from harness.envs.base import BaseProvider, InstallRequest, Layout
from harness.envs.introspect import interpreter_identity
from harness.hashing import file_sha256
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
) -> str:
    """Directory name of the template for these inputs (readable prefix + content hash)."""
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
