"""The builder's cache, failures and real installs (real builds, sharing the session build)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from suite_testlib import SessionBuild, link_cache_entries

from harness import platforms
from harness.builder import BuildError, build_all, catalogue
from harness.workdir import WorkDir

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _alone_in_the_session_build(session_build: SessionBuild) -> Iterator[None]:
    """These tests build into the session's shared work directory again (and look at its
    scratch directory afterwards): one at a time across pytest-xdist workers."""
    with session_build.building():
        yield


def test_second_build_is_a_cache_hit(session_build: SessionBuild) -> None:
    assert any("built in" in line for line in session_build.progress)
    before = sorted(p.name for p in (session_build.workdir.cache / "wheels").iterdir())
    progress: list[str] = []
    house = build_all(
        session_build.workdir,
        session_build.interpreter,
        wheels_src=session_build.wheels_src,
        progress=progress.append,
    )
    assert len(progress) == len(catalogue.ids_on(platforms.current()))
    assert all(line.split()[1] == "cached" for line in progress), progress
    assert sorted(p.name for p in (session_build.workdir.cache / "wheels").iterdir()) == before
    assert house.to_json() == session_build.wheelhouse.to_json()


def test_entries_linked_into_another_work_dir_are_its_cache_hits(
    session_build: SessionBuild, tmp_path: Path
) -> None:
    """Cache keys name contents, not places: a work dir given the session build's entries
    (as the suite gives the project's work dir) builds nothing, from another copy of the
    sources, and gets the same wheels."""
    other = WorkDir(tmp_path / "work")
    sources = tmp_path / "wheels-src"
    shutil.copytree(session_build.wheels_src, sources)
    assert not (other.cache / "wheels").exists()  # control: nothing to hit before
    added = link_cache_entries(session_build.workdir, other)
    assert len([a for a in added if a.startswith("wheels/")]) >= len(
        session_build.wheelhouse.wheels
    )
    assert link_cache_entries(session_build.workdir, other) == []  # each entry once
    progress: list[str] = []
    house = build_all(
        other, session_build.interpreter, wheels_src=sources, progress=progress.append
    )
    assert progress and all(line.split()[1] == "cached" for line in progress), progress
    assert house.wheels == session_build.wheelhouse.wheels
    libfoo = house.wheel("libfoo")
    assert libfoo.samefile(session_build.wheelhouse.wheel("libfoo"))


def test_failing_build_leaves_no_cache_entry_and_shows_the_log(
    session_build: SessionBuild, tmp_path: Path
) -> None:
    """A compile error: the error names the item, quotes the log's tail and gives its path."""
    sources = tmp_path / "wheels-src"
    for name in ("libclash", "shared_lib_manager"):
        shutil.copytree(session_build.wheels_src / name, sources / name)
    broken = sources / "libclash" / "src" / "clash.c"
    broken.write_text(broken.read_text() + "\nthis is not C;\n")
    cache = session_build.workdir.cache / "wheels"
    before = sorted(p.name for p in cache.iterdir())
    with pytest.raises(BuildError) as raised:
        build_all(
            session_build.workdir,
            session_build.interpreter,
            ["libclasha"],
            wheels_src=sources,
            progress=lambda line: None,
        )
    message = str(raised.value)
    assert "'libclasha'" in message
    assert "this is not C" in message or "clash.c" in message
    assert raised.value.log is not None
    assert raised.value.log.is_file()
    assert str(raised.value.log) in message
    assert sorted(p.name for p in cache.iterdir()) == before
    assert [p for p in session_build.workdir.tmp.iterdir() if p.suffix != ".lock"] == []


def test_unknown_id_is_a_clear_error(session_build: SessionBuild) -> None:
    with pytest.raises(catalogue.UnknownIdError, match=r"'pyfooo'.*known ids: .*pyfoo"):
        build_all(
            session_build.workdir,
            session_build.interpreter,
            ["pyfooo"],
            wheels_src=session_build.wheels_src,
        )


def test_missing_project_is_a_clear_error(session_build: SessionBuild, tmp_path: Path) -> None:
    with pytest.raises(BuildError, match=r"shared_lib_manager/pyproject\.toml does not exist"):
        build_all(
            session_build.workdir,
            session_build.interpreter,
            ["shared_lib_manager"],
            wheels_src=tmp_path,
            progress=lambda line: None,
        )


@pytest.mark.skipif(shutil.which("uv") is None, reason="needs uv to create the venv")
def test_consumers_import_in_a_venv(session_build: SessionBuild, tmp_path: Path) -> None:
    house = session_build.wheelhouse
    venv = tmp_path / "venv"
    python = venv / platforms.current().interpreter_relpath()
    subprocess.run(
        ["uv", "venv", "-q", "--python", str(session_build.interpreter.executable), str(venv)],
        check=True,
    )
    ids = ["shared_lib_manager", "shared_lib_consumer", "libfoo", "pyfoo", "libbar", "pybar"]
    subprocess.run(
        ["uv", "pip", "install", "-q", "--no-index", "--python", str(python)]
        + [str(house.wheel(i)) for i in ids],
        check=True,
        env={**os.environ, "UV_CACHE_DIR": str(tmp_path / "uv-cache")},
    )
    code = "import pyfoo, pybar; print(pyfoo.identity()); print(pybar.identity()); print(pybar.foo_identity())"
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["libfoo 1.0 wheel", "libbar 1.0 wheel", "libfoo 1.0 wheel"]
