"""One report model, four formats: JSON (schema 3), Markdown, HTML and terminal text.

Each test feeds verdicts shaped like a real run's (a pass, a failure with its unmet
expectation, a build error with its cause) and looks for what a reader needs in each
format; the controls are the cells whose text must not show up where it does not belong.
"""

from __future__ import annotations

import dataclasses
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from harness import report
from harness.report import as_html, as_json, as_markdown, as_text, files, statuses
from harness.report.command import merge_files
from harness.report.model import FACTS, Report, Run, merge
from harness.scenarios.verdict import STATUSES, Cause, CellVerdict, Expectation, scenario_error

VOID = {"meta", "br", "hr", "img", "input", "link"}
EVERY_OS = ["linux", "macos", "windows"]
RUN = Run("linux", "x86_64", {"3.13": "3.13.0", "3.9": "3.9.18"}, "0.1.0", "2026-12-01T00:00:00Z")


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


def _report() -> Report:
    return Report.of_run(_cells(), RUN)


class _Balance(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.cells = 0
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "td" and "data-status" in values:
            self.cells += 1
        if values.get("id"):
            self.ids.append(str(values["id"]))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(f"unbalanced </{tag}>")


def test_every_status_has_one_look() -> None:
    assert set(statuses.LOOKS) == set(STATUSES)
    assert {s for s in STATUSES if statuses.is_problem(s)} == {"failed", "error"}
    assert statuses.look("a-status-from-a-newer-harness") is statuses.UNKNOWN


def test_every_fact_names_a_verdict_field() -> None:
    fields = {f.name for f in dataclasses.fields(CellVerdict)}
    assert {fact.field for fact in FACTS} <= fields


def test_write_creates_three_files_atomically(tmp_path: Path) -> None:
    paths = report.write(_cells(), tmp_path / "reports")
    assert sorted(p.name for p in paths.values()) == ["report.html", "report.json", "report.md"]
    assert all(p.is_file() for p in paths.values())
    assert sorted((tmp_path / "reports").iterdir()) == sorted(paths.values())  # no scratch left
    assert {p.stat().st_mode & 0o777 for p in paths.values()} == {0o644}  # readable by all


def test_a_failed_write_leaves_the_old_file_and_no_scratch(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("old", encoding="utf-8")

    with pytest.raises(TypeError):
        files.write_atomic(target, 42)  # type: ignore[arg-type]
    assert target.read_text(encoding="utf-8") == "old"
    assert list(tmp_path.iterdir()) == [target]


def test_json_carries_the_runs_and_every_structured_verdict() -> None:
    data = json.loads(as_json.render(_report()))
    assert data["schema"] == 3
    assert data["runs"] == [RUN.to_json()]
    assert data["totals"] == {
        "passed": 1, "failed": 1, "error": 1, "skipped": 1, "not-applicable": 1,
    }  # fmt: skip
    cells = {(c["scenario"], c["python"]): c for c in data["cells"]}
    assert cells["venv-basic", "3.13"]["expectations"] == [
        {
            "subject": "library libfoo: location",
            "expected": "site:libfoo/lib/libfoo.so.1",
            "evidence": "target:libfoo/lib/libfoo.so.1",
            "ok": False,
        }
    ]
    assert cells["pyfoo-build", "3.13"]["cause"]["log"] == "/w/logs/pyfoo.log"
    assert {c["run"] for c in data["cells"]} == {0}
    # the document round-trips into the same verdicts
    back = [
        CellVerdict.from_json({k: v for k, v in c.items() if k != "run"}) for c in data["cells"]
    ]
    assert sorted(back, key=lambda c: c.key) == sorted(_cells(), key=lambda c: c.key)


def test_the_documents_follow_the_published_json_schema(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip(
        "jsonschema", reason="jsonschema not installed: pip install -e .[test]"
    )
    schema = json.loads(as_json.JSON_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    real = merge_files([Path(__file__).parent / "data" / "linux-venv-report.json"])
    for document in (as_json.document(_report()), as_json.document(real)):
        assert list(validator.iter_errors(document)) == []
    # The control: a schema 2 document (one `run`, no `runs`) does not pass.
    old = json.loads((Path(__file__).parent / "data" / "linux-venv-report.json").read_text())
    assert list(validator.iter_errors(old))


def test_a_single_run_is_the_merge_of_that_one_run(tmp_path: Path) -> None:
    """The JSON of a run and of the merge of that run alone are identical, byte for byte."""
    paths = report.write(_cells(), tmp_path / "run")
    merged = merge_files([paths["json"]])
    assert as_json.render(merged) == paths["json"].read_text(encoding="utf-8")
    # ... and merging it with a run of another machine is not (the control).
    other = Run("macos", "arm64", RUN.pythons, "0.1.0", RUN.created)
    two = merge([*((run, v) for run, v in as_json.read(paths["json"])), (other, _cells())])
    assert len(two.runs) == 2 and len(two.cells) == 2 * len(_cells())
    assert as_json.render(two) != paths["json"].read_text(encoding="utf-8")


def test_markdown_names_the_failed_expectation_and_the_cause() -> None:
    text = as_markdown.render(_report())
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("| scenario |"))
    # numeric version order: 3.9 before 3.13
    assert (
        header == "| scenario | linux x86_64<br>3.9<br>venv/uv | linux x86_64<br>3.13<br>venv/uv |"
    )
    rows = [line for line in lines if line.startswith("| `")]
    assert rows == [
        "| `no-soname` | · |  |",
        "| `producer-absent` |  | ⏭️ |",
        "| `pyfoo-build` |  | ⚠️ |",
        "| `venv-basic` | ✅ | ❌ |",
    ]
    assert (
        "  - library libfoo: location: expected site:libfoo/lib/libfoo.so.1, "
        "evidence target:libfoo/lib/libfoo.so.1"
    ) in lines
    assert "  - cause (build): building 'pyfoo' failed" in lines
    assert "    - log: /w/logs/pyfoo.log" in lines
    assert "    - fix: read the log" in lines
    assert "  - loaded from target: libfoo libfoo/lib/libfoo.so.1" in lines
    # Only problem cells get a section: the passed one does not.
    assert "**venv-basic** on linux x86_64 · 3.9" not in text
    assert "1 passed, 1 failed, 1 error, 1 skipped, 1 not-applicable" in text
    assert "Left out" not in text


def test_markdown_stays_within_the_limit_and_says_what_it_left_out() -> None:
    cells = [
        CellVerdict(f"scenario-{i:03}", "3.13", "venv", "uv", EVERY_OS, status="failed",
                    expectations=[Expectation("libfoo copies", "1", "2 " + "x" * 300, False)])
        for i in range(200)
    ]  # fmt: skip
    whole = as_markdown.render(Report.of_run(cells, RUN))
    assert "Left out" not in whole  # the control: under 1 MiB nothing is cut
    limit = 40_000
    text = as_markdown.render(Report.of_run(cells, RUN), limit=limit)
    assert len(text.encode()) <= limit < len(whole.encode())
    shown = text.count("- **scenario-")
    assert 0 < shown < 200
    assert f"{200 - shown} of 200 failed and error cells" in text
    assert text.count("| `scenario-") == 200  # the matrix itself is whole
    tiny = as_markdown.render(Report.of_run(cells, RUN), limit=5_000)
    assert len(tiny.encode()) <= 5_000 and "of 200 matrix rows" in tiny


def test_html_is_well_formed_self_contained_and_has_every_cell() -> None:
    text = as_html.render(_report())
    parser = _Balance()
    parser.feed(text)
    parser.close()
    assert parser.errors == []
    assert parser.stack == []
    assert parser.cells == 5
    assert len(parser.ids) == len(set(parser.ids))  # one anchor per cell, no clash
    # No network: nothing loaded from elsewhere, the script and styles inline.
    assert "http:" not in text and "https:" not in text and " src=" not in text
    assert "@media (prefers-color-scheme: dark)" in text
    assert "basic &lt;venv&gt;" in text  # escaped
    assert "<th>site</th><td>libfoo</td><td><code>libfoo/lib/libfoo.so.1</code>" in text
    assert "evidence <code>target:libfoo/lib/libfoo.so.1</code>" in text
    assert "foo.h: No such file" in text and "read the log" in text


def test_an_unparsable_scenario_is_an_error_row_not_a_silent_gap() -> None:
    row = scenario_error(Path("scenarios/broken/scenario.toml"), "key `steps`: expected a list")
    full = Report.of_run([*_cells(), row], RUN)
    text = as_markdown.render(full)
    assert "| `broken` |" in text
    assert "scenarios/broken/scenario.toml" in text
    assert "key `steps`: expected a list" in text
    assert full.totals()["error"] == 2
    assert 'data-scenario="broken"' in as_html.render(full)


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
        "FAIL venv-basic 3.13 · venv/uv: library libfoo: location: expected" in line
        for line in lines
    )
    assert "  ERROR pyfoo-build 3.13 · venv/uv: building 'pyfoo' failed" in lines
    assert not any("venv-basic 3.9" in line for line in lines)  # a passed cell is not listed
    assert str(paths["html"]) in lines[-1]
    assert as_text.word("failed") == "FAIL" and as_text.word("passed") == "pass"
