"""Suite-wide fixtures."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import suite_testlib

from harness.envs.venv import SHARED_PIP_VENVS_VAR


@pytest.fixture(scope="session", autouse=True)
def _shared_pip_venvs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every work dir of the session (most tests make fresh ones) copies its pip venvs
    from one directory shared by the xdist workers, so ``python -m venv`` (seconds of
    ``ensurepip``) runs once per interpreter and setting, not once per work dir. Tests
    about the work dir's own venv cache, or about cold runs, unset it."""
    if SHARED_PIP_VENVS_VAR in os.environ:
        yield
        return
    os.environ[SHARED_PIP_VENVS_VAR] = str(
        suite_testlib.session_root(tmp_path_factory) / "pip-venvs"
    )
    try:
        yield
    finally:
        os.environ.pop(SHARED_PIP_VENVS_VAR, None)
