"""Conda's per-platform layout, answered for each OS by passing a Platform (runs on Linux)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest

from harness.conda import conda_paths, libfoo_package, prefix
from harness.conda.errors import CondaError
from harness.conda.package_writer import PackageSpec
from harness.platforms import LINUX, MACOS, WINDOWS, Platform

ROOT_POSIX = PurePosixPath("/env")
ROOT_WIN = PureWindowsPath("C:/env")


@pytest.mark.parametrize(
    ("platform", "root", "library", "lib_dir"),
    [
        (LINUX, ROOT_POSIX, "/env/lib/libfoo.so.1", "/env/lib"),
        (MACOS, ROOT_POSIX, "/env/lib/libfoo.1.dylib", "/env/lib"),
        (WINDOWS, ROOT_WIN, "C:/env/Library/bin/foo.dll", "C:/env/Library/bin"),
    ],
)
def test_library_file_and_directory(
    platform: Platform, root: PurePosixPath | PureWindowsPath, library: str, lib_dir: str
) -> None:
    assert conda_paths.library_path(root, platform, "foo", 1).as_posix() == library
    assert conda_paths.library_dir(root, platform).as_posix() == lib_dir


def test_library_relpaths_for_packages() -> None:
    assert conda_paths.library_relpath(LINUX, "foo", 2) == "lib/libfoo.so.2"
    assert conda_paths.library_relpath(MACOS, "foo", 2) == "lib/libfoo.2.dylib"
    assert conda_paths.library_relpath(WINDOWS, "foo", 2) == "Library/bin/foo.dll"


def test_python_site_packages_and_path() -> None:
    assert conda_paths.python(ROOT_POSIX, LINUX).as_posix() == "/env/bin/python"
    assert conda_paths.python(ROOT_POSIX, MACOS).as_posix() == "/env/bin/python"
    assert conda_paths.python(ROOT_WIN, WINDOWS).as_posix() == "C:/env/python.exe"
    assert (
        conda_paths.site_packages(ROOT_POSIX, LINUX, "3.12").as_posix()
        == "/env/lib/python3.12/site-packages"
    )
    assert conda_paths.site_packages(ROOT_WIN, WINDOWS, "3.12").as_posix() == (
        "C:/env/Lib/site-packages"
    )
    assert [p.as_posix() for p in conda_paths.path_dirs(ROOT_POSIX, MACOS)] == ["/env/bin"]
    windows_path = [p.as_posix() for p in conda_paths.path_dirs(ROOT_WIN, WINDOWS)]
    assert windows_path[0] == "C:/env" and "C:/env/Library/bin" in windows_path
    assert "C:/env/Scripts" in windows_path


@pytest.mark.parametrize(
    ("platform", "machine", "subdir", "index"),
    [
        (LINUX, "x86_64", "linux-64", ("linux", "x86_64")),
        (LINUX, "aarch64", "linux-aarch64", ("linux", "aarch64")),
        (MACOS, "x86_64", "osx-64", ("osx", "x86_64")),
        (MACOS, "arm64", "osx-arm64", ("osx", "arm64")),
        (WINDOWS, "AMD64", "win-64", ("win", "x86_64")),
    ],
)
def test_subdir_per_platform_and_machine(
    platform: Platform, machine: str, subdir: str, index: tuple[str, str]
) -> None:
    assert conda_paths.subdir(platform, machine) == subdir
    assert conda_paths.index_platform(subdir) == index
    spec = PackageSpec(name="libfoo", version="1.0", build="h0_0", subdir=subdir)
    data = spec.index_json()
    assert (data["subdir"], data["platform"], data["arch"]) == (subdir, *index)


def test_unknown_machine_and_subdir_are_named() -> None:
    with pytest.raises(CondaError, match=r"no conda subdir for machine 'sparc64' on linux"):
        conda_paths.subdir(LINUX, "sparc64")
    with pytest.raises(CondaError, match=r"'solaris-64' is not a conda platform subdir"):
        conda_paths.index_platform("solaris-64")


def test_noarch_package_has_no_platform() -> None:
    data = PackageSpec(name="pip", version="1", build="0", subdir="noarch", noarch="python")
    assert "platform" not in data.index_json() and data.index_json()["noarch"] == "python"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("platform", "expected", "installed"),
    [
        (MACOS, "lib/libfoo.1.dylib", "lib/libfoo.so.1"),
        (WINDOWS, "Library/bin/foo.dll", "Library/lib/libfoo.so.1"),
    ],
)
def test_libfoo_package_looks_for_the_platforms_file(
    tmp_path: Path, platform: Platform, expected: str, installed: str
) -> None:
    """A Linux build staged for another platform: the package step asks for that
    platform's file in conda's place for it (and the CMake prefix moves to Library/ on
    Windows), so the ELF file it got is refused by name."""
    payload = tmp_path / "payload"
    payload.mkdir()
    (tmp_path / "scratch").mkdir()
    with pytest.raises(CondaError) as caught:
        libfoo_package.stage(
            prefix.default_libfoo_source(),
            1,
            payload,
            tmp_path / "scratch",
            tmp_path / "build.log",
            platform=platform,
        )
    message = str(caught.value)
    assert f"did not produce {expected}" in message and platform.name in message
    assert installed in message
    assert (payload / installed).is_file()
