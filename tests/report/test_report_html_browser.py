"""The merged report's HTML, rendered by a real browser (headless Chromium).

``--dump-dom`` prints the DOM after the page's script ran, so the assertions see what a
reader sees: every cell, the "failed only" filter applied (the page turns it on for
``#failed``, as a reader's bookmark would), and a failed cell holding its unmet
expectation, expected against evidence. Without ``#failed`` no row is hidden: the
negative control that the filter, not the page, hides rows.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from schema2_reports import ci_like_reports

from harness import report_merge

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def find_browser() -> str | None:
    configured = os.environ.get("HARNESS_BROWSER")
    if configured:
        return shutil.which(configured) or configured
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


BROWSER = find_browser()
pytestmark = pytest.mark.skipif(
    BROWSER is None,
    reason="no headless browser: apt-get install chromium (or set HARNESS_BROWSER)",
)


def browser(tmp_path: Path, *args: str) -> str:
    """Run headless Chromium with a fresh profile and no network chatter."""
    assert BROWSER is not None
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    command = [
        BROWSER,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class Dom(HTMLParser):
    """Rows, cells and the text inside each cell of the dumped DOM."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, dict[str, str | None]] = {}
        self.cells: dict[tuple[str, str], dict[str, str | None]] = {}
        self.text: dict[tuple[str, str], list[str]] = {}
        self.checkbox: dict[str, str | None] = {}
        self.body_class = ""
        self._row = ""
        self._cell: tuple[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "body":
            self.body_class = attributes.get("class") or ""
        elif tag == "input" and attributes.get("id") == "failed-only":
            self.checkbox = attributes
        elif tag == "tr" and attributes.get("data-scenario"):
            self._row = str(attributes["data-scenario"])
            self.rows[self._row] = attributes
        elif tag == "td" and self._row:
            self._cell = (self._row, str(attributes.get("data-column")))
            self.cells[self._cell] = attributes
            self.text[self._cell] = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._cell = None
        elif tag == "tr":
            self._row = ""

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self.text[self._cell].append(data)


def render(tmp_path: Path, fragment: str = "") -> tuple[Dom, report_merge.Matrix]:
    matrix = report_merge.merge(ci_like_reports(tmp_path / "in"))
    report_merge.write(matrix, tmp_path / "out")
    url = (tmp_path / "out" / "report.html").as_uri() + fragment
    dom = Dom()
    dom.feed(browser(tmp_path, "--dump-dom", url))
    return dom, matrix


def test_every_cell_appears(tmp_path: Path) -> None:
    dom, matrix = render(tmp_path)
    assert set(dom.rows) == set(matrix.scenarios)
    for (scenario, column), cell in matrix.cells.items():
        rendered = dom.cells[(scenario, column.label)]
        assert rendered.get("data-status") == cell.status, (scenario, column.label)
    # Every row has one td per column; the empty ones are cells not run there.
    assert len(dom.cells) == len(matrix.scenarios) * len(matrix.columns)
    # Nothing is hidden unless asked: the filter is off by default.
    assert all(row.get("hidden") is None for row in dom.rows.values())
    assert "checked" not in dom.checkbox and "failed-only" not in dom.body_class


def test_the_failed_only_filter_hides_every_row_without_a_problem(tmp_path: Path) -> None:
    dom, matrix = render(tmp_path, "#failed")
    assert "checked" in dom.checkbox and "failed-only" in dom.body_class
    shown = {name for name, row in dom.rows.items() if row.get("hidden") is None}
    assert shown == {"two-consumers-one-copy", "chain-libbar"}
    assert len(dom.rows) == len(matrix.scenarios) > len(shown)


def test_a_failed_cell_shows_its_expectation_and_an_error_cell_its_cause(tmp_path: Path) -> None:
    dom, _ = render(tmp_path, "#failed&open")
    failed = "".join(dom.text[("two-consumers-one-copy", "macos arm64 · 3.13 · venv/uv")])
    assert "libfoo copies" in failed
    assert "expected 1" in failed and "evidence 2 (site, site-packages/pyfoo.libs)" in failed
    # Only the unmet expectation, not the met ones.
    assert "step import" not in failed
    error = "".join(dom.text[("chain-libbar", "windows AMD64 · 3.9 · venv/uv")])
    assert "no wheel for pybar in the cp39 wheelhouse" in error
    assert "harness build --python 3.9" in error
    passed = "".join(dom.text[("venv-basic", "linux x86_64 · 3.9 · venv/uv")])
    assert passed.strip() == report_merge.MARK["passed"]
