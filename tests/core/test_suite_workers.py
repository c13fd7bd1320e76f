"""How many pytest-xdist workers the README's test command starts (``-n auto``, answered
by the suite's ``tests/conftest.py``)."""

from __future__ import annotations

import pytest

from harness.scenarios.run_command import AUTO_WORKERS_VAR, usable_cores


def _auto_workers(config: pytest.Config) -> int:
    answer: int = config.hook.pytest_xdist_auto_num_workers(config=config)
    return answer


@pytest.fixture
def auto_config(pytestconfig: pytest.Config, monkeypatch: pytest.MonkeyPatch) -> pytest.Config:
    """The session's configuration as ``-n auto`` sees it, pytest-xdist's variable unset."""
    pytest.importorskip("xdist", reason="pytest-xdist is not installed: pip install pytest-xdist")
    monkeypatch.delenv(AUTO_WORKERS_VAR, raising=False)
    monkeypatch.setattr(pytestconfig.option, "numprocesses", "auto", raising=False)
    return pytestconfig


def test_auto_is_one_worker_more_than_the_usable_cores(auto_config: pytest.Config) -> None:
    assert _auto_workers(auto_config) == usable_cores() + 1


def test_xdists_own_settings_still_decide(
    auto_config: pytest.Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Control: where pytest-xdist's variable is set, or ``-n logical`` asked for, the
    answer is pytest-xdist's, not the suite's."""
    from xdist import plugin

    monkeypatch.setenv(AUTO_WORKERS_VAR, "7")
    assert _auto_workers(auto_config) == 7
    monkeypatch.delenv(AUTO_WORKERS_VAR)
    monkeypatch.setattr(auto_config.option, "numprocesses", "logical")
    assert _auto_workers(auto_config) == plugin.pytest_xdist_auto_num_workers(auto_config)
