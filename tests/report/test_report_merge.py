"""``harness report merge``: several runs' report.json as one matrix, and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from schema2_reports import ci_like_reports, report, write

from harness import cli
from harness.report import as_json
from harness.report.command import merge_files


def merge_cli(*args: str | Path) -> int:
    return cli.main(["report", "merge", *map(str, args)])


def test_four_runs_make_one_matrix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    inputs = ci_like_reports(tmp_path / "in")
    raw = [json.loads(p.read_text(encoding="utf-8")) for p in inputs]
    assert merge_cli(*inputs, "-o", tmp_path / "out") == 0
    merged = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert len(merged["cells"]) == sum(len(r["cells"]) for r in raw)
    assert [r["os"] for r in merged["runs"]] == ["linux", "linux", "macos", "windows"]
    assert merged["totals"]["failed"] == 1 and merged["totals"]["error"] == 1
    # OS > Python > layout/installer: linux x86_64 3.9 has conda/pip, venv/pip, venv/uv.
    linux39 = [
        (c["layout"], c["installer"])
        for c in merged["columns"]
        if c["os"] == "linux" and c["python"] == "3.9"
    ]
    assert linux39 == [("conda", "pip"), ("venv", "pip"), ("venv", "uv")]
    assert [c["os"] for c in merged["columns"]][::6] == ["linux", "macos", "windows"]
    markdown = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "two-consumers-one-copy** on macos arm64 · 3.13 · venv/uv: failed" in markdown
    assert "libfoo copies: expected 1, evidence 2 (site, site-packages/pyfoo.libs)" in markdown
    assert "cause (layout): uv pip install failed: no wheel for pybar" in markdown
    assert (tmp_path / "out" / "report.html").is_file()


def test_the_markdown_is_appended_to_the_job_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert merge_cli(*ci_like_reports(tmp_path / "in"), "-o", tmp_path / "out") == 0
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n# Interop harness report: 4 runs merged")
    assert text.endswith((tmp_path / "out" / "report.md").read_text(encoding="utf-8"))


def bad_input_cases(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    good = report("linux", "x86_64", "venv")
    no_os = json.loads(json.dumps(good))
    del no_os["run"]["os"]
    odd_status = json.loads(json.dumps(good))
    odd_status["cells"][3]["status"] = "maybe"
    return {
        "missing": (tmp_path / "absent" / "report.json", "cannot read it"),
        "directory": (tmp_path, "cannot read it"),
        "not json": (_text(tmp_path / "a" / "report.json", "{oops"), "not JSON"),
        "schema 1": (write(tmp_path / "b" / "report.json", good["cells"]), "schema 1 report"),
        "schema 4": (
            write(tmp_path / "c" / "report.json", {**good, "schema": 4}),
            "report schema 4",
        ),
        "no run.os": (write(tmp_path / "d" / "report.json", no_os), "run.os is missing"),
        "odd status": (
            write(tmp_path / "e" / "report.json", odd_status),
            "cells[3] status 'maybe'",
        ),
    }


def _text(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "case", ["missing", "directory", "not json", "schema 1", "schema 4", "no run.os", "odd status"]
)
def test_a_bad_report_is_an_error_naming_it_and_nothing_is_written(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(tmp_path / "good" / "report.json", report("macos", "arm64", "venv"))
    bad, message = bad_input_cases(tmp_path)[case]
    out = tmp_path / "out"
    assert merge_cli(good, bad, "-o", out) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {bad}: ") and message in err, err
    assert "Traceback" not in err
    assert not out.exists()


def test_the_same_cell_in_two_reports_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = write(tmp_path / "a" / "report.json", report("linux", "x86_64", "venv"))
    second = write(tmp_path / "b" / "report.json", report("linux", "x86_64", "venv"))
    assert merge_cli(first, second, "-o", tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert str(second) in err and str(first) in err and "also in" in err


def test_two_machines_of_one_os_are_two_column_groups(tmp_path: Path) -> None:
    """macos arm64 and macos x86_64 (two CI runners) share the OS, not the cells."""
    paths = [
        write(tmp_path / "a" / "report.json", report("macos", "arm64", "venv")),
        write(tmp_path / "b" / "report.json", report("macos", "x86_64", "venv")),
    ]
    merged = merge_files(paths)
    assert {c.platform for c in merged.columns} == {"macos arm64", "macos x86_64"}
    assert len(merged.cells) == 2 * len(report("macos", "arm64", "venv")["cells"])


def test_a_merge_merges_again_and_says_the_same(tmp_path: Path) -> None:
    """A merged report.json is an input like any other: merging it alone changes nothing,
    and merging it with one of its own inputs is the duplicate-cell error."""
    inputs = ci_like_reports(tmp_path / "in")
    assert merge_cli(*inputs, "-o", tmp_path / "once") == 0
    once = tmp_path / "once" / "report.json"
    assert merge_cli(once, "-o", tmp_path / "twice") == 0
    twice = tmp_path / "twice" / "report.json"
    assert twice.read_text(encoding="utf-8") == once.read_text(encoding="utf-8")
    assert merge_cli(once, inputs[0], "-o", tmp_path / "thrice") == 2
    assert not (tmp_path / "thrice").exists()


def test_a_schema_2_report_reads_as_one_run(tmp_path: Path) -> None:
    path = write(tmp_path / "report.json", report("linux", "x86_64", "venv"))
    [(run, verdicts)] = as_json.read(path)
    assert (run.os, run.machine, run.pythons) == (
        "linux",
        "x86_64",
        {"3.9": "3.9.18", "3.13": "3.13.0"},
    )
    assert len(verdicts) == len(report("linux", "x86_64", "venv")["cells"])
