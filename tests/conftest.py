"""Suite-wide fixtures."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import suite_testlib

from harness.conda.channel import SHARED_PACKAGES_VAR
from harness.envs.venv import SHARED_PIP_VENVS_VAR

_SHARED = {SHARED_PIP_VENVS_VAR: "pip-venvs", SHARED_PACKAGES_VAR: "conda-packages"}
"""Content-keyed caches every work dir of the session shares: the variable, the directory."""


@pytest.fixture(scope="session", autouse=True)
def _shared_caches(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every work dir of the session (most tests make fresh ones) copies its pip venvs
    from one directory shared by the xdist workers, and links its conda python and pip
    packages from another, so ``python -m venv`` (seconds of ``ensurepip``) runs once per
    interpreter and setting and a conda python package (seconds of bz2) once per
    interpreter, not once per work dir. Tests about a work dir's own caches, or about
    cold runs, unset them."""
    root = suite_testlib.session_root(tmp_path_factory)
    added = [var for var in _SHARED if var not in os.environ]
    for var in added:
        os.environ[var] = str(root / _SHARED[var])
    try:
        yield
    finally:
        for var in added:
            os.environ.pop(var, None)
