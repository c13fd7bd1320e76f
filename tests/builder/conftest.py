"""One real build of the whole wheel matrix per test session, for the running interpreter.

Builds are the most expensive thing in the suite, so every builder test, on every
pytest-xdist worker, shares this one work directory (under pytest's session temporary
directory, nothing outside it). Tests that build into it again hold its lock meanwhile. The build
reads a snapshot of wheels-src/ taken at session start, so edits made while the suite runs
cannot make the second build of the cache test differ from the first.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import suite_testlib
from build_testlib import SessionBuild

from harness import interpreters, project
from harness.builder import Wheelhouse, build_all
from harness.builder.wheelhouse import write_json
from harness.filelock import locked
from harness.workdir import WorkDir


@pytest.fixture(scope="session")
def session_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SessionBuild]:
    """The build, made by the first pytest-xdist worker that asks and read by the others
    (its progress lines kept beside it): two workers each building the whole matrix at
    once on two cores doubled the suite's longest setup."""
    root = suite_testlib.session_root(tmp_path_factory)
    with locked(root / "session-build.lock"):
        workdir = WorkDir(root / "build-workdir")
        snapshot = root / "sources" / "wheels-src"
        interpreter = interpreters.find("current")
        done = root / "session-build.json"
        if not done.is_file():
            shutil.rmtree(root / "sources", ignore_errors=True)
            shutil.copytree(
                project.wheels_src(Path(__file__).parent),
                snapshot,
                ignore=shutil.ignore_patterns("__pycache__", "build", "dist", "*.pyc"),
            )
            lines: list[str] = []
            build_all(workdir, interpreter, wheels_src=snapshot, progress=lines.append)
            write_json(done, lines)
        progress = json.loads(done.read_text(encoding="utf-8"))
        house = Wheelhouse.load(workdir.wheelhouse / interpreter.tag)
    yield SessionBuild(workdir, interpreter, house, progress, snapshot, root / "session-build.lock")


@pytest.fixture(scope="session")
def wheelhouse(session_build: SessionBuild) -> Wheelhouse:
    return session_build.wheelhouse
