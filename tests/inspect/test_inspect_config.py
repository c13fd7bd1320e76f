"""--select / --ignore, baselines, --loader-entry and [tool.harness.lint] in pyproject.toml."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.cli import main

ELF = pytest.mark.parametrize("fmt", ["elf"], indirect=True)


@pytest.fixture
def broken(pair: Callable[..., dict[str, Path]]) -> list[str]:
    """A pair with two findings: SLI001 (no SONAME) and SLI007 (no Requires-Dist)."""
    built = pair(own_name=None, requires=())
    return [str(built["producer"]), str(built["consumer"])]


def _rules(capsys) -> list[str]:
    report = json.loads(capsys.readouterr().out)
    return sorted(f["rule"] for f in report["findings"])


@ELF
def test_select_and_ignore(broken: list[str], capsys, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["lint", "--json", *broken]) == 1
    assert _rules(capsys) == ["SLI001", "SLI007"]
    assert main(["lint", "--json", "--select", "SLI007", *broken]) == 1
    assert _rules(capsys) == ["SLI007"]
    assert main(["lint", "--json", "--ignore", "sli001,SLI007", *broken]) == 0
    assert _rules(capsys) == []


@ELF
def test_unknown_rule_id_exit_two(broken: list[str], capsys, monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["lint", "--select", "SLI999", *broken]) == 2
    err = capsys.readouterr().err
    assert "--select" in err and "SLI999" in err and "SLI001" in err


@ELF
def test_baseline_accepts_known_findings_only(
    broken: list[str], pair: Callable[..., dict[str, Path]], capsys, monkeypatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    baseline = tmp_path / "lint-baseline.json"
    assert main(["lint", "--write-baseline", str(baseline), *broken]) == 0
    capsys.readouterr()
    accepted = json.loads(baseline.read_text())
    assert accepted["schema"] == 1
    assert sorted(a["rule"] for a in accepted["accepted"]) == ["SLI001", "SLI007"]
    assert main(["lint", "--json", "--baseline", str(baseline), *broken]) == 0
    assert _rules(capsys) == []
    # A new defect is still reported: the consumer's entry no longer names the producer.
    worse = pair(requires=(), linked_as="libfoo.so")
    assert main(["lint", "--json", "--baseline", str(baseline), str(worse["producer"]),
                 str(worse["consumer"])]) == 1  # fmt: skip
    assert "SLI003" in _rules(capsys)


def test_bad_baseline_exit_two(tmp_path: Path, capsys, wheel_factory) -> None:
    wheel = wheel_factory("libfoo", {"libfoo/__init__.py": "loader = 1\n"})
    baseline = tmp_path / "baseline.json"
    baseline.write_text('{"accepted": []}')
    assert main(["lint", "--baseline", str(baseline), str(wheel)]) == 2
    assert "baseline.json" in capsys.readouterr().err


@ELF
def test_loader_entry_flag(pair: Callable[..., dict[str, Path]], capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    built = pair(producer_init="def ensure_loaded():\n    pass\n")
    wheels = [str(built["producer"]), str(built["consumer"])]
    assert main(["lint", "--json", *wheels]) == 1
    assert _rules(capsys) == ["SLI008"]
    assert main(["lint", "--json", "--loader-entry", "ensure_loaded", *wheels]) == 0


@ELF
def test_pyproject_table(
    pair: Callable[..., dict[str, Path]], broken: list[str], capsys, monkeypatch, tmp_path: Path
) -> None:
    built = pair(producer_init="def ensure_loaded():\n    pass\n")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.harness.lint]\nignore = ["SLI007"]\nloader-entry = "ensure_loaded"\n'
        'baseline = "accepted.json"\n'
    )
    (tmp_path / "accepted.json").write_text(json.dumps({"schema": 1, "accepted": []}))
    monkeypatch.chdir(tmp_path)
    assert main(["lint", "--json", str(built["producer"]), str(built["consumer"])]) == 0
    capsys.readouterr()
    assert main(["lint", "--json", *broken]) == 1
    assert _rules(capsys) == ["SLI001"]
    # The command line wins: --select overrides the table's selection.
    assert main(["lint", "--json", "--select", "SLI001,SLI007", *broken]) == 1
    assert _rules(capsys) == ["SLI001"]  # ignore still applies on top of select


def test_pyproject_errors_exit_two(tmp_path: Path, capsys, wheel_factory, monkeypatch) -> None:
    wheel = wheel_factory("libfoo", {"libfoo/__init__.py": "loader = 1\n"})
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.harness.lint]\nselekt = ['SLI001']\n")
    assert main(["lint", str(wheel)]) == 2
    err = capsys.readouterr().err
    assert "pyproject.toml" in err and "selekt" in err
    (tmp_path / "pyproject.toml").write_text("[tool.harness.lint\n")
    assert main(["lint", str(wheel)]) == 2
    assert "not valid TOML" in capsys.readouterr().err
