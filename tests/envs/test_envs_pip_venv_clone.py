"""A pip venv copied from the shared one is what ``python -m venv`` makes in its place.

What the loader and pip see is compared with a venv made there by ``python -m venv``:
every file under the venv (bytes, with each venv's own path written as ``<venv>``; the
bytecode caches by name only, their headers hold timestamps), the symlinks, the
settings of ``pyvenv.cfg``, and what the venv's interpreter reports (``sys.path``,
``sys.prefix``, the install paths, the user site, ``pip --version``).
"""

from __future__ import annotations

import base64
import contextlib
import csv
import hashlib
import json
import os
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
import suite_testlib

from harness import stores
from harness.copying import copy_tree
from harness.envs.venv import SHARED_PIP_VENVS_VAR, pip_venv
from harness.workdir import WorkDir

pytestmark = pytest.mark.slow


_REPORT = """\
import json, site, sys, sysconfig
print(json.dumps({
    "path": sys.path, "prefix": sys.prefix, "base_prefix": sys.base_prefix,
    "purelib": sysconfig.get_path("purelib"), "platlib": sysconfig.get_path("platlib"),
    "user_site": site.ENABLE_USER_SITE, "executable": sys.executable,
}))
"""


@pytest.fixture(scope="session")
def venvs_work_dir(tmp_path_factory: pytest.TempPathFactory) -> WorkDir:
    """A work dir for every xdist worker whose venvs come from the suite's shared ones
    (``$HARNESS_PIP_VENVS``, tests/conftest.py), made once per setting for the whole
    session; a work dir's own cache is the same store in another place
    (``test_work_dirs_sharing_the_venvs_make_each_once`` and the cold runs use it)."""
    return WorkDir(suite_testlib.session_root(tmp_path_factory) / "pip-venv-clone-work")


def _shared_venvs(workdir: WorkDir) -> Path:
    return stores.store(workdir, SHARED_PIP_VENVS_VAR, "pip-venvs").root


def _run(argv: Sequence[str], *, step: str, **_: object) -> str:
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


def _view(venv: Path) -> dict[str, object]:
    """Everything compared, with ``venv``'s own path as ``<venv>``."""
    own = str(venv)
    files: dict[str, object] = {}
    for path in sorted(venv.rglob("*")):
        rel = path.relative_to(venv).as_posix()
        if path.is_symlink():
            files[rel] = "-> " + str(path.readlink()).replace(own, "<venv>")
        elif path.is_dir():
            files[rel] = "dir"
        elif "__pycache__" in path.parts:
            files[rel] = "bytecode"
        elif path.name == "RECORD":
            files[rel] = _record(path)
        else:
            files[rel] = path.read_bytes().replace(own.encode(), b"<venv>")
    config = {}
    for line in (venv / "pyvenv.cfg").read_text().splitlines():
        key, _, value = line.partition("=")
        config[key.strip()] = value.strip().replace(own, "<venv>")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONNOUSERSITE": "",
        "HOME": str(venv.parent.parent),
    }
    python = venv / "bin" / "python"
    report = subprocess.run(
        [str(python), "-c", _REPORT], capture_output=True, text=True, check=True, env=env
    ).stdout.replace(own, "<venv>")
    pip = subprocess.run(
        [str(python), "-m", "pip", "--version"], capture_output=True, text=True, check=True, env=env
    ).stdout.replace(own, "<venv>")
    return {"files": files, "pyvenv.cfg": config, "interpreter": json.loads(report), "pip": pip}


def _record(record: Path) -> list[str]:
    """A RECORD's rows with each hash and size checked against the file it names."""
    rows = []
    for row in csv.reader(record.read_text().splitlines()):
        path, digest, size = row
        if digest:
            data = (record.parent.parent / path).read_bytes()
            actual = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            ok = digest == f"sha256={actual.decode()}" and size == str(len(data))
            rows.append(f"{path} {'matches' if ok else 'does not match'}")
        else:
            rows.append(path)
    return rows


def _differences(a: dict[str, object], b: dict[str, object]) -> list[str]:
    out = []
    for part, x in a.items():
        y = b[part]
        if isinstance(x, dict) and isinstance(y, dict):
            out += [f"{part}:{k}" for k in sorted(set(x) | set(y)) if x.get(k) != y.get(k)]
        elif x != y:
            out.append(part)
    return out


@pytest.mark.parametrize("system_site", [False, True], ids=["isolated", "system-site"])
def test_copied_pip_venv_is_what_python_m_venv_makes(
    python: Path, tmp_path: Path, system_site: bool, venvs_work_dir: WorkDir
) -> None:
    workdir = venvs_work_dir
    made = tmp_path / "made" / "venv"
    extra = ["--system-site-packages"] if system_site else []
    subprocess.run([str(python), "-m", "venv", *extra, str(made)], check=True)
    first = tmp_path / "first" / "venv"
    copied = tmp_path / "copied" / "venv"
    pip_venv(python, first, system_site_packages=system_site, run=_run, workdir=workdir)
    pip_venv(python, copied, system_site_packages=system_site, run=_run, workdir=workdir)
    # the second venv is a copy of the shared one (hard links), not a new `python -m venv`
    pip_files = sorted((copied / "lib").rglob("pip/__init__.py"))
    assert pip_files and pip_files[0].stat().st_nlink >= 3
    expected = _view(made)
    assert _differences(_view(copied), expected) == []
    assert _differences(_view(first), expected) == []

    # negative controls: the venv with the other setting differs where the loader and pip
    # look, and a copy whose paths are not rewritten still names the shared venv
    other = tmp_path / "other" / "venv"
    pip_venv(python, other, system_site_packages=not system_site, run=_run, workdir=workdir)
    changed = _differences(_view(other), expected)
    assert "pyvenv.cfg:include-system-site-packages" in changed
    assert "interpreter:path" in changed
    raw = tmp_path / "raw" / "venv"
    copy_tree(copied, raw)
    stale = _differences(_view(raw), _view(made))
    assert any(d.startswith("files:bin/pip") for d in stale), stale


def test_copy_does_not_write_into_the_shared_venv(
    python: Path, tmp_path: Path, venvs_work_dir: WorkDir
) -> None:
    """The rewritten files are new files: the shared venv keeps its own paths."""
    cell = tmp_path / "cell" / "venv"
    pip_venv(python, cell, system_site_packages=False, run=_run, workdir=venvs_work_dir)
    config = (cell / "pyvenv.cfg").read_text()
    (shared,) = [
        entry
        for entry in _shared_venvs(venvs_work_dir).iterdir()
        if (entry / "origin.txt").is_file()
        and (entry / "venv" / "pyvenv.cfg")
        .read_text()
        .replace((entry / "origin.txt").read_text(), str(cell))
        == config
    ]
    origin = (shared / "origin.txt").read_text()
    for name in ("pyvenv.cfg", "bin/pip"):
        assert (cell / name).stat().st_nlink == 1
        assert str(cell) in (cell / name).read_text()
        assert str(cell) not in (shared / "venv" / name).read_text()
    assert origin in (shared / "venv" / "bin" / "pip").read_text()
    assert (cell / "bin" / "activate").stat().st_nlink == 1
    # control: the files without the path stay links to the shared venv
    (pip_init,) = cell.rglob("pip/__init__.py")
    assert pip_init.samefile(shared / "venv" / pip_init.relative_to(cell))


def test_work_dirs_sharing_the_venvs_make_each_once(
    python: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``$HARNESS_PIP_VENVS`` two work dirs racing for one venv run ``python -m
    venv`` once (a lock, not only the atomic rename); without the lock both run it."""
    made: list[Path] = []

    def slow_venv(argv: Sequence[str], *, step: str, **_: object) -> str:
        target = Path(argv[-1])  # a stand-in for ensurepip's seconds: pyvenv.cfg only
        made.append(target)
        time.sleep(0.5)
        target.mkdir(parents=True)
        (target / "pyvenv.cfg").write_text(f"command = python -m venv {target}\n")
        return ""

    def race(tag: str) -> list[Path]:
        made.clear()
        monkeypatch.setenv(SHARED_PIP_VENVS_VAR, str(tmp_path / tag / "shared"))

        def one(index: int) -> None:
            work = WorkDir(tmp_path / tag / f"work{index}")
            cell = tmp_path / tag / f"cell{index}" / "venv"
            pip_venv(python, cell, system_site_packages=False, run=slow_venv, workdir=work)
            assert str(cell) in (cell / "pyvenv.cfg").read_text()

        suite_testlib.race(2, one)
        return list(made)

    assert len(race("locked")) == 1
    (entry,) = [p for p in (tmp_path / "locked" / "shared").iterdir() if p.name != ".tmp"]
    assert (entry / "venv" / "pyvenv.cfg").is_file()
    assert not (tmp_path / "locked" / "work0" / "cache" / "pip-venvs").exists()
    monkeypatch.setattr(stores, "locked", lambda path: contextlib.nullcontext())
    assert len(race("unlocked")) == 2  # control: each racer pays for its own venv
