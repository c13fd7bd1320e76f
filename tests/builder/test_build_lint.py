"""The builder lints its wheelhouse against the catalogue's expected findings (both directions).

Small real wheelhouses: ``libfoo`` and ``libfoo-nosoname`` wheels whose ``libfoo.so.1`` is
compiled here with and without ``DT_SONAME``, indexed under the catalogue ids, so the
real expectations (``libfoo`` clean, ``libfoo-nosoname`` -> SLI001) are what is checked.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest
from build_testlib import compile_library, write_wheel

from harness import platforms
from harness.builder import Wheelhouse, catalogue, lintcheck
from harness.builder import command as build_command
from harness.builder.wheelhouse import WheelEntry
from harness.hashing import file_sha256
from harness.inspect import RULES

pytestmark = pytest.mark.skipif(
    platforms.current().name != "linux" or shutil.which("cc") is None,
    reason="needs Linux and a C compiler (cc) to build real ELF libraries",
)

LOADER = "from shared_lib_manager import LibraryLoader\nloader = LibraryLoader({})\n"


def _producer(directory: Path, version: str, soname: str | None) -> Path:
    library = compile_library(directory / "build", soname)
    return write_wheel(
        directory,
        "libfoo",
        version,
        {"libfoo/__init__.py": LOADER.encode(), "libfoo/lib/libfoo.so.1": library.read_bytes()},
    )


def _house(root: Path, libfoo_soname: str | None, nosoname_soname: str | None) -> Wheelhouse:
    """A wheelhouse with the catalogue's ``libfoo`` and ``libfoo-nosoname`` ids."""
    house = Wheelhouse(root / "cp311", "cp311", "linux")
    house.directory.mkdir(parents=True)
    for wheel_id, version, soname in (
        ("libfoo", "1.0", libfoo_soname),
        ("libfoo-nosoname", "1.0+nosoname", nosoname_soname),
    ):
        wheel = _producer(root / wheel_id, version, soname)
        shutil.move(str(wheel), house.directory / wheel.name)
        house.wheels[wheel_id] = WheelEntry(
            file=wheel.name,
            dist="libfoo",
            version=version,
            role="producer",
            sha256=file_sha256(house.directory / wheel.name),
        )
    house.write()
    return house


def test_catalogue_declares_known_rules_and_searchable_inputs() -> None:
    for spec in catalogue.WHEELS:
        assert spec.expected_lint <= set(RULES), spec.id
        assert set(spec.repair_search) <= set(catalogue.build_inputs(spec)), spec.id
        if spec.repair_search:  # the forgotten exclude: nothing left to other wheels
            assert spec.leave_to_other_wheels == (), spec.id


def test_wheelhouse_as_the_catalogue_expects_is_ok_and_written(tmp_path: Path) -> None:
    house = _house(tmp_path, libfoo_soname="libfoo.so.1", nosoname_soname=None)
    result = lintcheck.lint_wheelhouse(house)
    assert result.ok, [str(p) for p in result.problems]
    assert [(wheel_id, f.rule) for wheel_id, f in result.findings] == [
        ("libfoo-nosoname", "SLI001")
    ]
    written = json.loads((house.directory / lintcheck.LINT_FILE).read_text())
    assert [(item["id"], item["rule"]) for item in written["findings"]] == [
        ("libfoo-nosoname", "SLI001")
    ]
    assert written["problems"] == []
    assert "libfoo-nosoname SLI001" in result.summary()
    assert "as the catalogue expects" in result.summary()


def test_an_expected_clean_wheel_that_breaks_is_an_unexpected_finding(tmp_path: Path) -> None:
    house = _house(tmp_path, libfoo_soname=None, nosoname_soname=None)  # libfoo lost its SONAME
    result = lintcheck.lint_wheelhouse(house)
    assert not result.ok
    (problem,) = result.problems
    assert (problem.kind, problem.wheel_id, problem.rule) == ("unexpected", "libfoo", "SLI001")
    text = str(problem)
    assert "libfoo: unexpected SLI001 (library-without-name)" in text
    assert "libfoo/lib/libfoo.so.1" in text and "no SONAME" in text
    assert "expected_lint" in text


def test_a_negative_variant_without_its_defect_is_a_missing_finding(tmp_path: Path) -> None:
    house = _house(tmp_path, libfoo_soname="libfoo.so.1", nosoname_soname="libfoo.so.1")
    result = lintcheck.lint_wheelhouse(house)
    (problem,) = result.problems
    assert (problem.kind, problem.wheel_id, problem.rule) == (
        "missing",
        "libfoo-nosoname",
        "SLI001",
    )
    assert "libfoo-nosoname: expected SLI001" in str(problem)
    assert "did not report it" in str(problem)


def test_the_lint_is_cached_until_a_wheel_changes(tmp_path: Path) -> None:
    house = _house(tmp_path, libfoo_soname="libfoo.so.1", nosoname_soname=None)
    assert not lintcheck.lint_wheelhouse(house).cached
    again = lintcheck.lint_wheelhouse(Wheelhouse.load(house.directory))
    assert again.cached and again.ok
    assert [f.rule for _, f in again.findings] == ["SLI001"]
    # the same id now names a broken wheel (another sha256): linted again, not reused
    broken = _house(tmp_path / "other", libfoo_soname=None, nosoname_soname=None)
    entry = broken.wheels["libfoo"]
    shutil.copy2(broken.directory / entry.file, house.directory / entry.file)
    house.wheels["libfoo"] = entry
    house.write()
    relinted = lintcheck.lint_wheelhouse(Wheelhouse.load(house.directory))
    assert not relinted.cached
    assert [(p.kind, p.wheel_id) for p in relinted.problems] == [("unexpected", "libfoo")]


def _args(tmp_path: Path) -> argparse.Namespace:
    return argparse.Namespace(workdir=str(tmp_path / "work"), python="current", only=None, jobs=1)


def test_build_command_fails_on_a_lint_problem_naming_wheel_rule_and_detail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command's glue: the build itself is replaced by a ready (broken) wheelhouse."""
    house = _house(tmp_path, libfoo_soname=None, nosoname_soname=None)

    monkeypatch.setattr(build_command, "build_all", lambda *_a, **_k: house)
    assert build_command.run(_args(tmp_path)) == 1
    out, err = capsys.readouterr()
    assert "1 problem(s)" in out
    assert "lint: libfoo: unexpected SLI001" in err and "no SONAME" in err


def test_build_command_prints_the_lint_summary_when_as_expected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    house = _house(tmp_path, libfoo_soname="libfoo.so.1", nosoname_soname=None)
    monkeypatch.setattr(build_command, "build_all", lambda *_a, **_k: house)
    assert build_command.run(_args(tmp_path)) == 0
    out = capsys.readouterr().out
    assert "lint: 1 finding(s) (libfoo-nosoname SLI001), as the catalogue expects" in out
