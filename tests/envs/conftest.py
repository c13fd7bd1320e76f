"""Fixtures for the environment provider tests: tiny real wheels, an interpreter, a work dir."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness import interpreters
from harness.workdir import WorkDir

PRODUCER = "demo_producer"
CONSUMER = "demo_consumer"

_PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "{dist}"
version = "1.0"
dependencies = [{deps}]

[tool.setuptools]
packages = ["{module}"]
"""


def _write_project(root: Path, module: str, deps: list[str], body: str) -> Path:
    project = root / module
    (project / module).mkdir(parents=True)
    dist = module.replace("_", "-")
    quoted = ", ".join(f'"{d}"' for d in deps)
    text = _PYPROJECT.format(dist=dist, deps=quoted, module=module)
    (project / "pyproject.toml").write_text(text)
    (project / module / "__init__.py").write_text(body)
    return project


def _build_wheel(project: Path, out: Path) -> None:
    """``pip wheel`` without build isolation when setuptools is here, else ``uv build``."""
    if importlib.util.find_spec("setuptools") and importlib.util.find_spec("wheel"):
        argv = [sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps"]
        argv += ["--no-index", "--no-cache-dir", "-q", "-w", str(out), str(project)]
    elif shutil.which("uv"):
        argv = ["uv", "build", "--wheel", "-q", "--out-dir", str(out), str(project)]
    else:
        pytest.skip("building test wheels needs setuptools+wheel or uv")
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"could not build test wheel {project.name}: {done.stderr[-500:]}")


@pytest.fixture(scope="session")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``demo_producer`` and ``demo_consumer`` (which requires the producer) wheels."""
    root = tmp_path_factory.mktemp("wheel-projects")
    out = tmp_path_factory.mktemp("wheels")
    _build_wheel(_write_project(root, PRODUCER, [], "NAME = 'producer'\n"), out)
    consumer_body = "import demo_producer\n\nNAME = 'consumer of ' + demo_producer.NAME\n"
    _build_wheel(_write_project(root, CONSUMER, ["demo-producer"], consumer_body), out)
    found = {w.name.split("-")[0]: w for w in out.glob("*.whl")}
    assert set(found) == {PRODUCER, CONSUMER}, found
    return found


@pytest.fixture(scope="session")
def python() -> Path:
    """The base interpreter the layouts are made from (the running Python's version)."""
    return interpreters.find("current").executable


@pytest.fixture
def workdir(tmp_path: Path) -> WorkDir:
    """A fresh work directory: no template from another test is reused."""
    return WorkDir(tmp_path / "work")


@pytest.fixture(scope="session")
def shared_workdir(tmp_path_factory: pytest.TempPathFactory) -> WorkDir:
    """A work directory shared by tests whose layouts may come from the same template."""
    return WorkDir(tmp_path_factory.mktemp("shared-work"))
