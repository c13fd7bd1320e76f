"""One real build of the whole wheel matrix per test session, for the running interpreter.

Builds are the most expensive thing in the suite, so every builder test shares this one
work directory (under pytest's session temporary directory, nothing outside it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from harness import interpreters
from harness.build import Wheelhouse, build_all
from harness.workdir import WorkDir


@dataclass
class SessionBuild:
    workdir: WorkDir
    interpreter: interpreters.Interpreter
    wheelhouse: Wheelhouse
    progress: list[str]


@pytest.fixture(scope="session")
def session_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SessionBuild]:
    workdir = WorkDir(tmp_path_factory.mktemp("build-workdir"))
    interpreter = interpreters.find("current")
    progress: list[str] = []
    house = build_all(workdir, interpreter, progress=progress.append)
    yield SessionBuild(workdir, interpreter, house, progress)


@pytest.fixture(scope="session")
def wheelhouse(session_build: SessionBuild) -> Wheelhouse:
    return session_build.wheelhouse
