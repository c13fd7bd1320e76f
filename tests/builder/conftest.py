"""One real build of the whole wheel matrix per test session, for the running interpreter.

Builds are the most expensive thing in the suite, so every builder test shares this one
work directory (under pytest's session temporary directory, nothing outside it). The build
reads a snapshot of wheels-src/ taken at session start, so edits made while the suite runs
cannot make the second build of the cache test differ from the first.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from build_testlib import SessionBuild

from harness import interpreters, project
from harness.builder import Wheelhouse, build_all
from harness.workdir import WorkDir


@pytest.fixture(scope="session")
def session_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SessionBuild]:
    workdir = WorkDir(tmp_path_factory.mktemp("build-workdir"))
    snapshot = tmp_path_factory.mktemp("sources") / "wheels-src"
    shutil.copytree(
        project.wheels_src(Path(__file__).parent),
        snapshot,
        ignore=shutil.ignore_patterns("__pycache__", "build", "dist", "*.pyc"),
    )
    interpreter = interpreters.find("current")
    progress: list[str] = []
    house = build_all(workdir, interpreter, wheels_src=snapshot, progress=progress.append)
    yield SessionBuild(workdir, interpreter, house, progress, snapshot)


@pytest.fixture(scope="session")
def wheelhouse(session_build: SessionBuild) -> Wheelhouse:
    return session_build.wheelhouse
