"""``--python`` resolution against the interpreters really installed on this machine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness import interpreters

RUNNING = f"{sys.version_info[0]}.{sys.version_info[1]}"


def test_running_version_is_found_and_reports_itself() -> None:
    found = interpreters.find(RUNNING)
    assert found.version == RUNNING
    assert found.tag == "cp" + RUNNING.replace(".", "")
    assert found.executable.exists()


def test_current_keyword_is_the_running_interpreter() -> None:
    assert interpreters.find("current").version == RUNNING
    assert interpreters.expand_keywords(("current",)) == (RUNNING,)


def test_oldest_and_newest_bracket_every_available_version() -> None:
    available = interpreters.available_versions()
    assert RUNNING in available
    oldest, *rest = interpreters.expand_keywords(("oldest", "newest"))
    newest = rest[-1] if rest else oldest
    minors = [int(v.split(".")[1]) for v in available]
    assert int(oldest.split(".")[1]) == min(minors)
    assert int(newest.split(".")[1]) == max(minors)
    assert interpreters.expand_keywords(("all",)) == available


def test_keywords_and_versions_mix_without_repeats() -> None:
    assert interpreters.expand_keywords((RUNNING, "current", RUNNING)) == (RUNNING,)


def test_missing_version_names_the_version_and_the_fix() -> None:
    with pytest.raises(interpreters.InterpreterNotFoundError, match=r"3\.99.*pyenv install 3\.99"):
        interpreters.find("3.99")


@pytest.mark.parametrize("bad", ["3", "python3.12", "3.12.1", "latest"])
def test_malformed_version_is_rejected(bad: str) -> None:
    with pytest.raises(interpreters.InterpreterNotFoundError, match=r"versions like 3\.12"):
        interpreters.find(bad)


def test_parse_versions_splits_and_dedupes() -> None:
    assert interpreters.parse_versions(" 3.9, 3.13 ,3.9,") == ["3.9", "3.13"]


def test_inside_a_venv_the_base_interpreter_is_chosen(tmp_path: Path) -> None:
    """Layouts (and conda's python package) are made from a base CPython, never a venv link."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    venv_python = venv / "bin" / "python"
    project_root = Path(__file__).resolve().parents[2]
    script = (
        "import subprocess, sys\n"
        "from harness import interpreters\n"
        "exe = interpreters.find('current').executable\n"
        "print(subprocess.run([str(exe), '-c', 'import sys; print(sys.prefix == sys.base_prefix)'],"
        " capture_output=True, text=True, check=True).stdout.strip())\n"
        "print(sys.prefix != sys.base_prefix)\n"
    )
    out = subprocess.run(
        [str(venv_python), "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(project_root)},
    ).stdout.split()
    assert out == ["True", "True"]  # the chosen one is a base install; the caller was a venv
