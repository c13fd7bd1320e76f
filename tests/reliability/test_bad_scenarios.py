"""Bad scenario input, given to the real ``harness list`` process (issue 11, point 5).

Each fault is a real file on disk: a Latin-1 byte in scenario.toml, a NUL in an
``[env]`` value, an unknown wheel id, a misspelled ``scenario.tml``, checks without a
scenario, a directory name with brackets. ``harness list`` must name the file, the key
and the fix for each, exit 1, print no traceback, and still list the good scenarios.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.scenarios import parse

PROJECT = Path(__file__).resolve().parents[2]


def _copy(root: Path, source: str, name: str) -> Path:
    shutil.copytree(PROJECT / "scenarios" / source, root / name)
    return root / name / parse.SCENARIO_FILE


def _harness_list(root: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(PROJECT)
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", "list", "--scenarios", str(root)],
        cwd=root, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture
def root(tmp_path: Path) -> Path:
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    _copy(scenarios, "venv-basic", "good")
    return scenarios


def _errors(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stdout + result.stderr
    # the good scenario is still listed
    assert "good: " in result.stdout, result.stdout
    return [line for line in result.stderr.splitlines() if line.startswith("error: ")]


def test_non_utf8_file_is_named_and_others_still_listed(root: Path) -> None:
    path = _copy(root, "target-dir", "latin1")
    path.write_bytes(path.read_bytes().replace(b"description = ", b"description = \xe9"))
    (line,) = _errors(_harness_list(root))
    assert str(path) in line
    assert "is not UTF-8 text (byte 0xe9" in line
    assert "save the file as UTF-8" in line


def test_nul_in_env_value_names_the_key(root: Path) -> None:
    path = _copy(root, "target-dir", "nul-env")
    with path.open("a", encoding="utf-8") as stream:
        stream.write('\n[env]\nGOOD = "x"\nBROKEN = "a\\u0000b"\n')
    (line,) = _errors(_harness_list(root))
    assert str(path) in line
    assert "key `env.BROKEN`: contains a NUL character" in line


def test_unknown_wheel_id_is_reported_by_list(root: Path) -> None:
    path = _copy(root, "target-dir", "unknown-wheel")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"libfoo"', '"libfooo"', 1), encoding="utf-8")
    (line,) = _errors(_harness_list(root))
    assert str(path) in line
    assert "'libfooo' is not a wheel id of the catalogue nor of [wheels]" in line
    assert "libfoo" in line.split("Fix:")[1]


def test_wheels_table_ids_are_known_to_list(root: Path, tmp_path: Path) -> None:
    path = _copy(root, "target-dir", "outside-wheel")
    text = path.read_text(encoding="utf-8").replace('"libfoo"', '"mylib"', 1)
    path.write_text(text + '\n[wheels]\nmylib = "dist/mylib-*.whl"\n', encoding="utf-8")
    result = _harness_list(root)
    assert result.returncode == 0, result.stderr
    assert "outside-wheel: " in result.stdout


def test_lookalike_directories_are_flagged(root: Path) -> None:
    misspelled = _copy(root, "target-dir", "misspelled")
    misspelled.rename(misspelled.with_name("scenario.tml"))
    checks_only = root / "checks-only"
    checks_only.mkdir()
    (checks_only / "test_extra.py").write_text("def test_x() -> None: ...\n", encoding="utf-8")
    (root / "notes").mkdir()  # a directory with nothing scenario-like is left alone
    (root / "notes" / "README.md").write_text("notes\n", encoding="utf-8")
    errors = _errors(_harness_list(root))
    assert len(errors) == 2, errors
    assert any("misspelled" in e and "has scenario.tml but no scenario.toml" in e for e in errors)
    assert any("checks-only" in e and "has test_extra.py but no scenario.toml" in e for e in errors)


@pytest.mark.parametrize("name", ["with[brackets]", "with space", "-dash-first"])
def test_unselectable_directory_name_is_rejected_with_the_rule(root: Path, name: str) -> None:
    _copy(root, "target-dir", name)
    (line,) = _errors(_harness_list(root))
    assert f"the scenario directory name {name!r} cannot be selected" in line
    assert parse.SCENARIO_NAME_RULE in line
