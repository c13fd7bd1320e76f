"""Fixtures for ``harness check``: the project's example wheels as plain files, outside the
catalogue (copied out of the builder's wheelhouse into directories the check reads)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import suite_testlib

LOADERS = ("shared_lib_manager", "shared_lib_consumer")


@pytest.fixture(scope="session")
def built_wheels(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """``built_wheels(wheel_id)`` -> the built wheel file (the wheelhouse is built once,
    under the same lock scenario runs use)."""
    return suite_testlib.built_wheels(tmp_path_factory)


@pytest.fixture
def family_dir(tmp_path: Path, built_wheels: Callable[[str], Path]) -> Callable[..., Path]:
    """``family_dir("libfoo", "pyfoo", name=...)`` -> a directory holding those wheels plus
    the loader packages, as a maintainer's ``dist/`` would."""

    def make(*wheel_ids: str, name: str = "dist", loaders: bool = True) -> Path:
        directory = tmp_path / name
        directory.mkdir(parents=True)
        for wheel_id in (*(LOADERS if loaders else ()), *wheel_ids):
            shutil.copy2(built_wheels(wheel_id), directory)
        return directory

    return make
