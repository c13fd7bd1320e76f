"""Fixtures for the scenario package tests (pytester is enabled suite-wide in pyproject.toml)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def write_scenario(tmp_path: Path) -> Callable[[str, str], Path]:
    """``write_scenario(name, toml_text)`` -> path of ``<tmp>/scenarios/<name>/scenario.toml``."""

    def write(name: str, text: str) -> Path:
        directory = tmp_path / "scenarios" / name
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "scenario.toml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write
