"""The report: Markdown matrix, self-contained well-formed HTML, JSON list of cells."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

from harness import report
from harness.scenarios.results import CellResult

VOID = {"meta", "br", "hr", "img", "input", "link"}


def _cells() -> list[CellResult]:
    return [
        CellResult("venv-basic", "3.9", "venv", "uv", ["linux", "macos", "windows"], "passed",
                   {"libfoo": ["site:libfoo/lib/libfoo.so.1"]}, 0.31, "", "basic <venv>"),
        CellResult("venv-basic", "3.13", "venv", "uv", ["linux", "macos", "windows"], "failed",
                   {"libfoo": ["target:libfoo/lib/libfoo.so.1"]}, 0.42, "library libfoo: location"),
        CellResult("no-soname", "3.9", "venv", "uv", ["linux"], "not-applicable", {}, 0.0,
                   "not applicable on macos"),
        CellResult("producer-absent", "3.13", "venv", "uv", ["linux"], "skipped", {"libfoo": []}, 0.0,
                   "no working CPython 3.13"),
    ]  # fmt: skip


class _Balance(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.cells = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "td" and any(k == "class" and v and v.startswith("status") for k, v in attrs):
            self.cells += 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(f"unbalanced </{tag}>")


def test_write_creates_three_files(tmp_path: Path) -> None:
    paths = report.write(_cells(), tmp_path / "reports")
    assert sorted(p.name for p in paths.values()) == ["report.html", "report.json", "report.md"]
    assert all(p.is_file() for p in paths.values())
    assert sorted((tmp_path / "reports").iterdir()) == sorted(paths.values())  # no scratch left


def test_json_is_a_list_of_cells_with_the_documented_keys() -> None:
    data = json.loads(report.render_json(_cells()))
    assert isinstance(data, list)
    assert len(data) == 4
    for cell in data:
        assert {
            "scenario",
            "python",
            "layout",
            "installer",
            "status",
            "platforms",
            "libraries",
            "duration",
        } <= set(cell)
    assert data[1]["libraries"] == {"libfoo": ["target:libfoo/lib/libfoo.so.1"]}


def test_markdown_matrix_has_a_row_per_scenario_and_a_column_per_cell_kind() -> None:
    text = report.render_markdown(_cells())
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("| scenario |"))
    assert header == "| scenario | 3.9 venv/uv | 3.13 venv/uv |"  # numeric version order
    rows = [line for line in lines if line.startswith("| `")]
    assert rows == [
        "| `no-soname` | n/a |  |",
        "| `producer-absent` |  | skip |",
        "| `venv-basic` | pass | FAIL |",
    ]
    assert "- libfoo: target:libfoo/lib/libfoo.so.1" in lines
    assert "- failed: library libfoo: location" in lines
    assert "1 passed, 1 failed, 1 skipped, 1 not-applicable" in text


def test_html_is_well_formed_self_contained_and_coloured() -> None:
    text = report.render_html(_cells())
    parser = _Balance()
    parser.feed(text)
    parser.close()
    assert parser.errors == []
    assert parser.stack == []
    assert parser.cells == 4
    assert "<script" not in text and "http" not in text.replace("http-equiv", "")
    assert "basic &lt;venv&gt;" in text  # escaped
    assert "#f8d0d0" in text and "#d4f4d4" in text
    assert "site:libfoo/lib/libfoo.so.1" in text


def test_summary_names_failures_and_the_path(tmp_path: Path) -> None:
    paths = report.write(_cells(), tmp_path)
    lines = report.summary(_cells(), paths)
    assert lines[0] == "4 cells: 1 passed, 1 failed, 1 skipped, 1 not-applicable"
    assert "FAIL venv-basic 3.13 venv/uv: library libfoo: location" in lines[1]
    assert str(paths["html"]) in lines[-1]
