"""Cached template prefixes and cheap clones of them.

A template is installed once per (channel or conda, specs) key into
``<workdir>/envs/conda-<key>/`` inside a scratch directory that is renamed into place
(a concurrent run that loses the race discards its copy). Text files the installer
wrote the install path into (shebangs, ``_sysconfigdata``, ``.pc`` files...) are
listed in a marker file; a clone is a tree of hard links where only those files are
rewritten for the clone's own path, so it costs a directory walk, not a reinstall.
Hard links (not symlinks) keep ``$ORIGIN`` of the cloned python at the clone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath

from harness import platforms
from harness.conda import conda_paths
from harness.conda.errors import CondaError
from harness.workdir import WorkDir, atomic_directory

MARKER = ".harness-template.json"


def _files_naming(root: Path, needle: bytes) -> list[str]:
    """Text files under ``root`` whose content contains ``needle`` (binary files are skipped)."""
    found: list[str] = []
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            path = Path(dirpath) / name
            if path.is_symlink() or name.endswith(".pyc"):
                continue
            data = path.read_bytes()
            if needle in data and b"\0" not in data:
                found.append(path.relative_to(root).as_posix())
    return sorted(found)


def compile_site_packages(prefix: Path) -> None:
    """Byte-compile what the installer left uncompiled (noarch pip), once, in the template."""
    here = platforms.current()
    python = conda_paths.python(prefix, here)
    pattern = conda_paths.site_packages(PurePosixPath(), here, "3.*").as_posix()
    for site in prefix.glob(pattern):
        subprocess.run(
            [str(python), "-m", "compileall", "-q", "-j", "0", str(site)],
            capture_output=True,
            check=False,
            timeout=600,
        )


def ensure_template(
    workdir: WorkDir,
    key: str,
    install: Callable[[Path], Sequence[str]],
) -> Path:
    """``<workdir>/envs/conda-<key>``, made by ``install(prefix) -> package names`` if missing."""
    final = workdir.envs / f"conda-{key}"
    if (final / MARKER).is_file():
        return final
    with atomic_directory(final, workdir.tmp) as scratch:
        packages = install(scratch)
        compile_site_packages(scratch)
        marker = {
            "installed_at": str(scratch),
            "relocate": _files_naming(scratch, str(scratch).encode()),
            "packages": list(packages),
        }
        (scratch / MARKER).write_text(json.dumps(marker, indent=2))
    if not (final / MARKER).is_file():
        raise CondaError(f"template prefix {final} has no {MARKER}; delete it to rebuild")
    return final


def _hardlink_tree(template: Path, dest: Path) -> None:
    cp = shutil.which("cp")
    if cp is not None:
        result = subprocess.run(
            [cp, "-al", str(template), str(dest)], capture_output=True, text=True, check=False
        )
        if result.returncode == 0:
            return
        shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(template, dest, symlinks=True, copy_function=os.link)


def clone(template: Path, dest: Path) -> Path:
    """A private prefix at ``dest``: hard links to ``template``, relocated text files copied."""
    if dest.exists():
        raise CondaError(f"cannot create a conda prefix at {dest}: it already exists")
    marker = json.loads((template / MARKER).read_text())
    dest.parent.mkdir(parents=True, exist_ok=True)
    _hardlink_tree(template, dest)
    (dest / MARKER).unlink()
    old, new = marker["installed_at"].encode(), str(dest.resolve()).encode()
    for rel in marker["relocate"]:
        path = dest / rel
        data = path.read_bytes().replace(old, new)
        fresh = path.with_name(path.name + ".harness-relocate")
        fresh.write_bytes(data)
        shutil.copymode(path, fresh)
        fresh.replace(path)  # a new inode: the template's file is left untouched
    return dest
