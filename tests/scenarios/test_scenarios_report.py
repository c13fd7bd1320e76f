"""The report: Markdown matrix, self-contained well-formed HTML, JSON document (schema 2)."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

from harness import report
from harness.scenarios.verdict import Cause, CellVerdict, Expectation, scenario_error

VOID = {"meta", "br", "hr", "img", "input", "link"}
EVERY_OS = ["linux", "macos", "windows"]


def _cells() -> list[CellVerdict]:
    location = Expectation(
        "library libfoo: location",
        "site:libfoo/lib/libfoo.so.1",
        "target:libfoo/lib/libfoo.so.1",
        False,
    )
    return [
        CellVerdict("venv-basic", "3.9", "venv", "uv", EVERY_OS, "basic <venv>", "passed", 0.31,
                    [Expectation("step import (import pyfoo)", "ok", "ok, value None", True)],
                    {"libfoo": ["site:libfoo/lib/libfoo.so.1"]}, python_version="3.9.18"),
        CellVerdict("venv-basic", "3.13", "venv", "uv", EVERY_OS, "", "failed", 0.42,
                    [location], {"libfoo": ["target:libfoo/lib/libfoo.so.1"]},
                    python_version="3.13.0"),
        CellVerdict("no-soname", "3.9", "venv", "uv", ["linux"], "", "not-applicable",
                    cause=Cause("unavailable", "not applicable on macos")),
        CellVerdict("producer-absent", "3.13", "venv", "uv", ["linux"], "", "skipped",
                    libraries={"libfoo": []}, cause=Cause("unavailable", "no working CPython 3.13")),
        CellVerdict("pyfoo-build", "3.13", "venv", "uv", ["linux"], "", "error",
                    cause=Cause("build", "building 'pyfoo' failed", where="wheel id pyfoo",
                                fix="read the log", log="/w/logs/pyfoo.log",
                                details=("error: foo.h: No such file",))),
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


def test_json_carries_the_run_and_every_structured_verdict() -> None:
    data = json.loads(report.render_json(_cells()))
    assert data["schema"] == 2
    assert data["run"]["os"] == "linux"
    assert data["run"]["pythons"] == {"3.13": "3.13.0", "3.9": "3.9.18"}
    assert {"machine", "harness_version", "created"} <= set(data["run"])
    assert data["totals"] == {
        "passed": 1, "failed": 1, "error": 1, "skipped": 1, "not-applicable": 1,
    }  # fmt: skip
    failed = data["cells"][1]
    assert failed["expectations"] == [
        {
            "subject": "library libfoo: location",
            "expected": "site:libfoo/lib/libfoo.so.1",
            "evidence": "target:libfoo/lib/libfoo.so.1",
            "ok": False,
        }
    ]
    assert data["cells"][4]["cause"]["kind"] == "build"
    assert data["cells"][4]["cause"]["log"] == "/w/logs/pyfoo.log"
    # the document round-trips into the same verdicts
    assert [CellVerdict.from_json(c) for c in data["cells"]] == _cells()


def test_markdown_names_the_failed_expectation_and_the_cause() -> None:
    text = report.render_markdown(_cells())
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("| scenario |"))
    assert header == "| scenario | 3.9 venv/uv | 3.13 venv/uv |"  # numeric version order
    rows = [line for line in lines if line.startswith("| `")]
    assert rows == [
        "| `no-soname` | n/a |  |",
        "| `producer-absent` |  | skip |",
        "| `pyfoo-build` |  | ERROR |",
        "| `venv-basic` | pass | FAIL |",
    ]
    assert "- libfoo: target:libfoo/lib/libfoo.so.1" in lines
    assert (
        "library libfoo: location: expected site:libfoo/lib/libfoo.so.1; "
        "evidence target:libfoo/lib/libfoo.so.1"
    ) in lines
    assert "build: building 'pyfoo' failed" in lines
    assert "  log: /w/logs/pyfoo.log" in lines
    assert "1 passed, 1 failed, 1 error, 1 skipped, 1 not-applicable" in text


def test_html_is_well_formed_self_contained_and_shows_why() -> None:
    text = report.render_html(_cells())
    parser = _Balance()
    parser.feed(text)
    parser.close()
    assert parser.errors == []
    assert parser.stack == []
    assert parser.cells == 5
    assert "<script" not in text and "http" not in text.replace("http-equiv", "")
    assert "basic &lt;venv&gt;" in text  # escaped
    assert "#f8d0d0" in text and "#d4f4d4" in text
    assert "site:libfoo/lib/libfoo.so.1" in text
    assert "expected site:libfoo/lib/libfoo.so.1; evidence target:libfoo/lib/libfoo.so.1" in text
    assert "foo.h: No such file" in text


def test_an_unparsable_scenario_is_an_error_row_not_a_silent_gap() -> None:
    row = scenario_error(Path("scenarios/broken/scenario.toml"), "key `steps`: expected a list")
    text = report.render_markdown([*_cells(), row])
    assert "| `broken` |" in text
    assert "scenarios/broken/scenario.toml" in text
    assert "key `steps`: expected a list" in text
    assert report.counts([row])["error"] == 1


def test_a_cause_prints_in_at_most_15_lines() -> None:
    cause = Cause("layout", "pip install failed", where="cmd", fix="f", log="l",
                  details=tuple(f"line {i}" for i in range(100)))  # fmt: skip
    lines = cause.lines()
    assert len(lines) <= 15
    assert lines[-1].strip() == "line 99"


def test_summary_names_failures_and_the_path(tmp_path: Path) -> None:
    paths = report.write(_cells(), tmp_path)
    lines = report.summary(_cells(), paths)
    assert lines[0] == "5 cells: 1 passed, 1 failed, 1 error, 1 skipped, 1 not-applicable"
    assert any(
        "FAIL venv-basic 3.13 venv/uv: library libfoo: location: expected" in line for line in lines
    )
    assert "  ERROR pyfoo-build 3.13 venv/uv: building 'pyfoo' failed" in lines
    assert str(paths["html"]) in lines[-1]
