"""Wine is found where distributions put it, not only on PATH (issue 26, item 6).

Newer Ubuntu installs ``wineserver`` only in the wine library folder. These tests build
a PATH that has ``wine`` and ``wineboot`` but no ``wineserver`` (a folder of links to
every program on the real PATH except the wineserver ones) and run a real Wine cell
with it. The negative control turns the library-folder search off: the same PATH then
misses ``wineserver``, which is what skipped every Wine cell on Ubuntu 26.04.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from native_testlib import call_identity, load

from harness.native import NativeSpec, run_native, wine
from harness.native.build import IDENTITIES, ToolMissingError, missing_compiler
from harness.workdir import WorkDir


def _real_server() -> Path:
    found = wine.find_tool("wineserver")
    if found is None or wine.find_tool("wine") is None:
        pytest.skip(f"wine not installed (Debian packages: {wine.PACKAGE})")
    return Path(found).resolve()


def path_without_wineserver(tmp_path: Path) -> str:
    """A PATH of one folder linking every program of the real PATH but ``wineserver*``."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if not directory or not Path(directory).is_dir():
            continue
        for entry in Path(directory).iterdir():
            link = folder / entry.name
            if entry.name.startswith("wineserver") or link.exists() or link.is_symlink():
                continue
            link.symlink_to(entry)
    return str(folder)


@pytest.fixture
def no_server_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The real wineserver's file; PATH without it, and no ``$WINESERVER``."""
    server = _real_server()
    if not any(server.parent == Path(folder).resolve() for folder in wine.LIBRARY_DIRS):
        pytest.skip(f"wineserver is at {server}, in none of {wine.LIBRARY_DIRS}")
    monkeypatch.delenv(wine.SERVER_VARIABLE, raising=False)
    monkeypatch.setenv("PATH", path_without_wineserver(tmp_path))
    assert shutil.which("wineserver") is None and shutil.which("wine") is not None
    return server


def test_wineserver_is_found_in_the_library_folder(no_server_on_path: Path) -> None:
    assert wine.missing_tool() is None
    found = wine.find_tool("wineserver")
    assert found is not None and Path(found).resolve() == no_server_on_path
    assert Path(found).parent.resolve() in {Path(d).resolve() for d in wine.LIBRARY_DIRS}


def test_negative_control_a_path_only_lookup_misses_wineserver(
    no_server_on_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wine, "LIBRARY_DIRS", ())
    missing = wine.missing_tool()
    assert isinstance(missing, ToolMissingError) and missing.tool == "wineserver", missing
    with pytest.raises(ToolMissingError, match="wineserver not found"):
        wine.tool("wineserver")


def test_wineserver_variable_is_honoured(
    no_server_on_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``$WINESERVER`` names the server even where no folder has one; a name that is not
    an executable file is ignored, not trusted."""
    monkeypatch.setattr(wine, "LIBRARY_DIRS", ())
    monkeypatch.setenv(wine.SERVER_VARIABLE, str(no_server_on_path))
    assert wine.find_tool("wineserver") == str(no_server_on_path)
    assert wine.base_env(tmp_path)[wine.SERVER_VARIABLE] == str(no_server_on_path)
    monkeypatch.setenv(wine.SERVER_VARIABLE, str(tmp_path / "no-such-wineserver"))
    assert wine.find_tool("wineserver") is None


def test_a_wine_cell_runs_without_wineserver_on_path(no_server_on_path: Path) -> None:
    """The real thing: the prefix, the server and the probe under Wine, with the server
    found in the library folder and handed to Wine as ``$WINESERVER``."""
    missing = missing_compiler("wine")
    if missing is not None:
        pytest.skip(str(missing))
    workdir = WorkDir()
    spec = NativeSpec(
        steps=(load("preload", "producer"), load("consumer", "consumer"), call_identity()),
        symbols=("foo_identity",),
        identity_functions=("foo_identity",),
    )
    with wine.WineSession(workdir) as session:
        assert Path(session.env[wine.SERVER_VARIABLE]).resolve() == no_server_on_path
        evidence = run_native("wine", spec, workdir, session=session)
    assert evidence.python.platform == "windows"
    assert evidence.step("consumer").ok, evidence.step("consumer").error
    assert evidence.step("identity").value == IDENTITIES["producer"]
