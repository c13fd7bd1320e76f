"""The docs (Sphinx + Furo) read at 1280 px without scrolling sideways.

The docs are built as ``tox -e docs`` builds them, then two pages heavy with code and
tables (``harness check`` and the scenario format) are laid out by headless Chromium at
1280x800: the page must not be wider than the window, and no code block wider than its
box (long lines wrap). The control puts the browser's default ``white-space: pre`` back
on the code blocks: then a long line does overflow, so the measurement can fail.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from report_browser import VIEWPORT, drive, needs_browser

ROOT = Path(__file__).resolve().parents[2]
PAGES = ("check.html", "scenario-format.html")

pytestmark = [
    needs_browser,
    pytest.mark.slow,  # builds the docs (about 10 s)
    pytest.mark.skipif(
        subprocess.run(
            [sys.executable, "-c", "import furo, myst_parser, sphinx"], check=False
        ).returncode
        != 0,
        reason="sphinx, myst-parser or furo not installed: pip install -e .[docs]",
    ),
]

MEASURE = """
function over() { return Array.prototype.filter.call(document.querySelectorAll('pre'),
  function (p) { return p.scrollWidth > p.clientWidth + 1; }).length; }
out.viewport = [window.innerWidth, window.innerHeight];
out.scrollWidth = document.documentElement.scrollWidth;
out.blocks = document.querySelectorAll('pre').length;
out.overflowing = over();
out.theme = !!document.querySelector('.sidebar-drawer');
out.captions = Array.prototype.map.call(document.querySelectorAll('.sidebar-tree p.caption'),
  function (p) { return p.textContent.trim(); });
var style = document.createElement('style');
style.textContent = '.highlight pre { white-space: pre !important; }';
document.head.appendChild(style);
out.controlOverflowing = over();
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs") / "html"
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         str(ROOT / "docs"), str(out)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return out


@pytest.mark.parametrize("page", PAGES)
def test_a_docs_page_has_no_horizontal_overflow_at_1280(
    page: str, built: Path, tmp_path: Path
) -> None:
    out = drive(built / page, MEASURE, tmp_path)
    assert out["viewport"][0] == VIEWPORT[0]  # (--dump-dom: the height less the window frame)
    assert out["theme"], "not the Furo theme"
    assert out["scrollWidth"] <= VIEWPORT[0]
    assert out["blocks"] >= 2
    assert out["overflowing"] == 0
    assert out["controlOverflowing"] > 0  # the control: unwrapped, a long line overflows
    # The navigation is grouped under captions.
    assert len(out["captions"]) >= 3
