"""No hidden tests: every test file under tests/ and scenarios/ is collected by the README's
test command (``tox -e tests``), so a folder name pytest skips by default (``build``,
``dist``, ``venv``...) can never hide tests again."""

from __future__ import annotations

import configparser
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
TEST_DIRS = ("tests", "scenarios")


def readme_test_paths(tox_ini: Path) -> list[str]:
    """The paths the ``tests`` tox environment hands pytest (the README's test command)."""
    config = configparser.ConfigParser(interpolation=None)
    config.read(tox_ini, encoding="utf-8")
    words = shlex.split(config["testenv:tests"]["commands"].strip())
    assert words[0] == "pytest", f"{tox_ini}: the tests environment does not run pytest: {words}"
    paths: list[str] = []
    for word in words[1:]:
        if word.startswith("-"):
            break
        paths.append(word)
    return paths


def present_test_files(root: Path) -> set[str]:
    """Every ``test_*.py`` under the test directories, relative to ``root``."""
    found: set[str] = set()
    for directory in TEST_DIRS:
        for path in (root / directory).rglob("test_*.py"):
            found.add(path.relative_to(root).as_posix())
    return found


def collected_files(root: Path, paths: list[str]) -> set[str]:
    """The files pytest collects test items from for ``pytest PATHS`` in ``root``."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "-p", "no:xdist", *paths],
        cwd=root, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode in (0, 5), done.stdout[-3000:] + done.stderr[-3000:]
    return {line.split("::", 1)[0] for line in done.stdout.splitlines() if "::" in line}


def uncollected(root: Path) -> list[str]:
    """Test files the README's test command would never run."""
    paths = readme_test_paths(root / "tox.ini")
    return sorted(present_test_files(root) - collected_files(root, paths))


def test_every_test_file_is_collected_by_the_readme_test_command() -> None:
    assert uncollected(PROJECT) == []


def test_the_guard_catches_a_test_folder_named_build(tmp_path: Path) -> None:
    """Negative control: pytest's default norecursedirs skips ``build``; the guard says so."""
    (tmp_path / "tox.ini").write_text(
        "[testenv:tests]\ncommands = pytest tests scenarios -n 2 {posargs}\n", encoding="utf-8"
    )
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    body = textwrap.dedent(
        """
        def test_it():
            assert True
        """
    )
    for relative in (
        "tests/ok/test_seen.py",
        "tests/build/test_hidden.py",
        "scenarios/s/test_x.py",
    ):
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    assert uncollected(tmp_path) == ["tests/build/test_hidden.py"]
