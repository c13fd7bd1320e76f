"""Suite-wide fixtures."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import suite_testlib

from harness.conda.channel import SHARED_PACKAGES_VAR
from harness.envs.venv import SHARED_PIP_VENVS_VAR
from harness.scenarios.run_command import AUTO_WORKERS_VAR, usable_cores

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


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """What ``-n auto`` means for this suite (the README's ``tox -e tests``): one worker
    more than the usable cores. About a tenth of the suite's time on two cores is waiting
    (locks held by another worker's build, probe time-outs, sandbox and Wine start-up),
    and a spare worker fills it; in measured pairs on 2 cores the suite took about 5 %
    less wall time for about the same CPU (docs/benchmarks.md, eleventh round).
    pytest-xdist's own answer stands where its variable is set or ``-n logical`` is
    asked for."""
    if os.environ.get(AUTO_WORKERS_VAR) or config.option.numprocesses == "logical":
        return None
    return usable_cores() + 1
