"""The ``venv`` provider: a virtual environment made by ``uv venv`` or ``python -m venv``.

Installer ``uv`` makes the venv with ``uv venv`` (fast, no pip inside); ``pip`` makes
it with the standard library's ``venv`` (pip bundled, as most users have it). The
``site`` location is whatever the venv's interpreter reports as ``purelib``; a
different ``platlib`` is recorded as another directory of ``site``.

A venv survives being copied to another path: ``pyvenv.cfg``'s ``home`` names the
base interpreter (absolute, outside the venv), ``bin/python`` is a symlink to it,
``sys.prefix`` is found from the path the interpreter was started by, and the
scripts' shebangs do not matter because cells run ``python`` directly.

``python -m venv`` spends seconds in ``ensurepip``; with a work directory the provider
makes that venv once per interpreter (:func:`pip_venv`, under ``cache/pip-venvs/``, or in
``$HARNESS_PIP_VENVS`` shared by several work dirs) and every pip layout gets a
hard-linked copy whose own paths (``pyvenv.cfg``'s ``command``, the scripts' shebangs,
the activation scripts; POSIX only, as Windows' script launchers embed it) are rewritten to where the copy lives, as ``python -m venv``
there would have written them (tests/envs/test_envs_pip_venv_clone.py compares both).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import re
import sys
from pathlib import Path

from harness import platforms, stores
from harness.copying import copy_tree
from harness.envs import commands
from harness.envs.introspect import install_paths, interpreter_identity
from harness.envs.layout import CommandRunner, Layout
from harness.vocabulary import SITE, Installer
from harness.workdir import WorkDir

VENV_DIR = "venv"
BASE_SCHEMA = 1
"""Bump when the way the shared pip venv is made changes."""
SHARED_PIP_VENVS_VAR = "HARNESS_PIP_VENVS"
_ORIGIN = "origin.txt"
"""Beside the shared venv: the path ``python -m venv`` made it at (rewritten in copies)."""


def pip_venv(
    python: Path,
    venv_dir: Path,
    *,
    system_site_packages: bool,
    run: CommandRunner,
    workdir: WorkDir,
) -> None:
    """Make ``venv_dir`` what ``python -m venv [--system-site-packages] venv_dir`` makes.

    The venv itself is made once per interpreter and flag under ``workdir.cache``; this
    copies it (hard links) and rewrites the old path in the few text files holding it.
    """
    real, version = interpreter_identity(python)
    data = [BASE_SCHEMA, str(python), real, version, system_site_packages]
    digest = hashlib.sha256(json.dumps(data).encode()).hexdigest()[:20]

    def make(scratch: Path) -> None:
        made = scratch / VENV_DIR
        argv = commands.create_venv("pip", python, made, system_site_packages=system_site_packages)
        run(argv, step="create venv (pip)")
        (scratch / _ORIGIN).write_text(str(made), encoding="utf-8")

    # one maker per venv: concurrent runs wait for it instead of each paying ensurepip
    venvs = stores.store(workdir, SHARED_PIP_VENVS_VAR, "pip-venvs")
    final = venvs.make_once(digest, make, lock_prefix="pip-venv", ready=_ORIGIN)
    origin = (final / _ORIGIN).read_text(encoding="utf-8")
    copy_tree(final / VENV_DIR, venv_dir, mode="link")
    _relocate(venv_dir, origin)


def _relocate(venv_dir: Path, origin: str) -> None:
    """Rewrite ``origin`` to ``venv_dir`` in ``pyvenv.cfg`` and the scripts, each as a
    new file (the copy's other files stay links to the shared venv), and the hashes of
    the rewritten scripts in the ``RECORD`` files that list them."""
    scripts = [p for p in venv_dir.glob("*/*") if p.parent.name in ("bin", "Scripts")]
    rewritten: set[Path] = set()
    for path in [venv_dir / "pyvenv.cfg", *scripts]:
        if path.is_symlink() or not path.is_file():
            continue
        data = path.read_bytes()
        new = _reshebang(data, origin, str(venv_dir)) if path in scripts else None
        if new is None:
            new = data.replace(origin.encode(), str(venv_dir).encode())
        if new != data:
            _rewrite(path, new)
            rewritten.add(path)
    for record in venv_dir.glob("lib*/*/site-packages/*.dist-info/RECORD"):
        _fix_record(record, rewritten)
    for record in venv_dir.glob("Lib/site-packages/*.dist-info/RECORD"):
        _fix_record(record, rewritten)


_SH_HEADER = re.compile(rb"\A#!/bin/sh\n'''exec' (\S+) \"\$0\" \"\$@\"\n' '''\n")
_SIMPLE_HEADER = re.compile(rb"\A#!(\S+)\n")
MAX_SHEBANG = 512 if sys.platform == "darwin" else 127
"""pip's scripts (distlib) take ``/bin/sh`` as their interpreter past this length."""


def _reshebang(data: bytes, origin: str, new_root: str) -> bytes | None:
    """A pip-made script's header as pip writes it for the interpreter moved from
    ``origin`` to ``new_root`` (``#!`` and the path or, past :data:`MAX_SHEBANG` or with
    a space, the ``/bin/sh`` form); ``None`` for a file without such a header."""
    found = _SH_HEADER.match(data) or _SIMPLE_HEADER.match(data)
    if found is None or not found.group(1).startswith(origin.encode()):
        return None
    executable = new_root.encode() + found.group(1)[len(origin) :]
    if b" " not in executable and len(executable) + 3 <= MAX_SHEBANG:
        header = b"#!" + executable + b"\n"
    else:
        header = b"#!/bin/sh\n'''exec' " + executable + b' "$0" "$@"\n' + b"' '''\n"
    return header + data[found.end() :]


def _rewrite(path: Path, data: bytes) -> None:
    mode = path.stat().st_mode
    path.unlink()
    path.write_bytes(data)
    path.chmod(mode)


def _fix_record(record: Path, rewritten: set[Path]) -> None:
    """The RECORD as pip would have written it for the rewritten files."""
    site = record.parent.parent
    rows = list(csv.reader(record.read_text(encoding="utf-8").splitlines()))
    changed = False
    for row in rows:
        if len(row) != 3:
            continue
        target = Path(os.path.normpath(site / row[0]))
        if target in rewritten:
            data = target.read_bytes()
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            row[1:] = [f"sha256={digest.decode()}", str(len(data))]
            changed = True
    if changed:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        _rewrite(record, out.getvalue().encode("utf-8"))


class VenvProvider:
    """The base of ``venv`` layouts: a virtual environment of the cell's interpreter."""

    kind = "venv"
    relocatable = True

    def __init__(self, workdir: WorkDir | None = None) -> None:
        self.workdir = workdir
        """Where the shared pip venv lives; without one, every pip venv is made anew."""

    def fingerprint(self, python: Path) -> str:
        return "venv-2"  # 2: user layouts hide the base site-packages (NO_BASE_SITE_PTH)

    def create_base(
        self,
        root: Path,
        python: Path,
        *,
        installer: Installer,
        user_site: bool,
        run: CommandRunner,
    ) -> Layout:
        platform = platforms.current()
        venv_dir = root / VENV_DIR
        # CPython turns the user site off in a venv unless it includes the system
        # site-packages (site.venv()), and pip refuses `--user` there too; so a venv
        # with a user location says `include-system-site-packages = true`, and the user
        # location hides the base interpreter's site-packages again
        # (harness.envs.locations.user.NO_BASE_SITE_PTH).
        if installer == "pip" and self.workdir is not None and os.name == "posix":
            pip_venv(
                python, venv_dir, system_site_packages=user_site, run=run, workdir=self.workdir
            )
        else:
            argv = commands.create_venv(installer, python, venv_dir, system_site_packages=user_site)
            run(argv, step=f"create venv ({installer})")
        venv_python = platforms.venv_interpreter(venv_dir, platform)
        found = install_paths(venv_python, {}, run)
        extra_dirs = {SITE: [found.platlib]} if found.platlib != found.purelib else {}
        return Layout(
            kind=self.kind,
            root=root,
            python=venv_python,
            locations={SITE: found.purelib},
            extra_dirs=extra_dirs,
            platform=platform,
        )
