"""Fixtures of the conda tests: one local channel per session (shared by the pytest-xdist
workers), in the session's temp dir."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import suite_testlib

from harness import interpreters
from harness.conda import channel as local_channel
from harness.conda import cpython, prefix
from harness.filelock import locked
from harness.workdir import WorkDir

_LINUX_REASONS = [
    (sys.platform != "linux", "conda prefixes with a relocated CPython are made on Linux only"),
    (shutil.which("patchelf") is None, "patchelf is not on PATH"),
    (shutil.which("cc") is None and shutil.which("gcc") is None, "no C compiler on PATH"),
]
_REASONS = [(shutil.which("cmake") is None, "cmake is not on PATH")]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip what cannot run here; modules with ``CROSS_PLATFORM = True`` need only cmake."""
    for item in items:
        if "conda" not in item.path.parts:
            continue
        module = getattr(item, "module", None)
        reasons = _REASONS
        if not getattr(module, "CROSS_PLATFORM", False):
            reasons = [*_LINUX_REASONS, *_REASONS]
        for condition, reason in reasons:
            if condition:
                item.add_marker(pytest.mark.skip(reason=reason))
                break


@pytest.fixture(scope="session")
def interpreter() -> Path:
    return interpreters.find("current").executable


@pytest.fixture(scope="session")
def conda_workdir(tmp_path_factory: pytest.TempPathFactory, interpreter: Path) -> WorkDir:
    """One work dir for every pytest-xdist worker of the session, its local channel built
    by the first worker that asks (the others wait, then find it cached): each worker
    building its own channel cost half a minute of both cores."""
    root = suite_testlib.session_root(tmp_path_factory)
    workdir = WorkDir(root / "conda-work")
    with locked(root / "conda-work.lock"):
        local_channel.ensure_channel(
            workdir, cpython.inspect(interpreter), prefix.default_libfoo_source()
        )
    return workdir
