"""report.html in a real browser (headless Chromium), at 1280x800.

A driver script appended to a copy of the page works it as a reader does (sets the
filters and dispatches their events, clicks cells) and measures what the browser laid
out; ``report_browser.py`` says how. The real report is that of the Linux venv matrix
(``tox -e linux-venv``, 106 cells), recorded in ``data/linux-venv-report.json``; the
filter tests use four CI-like runs merged, with one failure and one error. Every layout
check has its control: the same measurement on a page made too wide must fail.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from report_browser import VIEWPORT, drive, inner_size, needs_browser, png_size, screenshot
from schema2_reports import ci_like_reports, full_ci_reports

from harness.report import files
from harness.report.command import merge_files
from harness.report.model import Report

pytestmark = needs_browser
REAL_RUN = Path(__file__).parent / "data" / "linux-venv-report.json"
SCREENSHOTS = "HARNESS_SCREENSHOTS"
"""A directory to keep the screenshots in (docs/images/report.png is one of them)."""

VISIBLE = """
function rows() { return Array.prototype.filter.call(
  document.querySelectorAll('#matrix > tbody > tr'), function (r) { return !r.hidden; })
  .map(function (r) { return r.getAttribute('data-scenario'); }); }
function cells() { return Array.prototype.filter.call(
  document.querySelectorAll('#matrix td[data-status]'),
  function (td) { return !td.hidden && !td.parentNode.hidden && td.offsetWidth > 0; })
  .map(function (td) { return td.getAttribute('data-cell'); }); }
function shown() { return Array.prototype.filter.call(document.querySelectorAll('.detail'),
  function (s) { return getComputedStyle(s).display !== 'none'; })
  .map(function (s) { return s.id; }); }
function set(id, value) { var el = document.getElementById(id);
  if (el.type === 'checkbox') { el.checked = value; } else { el.value = value; }
  el.dispatchEvent(new Event(el.type === 'search' ? 'input' : 'change', {bubbles: true})); }
"""


def merged(tmp_path: Path) -> tuple[Report, Path]:
    report = merge_files(ci_like_reports(tmp_path / "in"))
    return report, files.write(report, tmp_path / "out")["html"]


def real_run(tmp_path: Path) -> tuple[Report, Path]:
    assert REAL_RUN.is_file(), f"{REAL_RUN}: the recorded Linux venv run is missing"
    report = merge_files([REAL_RUN])
    return report, files.write(report, tmp_path / "real")["html"]


def anchors(report: Report, **column: str) -> set[str]:
    return {
        cell.anchor
        for cell in report.cells
        if all(getattr(cell.column, key) == value for key, value in column.items())
    }


def test_every_cell_is_in_the_matrix_with_an_anchor_and_nothing_hidden(tmp_path: Path) -> None:
    report, page = merged(tmp_path)
    out = drive(
        page,
        VISIBLE + "out.rows = rows(); out.cells = cells(); out.shown = shown();"
        "out.sections = Array.prototype.map.call(document.querySelectorAll('.detail'),"
        " function (s) { return s.id; });",
        tmp_path,
    )
    assert out["rows"] == report.scenarios
    assert sorted(out["cells"]) == sorted(cell.anchor for cell in report.cells)
    assert sorted(out["sections"]) == sorted(out["cells"])  # one detail per cell anchor
    assert out["shown"] == []  # no cell open until one is clicked


def test_the_filters_driven_through_the_dom(tmp_path: Path) -> None:
    report, page = merged(tmp_path)
    out = drive(
        page,
        VISIBLE
        + """
out.all = rows();
set('failed-only', true); out.failed = rows(); out.failedCells = cells();
set('failed-only', false); out.again = rows();
set('f-os', 'windows AMD64'); out.windows = cells();
out.groups = Array.prototype.filter.call(document.querySelectorAll('#matrix th.group'),
  function (th) { return !th.hidden; }).map(function (th) { return th.textContent; });
set('f-os', ''); set('f-python', '3.9'); out.py39 = cells();
set('f-python', ''); set('f-setup', 'conda/pip'); out.conda = cells(); out.condaRows = rows();
set('f-setup', ''); set('f-text', 'editable-meson'); out.text = rows();
out.counter = document.getElementById('shown').textContent;
""",
        tmp_path,
    )
    assert out["all"] == out["again"] == report.scenarios  # the control: all rows, then again
    assert out["failed"] == ["chain-libbar", "two-consumers-one-copy"]
    assert len(out["failedCells"]) > 2  # failed only keeps the rows, with their other cells
    assert set(out["windows"]) == anchors(report, os="windows")
    assert out["groups"] == ["windows AMD64", "3.9", "3.13"]  # grouped headers follow
    assert set(out["py39"]) == anchors(report, python="3.9")
    assert set(out["conda"]) == anchors(report, layout="conda", installer="pip")
    conda_rows = {
        cell.verdict.scenario
        for cell in report.cells
        if cell.column.layout == "conda" and cell.column.installer == "pip"
    }
    assert set(out["condaRows"]) == conda_rows != set(report.scenarios)  # rows without a cell go
    assert out["text"] == ["editable-meson-flat", "editable-meson-tree"]
    shown = len([c for c in report.cells if c.scenario.startswith("editable-meson")])
    assert out["counter"] == f"{shown} of {len(report.cells)} cells shown"


def test_clicking_a_cell_opens_its_claim_evidence_cause_and_libraries(tmp_path: Path) -> None:
    report, page = merged(tmp_path)
    failed, error = report.problems()[1], report.problems()[0]
    assert (failed.status, error.status) == ("failed", "error")
    out = drive(
        page,
        VISIBLE
        + f"""
out.before = shown();
document.querySelector('td[data-cell="{failed.anchor}"] a').click();
out.first = shown(); out.hash = location.hash;
out.text = document.getElementById('{failed.anchor}').innerText;
out.picked = document.querySelector('td.picked').getAttribute('data-cell');
document.querySelector('td[data-cell="{error.anchor}"] a').click();
out.second = shown();
out.cause = document.getElementById('{error.anchor}').innerText;
""",
        tmp_path,
    )
    assert out["before"] == []
    assert out["first"] == [failed.anchor] and out["hash"] == f"#{failed.anchor}"
    assert out["picked"] == failed.anchor
    text = out["first"] and out["text"]
    assert failed.verdict.description[:40] in " ".join(text.split())  # the claim
    assert "libfoo copies" in text and "expected 1" in text
    assert "evidence 2 (site, site-packages/pyfoo.libs)" in text
    assert "LOADED LIBRARIES BY LOCATION" in text.upper() and "libfoo/lib/libfoo.so.1" in text
    assert out["second"] == [error.anchor]  # one cell open at a time
    cause = out["cause"]
    assert "no wheel for pybar in the cp39 wheelhouse" in cause
    assert "harness build --python 3.9" in cause and "uv pip install" in cause


def test_an_anchor_opens_its_cell_and_failed_turns_the_filter_on(tmp_path: Path) -> None:
    report, page = merged(tmp_path)
    target = report.cells[7]
    out = drive(page, VISIBLE + "out.shown = shown(); out.rows = rows();", tmp_path,
                fragment=f"#{target.anchor}")  # fmt: skip
    assert out["shown"] == [target.anchor] and len(out["rows"]) == len(report.scenarios)
    out = drive(page, VISIBLE + "out.shown = shown(); out.rows = rows();", tmp_path,
                fragment="#failed")  # fmt: skip
    assert out["shown"] == [] and out["rows"] == ["chain-libbar", "two-consumers-one-copy"]


def test_a_matrix_too_wide_to_share_the_screen_opens_cells_over_it(tmp_path: Path) -> None:
    """Eight CI jobs (24 columns): the matrix takes the width, a cell opens in a panel
    over it, and the close button puts it away; four jobs (the control) share the screen."""
    script = (
        VISIBLE
        + """
var panel = document.getElementById('panel');
out.overlay = document.body.classList.contains('overlay');
out.before = getComputedStyle(panel).display;
document.querySelector('td[data-status="failed"] a').click();
out.open = getComputedStyle(panel).display; out.position = getComputedStyle(panel).position;
out.shown = shown();
document.getElementById('close').click();
out.closed = getComputedStyle(panel).display; out.hash = location.hash;
out.scrollWidth = document.documentElement.scrollWidth;
"""
    )
    wide = merge_files(full_ci_reports(tmp_path / "in"))
    page = files.write(wide, tmp_path / "wide")["html"]
    out = drive(page, script, tmp_path)
    assert out["overlay"] and out["before"] == "none"
    assert (out["open"], out["position"]) == ("block", "fixed")
    assert out["shown"] == [wide.problems()[1].anchor]
    assert out["closed"] == "none" and out["hash"] == ""
    assert out["scrollWidth"] <= VIEWPORT[0]
    _, narrow = merged(tmp_path)
    control = drive(narrow, script, tmp_path / "narrow")
    assert not control["overlay"] and control["before"] == "block"


MEASURE = """
var box = document.querySelector('.matrix');
out.viewport = [window.innerWidth, window.innerHeight];
out.scrollWidth = document.documentElement.scrollWidth;
out.matrixRight = document.getElementById('matrix').getBoundingClientRect().right;
out.matrixBox = [box.scrollWidth, box.clientWidth];
out.heights = [document.documentElement.scrollHeight, box.scrollHeight, box.clientHeight];
out.cells = document.querySelectorAll('#matrix td[data-status]').length;
var wide = document.createElement('div'); wide.style.width = '1600px'; wide.textContent = 'x';
document.body.appendChild(wide);
out.controlScrollWidth = document.documentElement.scrollWidth;
"""


def test_the_real_106_cell_linux_run_fits_1280x800_without_horizontal_scrolling(
    tmp_path: Path,
) -> None:
    report, page = real_run(tmp_path)
    assert len(report.cells) == 106
    first_failed = report.problems()[0].anchor if report.problems() else report.cells[0].anchor
    png = screenshot(page, tmp_path / "report.png", tmp_path, fragment=f"#{first_failed}")
    assert png_size(png) == VIEWPORT
    keep = os.environ.get(SCREENSHOTS)
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(png, Path(keep) / "report.png")
    out = drive(page, MEASURE, tmp_path, size=inner_size(page, tmp_path))
    assert out["viewport"] == list(VIEWPORT)
    assert out["cells"] == 106
    assert out["scrollWidth"] <= VIEWPORT[0]
    assert out["matrixRight"] <= VIEWPORT[0]
    assert out["matrixBox"][0] <= out["matrixBox"][1]  # nor does the matrix scroll inside
    # Nor vertically: the whole matrix is on the screen, nothing scrolls.
    page_height, box_height, box_room = out["heights"]
    assert page_height <= VIEWPORT[1] and box_height <= box_room
    assert out["controlScrollWidth"] > VIEWPORT[0]  # the control: a wide page is caught


def test_the_page_follows_the_systems_dark_mode(tmp_path: Path) -> None:
    _, page = merged(tmp_path)
    script = (
        "out.bg = getComputedStyle(document.body).backgroundColor;"
        "out.dark = matchMedia('(prefers-color-scheme: dark)').matches;"
        "out.passed = getComputedStyle(document.querySelector('td.s-passed')).backgroundColor;"
    )
    light = drive(page, script, tmp_path / "light", "--blink-settings=preferredColorScheme=1")
    dark = drive(page, script, tmp_path / "dark", "--blink-settings=preferredColorScheme=0")
    assert (light["dark"], dark["dark"]) == (False, True)
    assert light["bg"] == "rgb(255, 255, 255)"
    assert dark["bg"] == "rgb(22, 23, 26)"
    assert light["passed"] != dark["passed"]


def test_the_recorded_real_run_is_a_real_report() -> None:
    """The fixture is a report.json as `harness run` wrote it (paths of the machine taken
    out): every cell has evidence or a cause, and it reads without error."""
    data: dict[str, Any] = json.loads(REAL_RUN.read_text(encoding="utf-8"))
    assert data["schema"] in (2, 3)
    for cell in data["cells"]:
        assert cell["expectations"] or cell["cause"], cell["scenario"]
    assert "/work/" not in REAL_RUN.read_text(encoding="utf-8")
