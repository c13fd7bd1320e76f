"""``$HARNESS_CONDA_PACKAGES``: work dirs sharing one directory of built conda packages.

A package's key is its content (the interpreter's files, the packaging code), so a work
dir may link a package another work dir built. With the variable set, racing work dirs
build a package once (a lock, not only the atomic rename); without it each builds its own.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import pytest
from suite_testlib import race

from harness import stores
from harness.conda import channel as local_channel
from harness.conda.package_writer import PackageSpec
from harness.workdir import WorkDir

pytestmark = pytest.mark.slow


def _race(tmp_path: Path, tag: str) -> tuple[list[str], list[Path]]:
    """Two work dirs ask for one package at once; the builds made and the files returned."""
    built: list[str] = []

    def slow_build(payload: Path, _scratch: Path) -> PackageSpec:
        built.append(str(payload))  # a stand-in for the seconds of a python package
        time.sleep(0.5)
        (payload / "lib").mkdir()
        (payload / "lib" / "libdemo.so.1").write_bytes(b"demo")
        return PackageSpec(name="demo", version="1.0", build="h0_0", depends=())

    def one(index: int) -> Path:
        work = WorkDir(tmp_path / tag / f"work{index}")
        return local_channel._cached_package(work, "demo-0123", slow_build)

    found = race(2, one)
    return built, found


def test_work_dirs_sharing_the_packages_build_each_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "locked" / "shared"
    monkeypatch.setenv(local_channel.SHARED_PACKAGES_VAR, str(shared))
    built, found = _race(tmp_path, "locked")
    assert len(built) == 1
    assert found[0] == found[1] == shared / "demo-0123" / "linux-64" / "demo-1.0-h0_0.conda"
    assert not (tmp_path / "locked" / "work0" / "cache" / "conda").exists()
    assert [p.name for p in (shared / ".tmp").iterdir() if not p.name.endswith(".lock")] == []

    # controls: without the lock both racers build; without the variable each work dir
    # builds its own, into its own cache
    monkeypatch.setattr(stores, "locked", lambda path: contextlib.nullcontext())
    monkeypatch.setenv(local_channel.SHARED_PACKAGES_VAR, str(tmp_path / "unlocked" / "shared"))
    assert len(_race(tmp_path, "unlocked")[0]) == 2
    monkeypatch.delenv(local_channel.SHARED_PACKAGES_VAR)
    built, found = _race(tmp_path, "own")
    assert len(built) == 2
    assert sorted(p.relative_to(tmp_path / "own").parts[0] for p in found) == ["work0", "work1"]


def test_the_suites_work_dirs_link_one_python_package(conda_workdir: WorkDir) -> None:
    """The suite shares its packages (tests/conftest.py): the session's conda work dir
    keeps no python package of its own."""
    shared = Path(os.environ[local_channel.SHARED_PACKAGES_VAR])
    assert not (conda_workdir.cache / "conda" / "pkgs").exists()
    assert any(p.name.startswith("python-") for p in shared.iterdir())
