"""Bad input to ``harness check`` exits 2 with one clear line naming the file, requirement or
option and the fix, before any layout is made."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from check_testlib import write_wheel

from harness import platforms
from harness.cli import main

pytestmark = pytest.mark.skipif(
    platforms.current().name != "linux", reason="the example wheels below are Linux wheels"
)


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = main(["check", *args])
    captured = capsys.readouterr()
    return status, captured.err


def test_not_a_wheel(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk-1.0-py3-none-any.whl"
    junk.write_text("not a zip")
    status, err = _run(capsys, str(junk))
    assert status == 2
    assert err.startswith(f"harness check: {junk}: not a readable zip archive")
    bad_name = tmp_path / "notawheel.whl"
    bad_name.write_text("x")
    status, err = _run(capsys, str(bad_name))
    assert status == 2
    assert err.startswith(f"harness check: {bad_name}: not a wheel file name ("), err


def test_missing_paths_and_empty_directories(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, err = _run(capsys, str(tmp_path / "nope"))
    assert status == 2 and "no such file or directory" in err
    (tmp_path / "empty").mkdir()
    status, err = _run(capsys, str(tmp_path / "empty"))
    assert status == 2 and "directory holds no .whl file" in err


@pytest.mark.slow
def test_wrong_platform_tag(
    tmp_path: Path, built_wheels: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    source = built_wheels("libfoo")
    windows = tmp_path / "libfoo-1.0-py3-none-win_amd64.whl"
    shutil.copy2(source, windows)
    status, err = _run(capsys, str(windows))
    assert status == 2
    assert f"{windows}: a wheel for windows, but this machine runs linux" in err


@pytest.mark.slow
def test_missing_requirement_then_found_with_find_links(
    tmp_path: Path, family_dir: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    consumer = family_dir("pyfoo", name="consumer")
    status, err = _run(capsys, str(consumer))
    assert status == 2
    assert "requires libfoo<2,>=1.0, which no given wheel satisfies" in err
    assert "--find-links" in err
    producer = family_dir("libfoo", name="producer", loaders=False)
    # resolved now: the unknown layout name is the next (and last) thing reported
    status, err = _run(capsys, str(consumer), "--find-links", str(producer), "--layout", "nope")
    assert status == 2
    assert "no layout of the matrix has that name" in err


@pytest.mark.slow
def test_no_consumer_and_bad_options(
    family_dir: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    producer = str(family_dir("libfoo", name="producer"))
    status, err = _run(capsys, producer)
    assert status == 2
    assert "no consumer found: no binary of " in err and "--producer/--consumer" in err
    family = str(family_dir("libfoo", "pyfoo", name="family"))
    status, err = _run(capsys, family, "--load", "libfoo/lib/libnothere.so.1")
    assert status == 2 and "--load libfoo/lib/libnothere.so.1: no wheel of the family" in err
    status, err = _run(capsys, family, "--python", "3.8")
    assert status == 2 and "do not accept Python 3.8" in err
    status, err = _run(capsys, family, "--consumer", "numpy")
    assert status == 2 and "--consumer 'numpy': no such distribution" in err
    status, err = _run(capsys, family, "--preload", "not a module")
    assert status == 2 and "write MODULE or MODULE:FUNCTION" in err


@pytest.mark.slow
def test_other_platforms_and_pythons_beside_this_machines_wheels_are_skipped(
    tmp_path: Path, family_dir: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A release's dist/ holds every platform: the check takes this machine's wheels."""
    family = family_dir("libfoo", "pyfoo", name="release")
    source = next(family.glob("pyfoo-*.whl"))
    shutil.copy2(source, family / "pyfoo-1.0-cp311-cp311-win_amd64.whl")
    shutil.copy2(source, family / "pyfoo-1.0-cp399-cp399-manylinux_2_17_x86_64.whl")
    status, err = _run(capsys, str(family), "--layout", "nope")
    assert status == 2 and "no layout of the matrix has that name" in err, err


def test_specifier_inputs_name_what_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``NAME==VERSION`` is downloaded; an index that cannot be reached, a name without a
    version and a family without a binary each give one line and exit 2, leaving nothing."""
    monkeypatch.setenv("HARNESS_WORKDIR", str(tmp_path / "work"))
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")  # nothing listens there
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    status, err = _run(capsys, "libfoo==1.0", "--python", "3.11")
    assert status == 2
    assert err.startswith("harness check: libfoo==1.0: the package index cannot be reached (")
    assert "PIP_INDEX_URL" in err and len(err.strip().splitlines()) == 1
    assert list((tmp_path / "work" / "cache" / "check-families").iterdir()) == []
    status, err = _run(capsys, "libfoo")
    assert status == 2
    assert "libfoo: no such file, and as a requirement it names no version" in err
    status, err = _run(capsys, "lib foo==1")
    assert status == 2 and "neither a wheel file, a directory nor a requirement" in err


def test_family_without_binary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    family = tmp_path / "pure"
    write_wheel(family, "purea", {"purea/__init__.py": ""}, pure=True)
    write_wheel(
        family, "pureb", {"pureb/__init__.py": "import purea\n"}, requires=["purea"], pure=True
    )
    status, err = _run(capsys, str(family))
    assert status == 2
    assert err.startswith("harness check: no binary in the family: purea-1.0-py3-none-any.whl")
    assert "ship no shared library or extension module" in err
