"""The documentation builds with warnings as errors, and the catalogue is generated.

The build runs on a copy of ``docs/``, ``harness/`` and ``scenarios/`` in
``tmp_path`` (conf.py generates the catalogue next to the sources, and the checkout
must stay untouched). The copy gets one extra scenario directory: it must appear in
the built catalogue, which proves the page is generated from the directories at
build time rather than committed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx", reason="sphinx is not installed (the docs extra)")
pytest.importorskip("myst_parser", reason="myst-parser is not installed (the docs extra)")

ROOT = Path(__file__).resolve().parents[2]
IGNORE = shutil.ignore_patterns("__pycache__", "_build", "_generated", "*.pyc")
ADDED = "zz-added-by-docs-test"


def scenario_names(scenarios: Path) -> list[str]:
    return sorted(p.name for p in scenarios.iterdir() if (p / "scenario.toml").is_file())


def copy_sources(destination: Path) -> Path:
    for part in ("docs", "harness", "scenarios"):
        shutil.copytree(ROOT / part, destination / part, ignore=IGNORE)
    return destination


def sphinx_build(source: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-b",
            "html",
            "-q",
            str(source),
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def section_ids(html: str) -> set[str]:
    return set(re.findall(r'<section id="([^"]+)"', html))


@pytest.mark.slow
def test_docs_build_without_warnings_and_list_every_scenario(tmp_path: Path) -> None:
    source = copy_sources(tmp_path / "src")
    added = source / "scenarios" / ADDED
    added.mkdir()
    (added / "scenario.toml").write_text(
        'schema = 1\ndescription = "Added by the docs test."\nplatforms = ["linux"]\n',
        encoding="utf-8",
    )
    result = sphinx_build(source / "docs", tmp_path / "html")
    assert result.returncode == 0, f"sphinx-build -W failed:\n{result.stdout}\n{result.stderr}"

    page = tmp_path / "html" / "_generated" / "catalogue.html"
    ids = section_ids(page.read_text(encoding="utf-8"))
    expected = scenario_names(ROOT / "scenarios")
    missing = [name for name in expected if name not in ids]
    assert not missing, f"scenarios missing from the catalogue: {missing}"
    # Negative control: the directory that exists only in the copy is there too.
    assert ADDED in ids
    assert ADDED not in scenario_names(ROOT / "scenarios")
    # The checkout was not written to.
    assert not (ROOT / "scenarios" / ADDED).exists()


@pytest.mark.slow
def test_a_malformed_scenario_fails_the_docs_build_naming_the_file(tmp_path: Path) -> None:
    source = copy_sources(tmp_path / "src")
    broken = source / "scenarios" / "zz-broken"
    broken.mkdir()
    (broken / "scenario.toml").write_text("description = \n", encoding="utf-8")
    result = sphinx_build(source / "docs", tmp_path / "html")
    assert result.returncode != 0
    assert "zz-broken" in result.stdout + result.stderr
