"""The one-way core holds: ``lint-imports`` (the contracts in pyproject.toml) passes on the
tree, and fails on a copy with a cycle or an upward import added (negative controls)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("lint-imports")
    if not script.exists():
        pytest.skip("lint-imports (import-linter) is not installed in this environment")
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(script), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    shutil.copytree(
        PROJECT / "harness", root / "harness", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy2(PROJECT / "pyproject.toml", root / "pyproject.toml")
    return root


def _add_import(module: Path, after: str, line: str) -> None:
    text = module.read_text(encoding="utf-8")
    assert after in text, f"{module}: anchor {after!r} not found"
    module.write_text(text.replace(after, f"{after}\n{line}", 1), encoding="utf-8")


def test_the_contracts_hold_on_the_tree() -> None:
    done = lint_imports(PROJECT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "BROKEN" not in done.stdout
    assert done.stdout.count("KEPT") >= 3


def test_a_cycle_inside_a_package_breaks_the_contract(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    # envs.layouts imports envs.layout; layout importing layouts back closes a circle
    _add_import(
        root / "harness/envs/layout.py",
        "from harness.platforms import Platform",
        "from harness.envs import layouts  # noqa: F401",
    )
    done = lint_imports(root)
    assert done.returncode != 0
    assert "no import cycles" in done.stdout and "BROKEN" in done.stdout
    assert ".layout -> .layouts" in done.stdout


def test_an_upward_import_breaks_the_layers(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    # the evidence model is a leaf: it must not know about layouts
    _add_import(
        root / "harness/evidence.py",
        "from harness import platforms",
        "from harness.envs import layout  # noqa: F401",
    )
    done = lint_imports(root)
    assert done.returncode != 0
    assert "one-way core" in done.stdout and "BROKEN" in done.stdout
    assert "harness.evidence -> harness.envs.layout" in done.stdout


@pytest.mark.parametrize(
    ("edit", "contract", "route"),
    [
        (
            (
                "harness/envs/locations/editable.py",
                "from harness.envs import commands, pipfinder",
                "from harness.builder import staging  # noqa: F401",
            ),
            "envs never import the builder",
            "harness.envs.locations.editable -> harness.builder.staging",
        ),
        (
            (
                "harness/scenarios/cell_runner.py",
                "from harness.envs import registry",
                "from harness.builder.catalogue import WHEELS_BY_ID  # noqa: F401",
            ),
            "never from the catalogue",
            "harness.scenarios.cell_runner -> harness.builder.catalogue",
        ),
    ],
    ids=["envs-reads-builder", "scenarios-read-catalogue"],
)
def test_reading_the_catalogue_around_the_supply_breaks_a_contract(
    tmp_path: Path, edit: tuple[str, str, str], contract: str, route: str
) -> None:
    module, anchor, line = edit
    root = _copy(tmp_path)
    _add_import(root / module, anchor, line)
    done = lint_imports(root)
    assert done.returncode != 0
    assert contract in done.stdout and "BROKEN" in done.stdout
    assert route in done.stdout
