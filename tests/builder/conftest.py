"""One real build of the whole wheel matrix per test session, for the running interpreter.

Builds are the most expensive thing in the suite, so every builder test, on every
pytest-xdist worker, shares this one work directory (under pytest's session temporary
directory, nothing outside it). Tests that build into it again hold its lock meanwhile. The build
reads a snapshot of wheels-src/ taken at session start, so edits made while the suite runs
cannot make the second build of the cache test differ from the first.
"""

from __future__ import annotations

import pytest
import suite_testlib
from suite_testlib import SessionBuild

from harness.builder import Wheelhouse


@pytest.fixture(scope="session")
def session_build(tmp_path_factory: pytest.TempPathFactory) -> SessionBuild:
    """The build, made by the first pytest-xdist worker that asks and read by the others
    (its progress lines kept beside it): two workers each building the whole matrix at
    once on two cores doubled the suite's longest setup."""
    return suite_testlib.session_catalogue(tmp_path_factory)


@pytest.fixture(scope="session")
def wheelhouse(session_build: SessionBuild) -> Wheelhouse:
    return session_build.wheelhouse
