"""Per-OS paths and variables, checked for all three platforms without those OSes."""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest

from harness import platforms
from harness.envs.layout import Layout
from harness.platforms import prepend_path_list


def test_venv_interpreter_per_platform() -> None:
    assert platforms.venv_interpreter(PurePosixPath("/c/venv"), platforms.LINUX) == PurePosixPath(
        "/c/venv/bin/python"
    )
    assert platforms.venv_interpreter(PurePosixPath("/c/venv"), platforms.MACOS) == PurePosixPath(
        "/c/venv/bin/python"
    )
    windows = platforms.venv_interpreter(PureWindowsPath(r"C:\cell\venv"), platforms.WINDOWS)
    assert str(windows) == r"C:\cell\venv\Scripts\python.exe"


def test_prefix_library_dir_is_bin_for_dlls() -> None:
    assert platforms.prefix_library_dir(PurePosixPath("/p"), platforms.LINUX).name == "lib"
    assert platforms.prefix_library_dir(PurePosixPath("/p"), platforms.MACOS).name == "lib"
    assert (
        str(platforms.prefix_library_dir(PureWindowsPath(r"C:\p"), platforms.WINDOWS))
        == r"C:\p\bin"
    )


@pytest.mark.parametrize(
    ("platform", "variable"),
    [
        (platforms.LINUX, "LD_LIBRARY_PATH"),
        (platforms.MACOS, "DYLD_LIBRARY_PATH"),
        (platforms.WINDOWS, "PATH"),
    ],
)
def test_library_search_variable(platform: platforms.Platform, variable: str) -> None:
    assert platforms.library_search_prepends([PurePosixPath("/s")], platform) == {variable: ["/s"]}
    assert platforms.library_search_prepends([], platform) == {}


def test_temp_dir_variables() -> None:
    assert platforms.temp_dir_vars(platforms.LINUX) == ("TMPDIR",)
    assert platforms.temp_dir_vars(platforms.MACOS) == ("TMPDIR",)
    assert platforms.temp_dir_vars(platforms.WINDOWS) == ("TEMP", "TMP")


def test_home_dir_variables() -> None:
    assert platforms.home_dir_env(PurePosixPath("/h"), platforms.LINUX) == {"HOME": "/h"}
    windows = platforms.home_dir_env(PureWindowsPath(r"C:\h"), platforms.WINDOWS)
    assert windows["USERPROFILE"] == windows["LOCALAPPDATA"] == windows["APPDATA"] == r"C:\h"


def test_windows_path_merge_is_case_insensitive_and_uses_semicolons() -> None:
    host = {"Path": r"C:\Windows\system32", "HOME": "x"}
    merged = prepend_path_list(host, "PATH", [r"C:\cell\system"], platforms.WINDOWS)
    assert merged == {"PATH": r"C:\cell\system;C:\Windows\system32", "HOME": "x"}


def test_posix_path_merge_is_case_sensitive() -> None:
    merged = prepend_path_list({"Path": "/x"}, "PATH", ["/a", "/b"], platforms.LINUX)
    assert merged == {"Path": "/x", "PATH": "/a:/b"}


def _layout(platform: platforms.Platform, root: Path) -> Layout:
    return Layout(
        kind="venv",
        root=root,
        python=root / "venv" / platform.interpreter_relpath(),
        locations={"site": root / "venv" / "site", "system": root / "system"},
        env={"PYTHONNOUSERSITE": "1"},
        path_prepends=platforms.library_search_prepends([root / "system"], platform),
        platform=platform,
    )


def test_process_env_windows_keeps_host_path_after_system_dir() -> None:
    layout = _layout(platforms.WINDOWS, Path("/cell"))
    env = layout.process_env(
        host={"PATH": "/host/bin", "PYTHONPATH": "/leak", "LD_LIBRARY_PATH": "/x"}
    )
    assert env["PATH"] == "/cell/system;/host/bin"
    assert "PYTHONPATH" not in env
    assert "LD_LIBRARY_PATH" not in env


@pytest.mark.parametrize("platform", [platforms.LINUX, platforms.MACOS])
def test_process_env_posix_drops_host_library_path(platform: platforms.Platform) -> None:
    layout = _layout(platform, Path("/cell"))
    host = {"PATH": "/host/bin", platform.library_search_var: "/host/lib", "VIRTUAL_ENV": "/v"}
    env = layout.process_env(host=host)
    assert env[platform.library_search_var] == "/cell/system"
    assert env["PATH"] == "/host/bin"
    assert "VIRTUAL_ENV" not in env
    assert env["PYTHONNOUSERSITE"] == "1"


def test_relocated_rebases_paths_under_the_root_only() -> None:
    layout = _layout(platforms.LINUX, Path("/tmpl"))
    layout.env["PYTHONUSERBASE"] = "/tmpl/user"
    layout.path_prepends["PYTHONPATH"] = ["/tmpl/target", "/elsewhere"]
    moved = layout.relocated(Path("/cells/one"))
    assert moved.python == Path("/cells/one/venv/bin/python")
    assert moved.locations["system"] == Path("/cells/one/system")
    assert moved.env == {"PYTHONNOUSERSITE": "1", "PYTHONUSERBASE": "/cells/one/user"}
    assert moved.path_prepends["PYTHONPATH"] == ["/cells/one/target", "/elsewhere"]
    assert layout.root == Path("/tmpl")  # the original is untouched


def test_label_of_prefers_the_deepest_location_and_knows_extra_dirs() -> None:
    layout = _layout(platforms.LINUX, Path("/cell"))
    layout.locations["outer"] = Path("/cell")
    layout.extra_dirs["site"] = [Path("/cell/venv/lib64")]
    assert layout.label_of("/cell/venv/site/pkg/__init__.py") == ("site", "pkg/__init__.py")
    assert layout.label_of("/cell/venv/lib64/ext.so") == ("site", "ext.so")
    assert layout.label_of("/cell/logs/x") == ("outer", "logs/x")
    assert layout.label_of("/usr/lib/libc.so.6") is None
