"""delvewheel and delocate, run here on cross-built Windows and macOS wheels.

CI runs the repair tools on real Windows and macOS builds; these tests run the same
tools on Linux so a wrong exclude is caught before CI. The producer is libfoo's own
CMake project cross-built as in ``test_cross_platform.py`` (``foo.dll``;
``libfoo.1.dylib`` with install id ``@rpath/libfoo.1.dylib``); the consumer wheel holds
an extension module compiled with the same cross compiler and linked to it (the
Python headers of those platforms are not here, so its ``PyInit`` only calls into foo;
the repair tools read the dependency entries, never run the module).

- delvewheel runs natively on Linux on a ``win_amd64`` wheel.
- delocate 0.13 needs Apple's ``otool``, ``install_name_tool``, ``lipo`` and
  ``codesign``: shims in the test's temporary directory map them to the ``llvm-*`` tools
  (``llvm-otool`` 14 has no ``-m``, which delocate passes and which changes nothing for a
  file that is not an archive, so the shim drops it) and make ``codesign`` a no-op.

Expectations: with the exclude the consumer carries no copy of the producer and its
dependency entry is unchanged; without it a copy is bundled and the dependency entry
is renamed to point at it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_cross_platform import (
    TOOLCHAINS,
    WHEELS_SRC,
    CrossBuild,
    macos_unavailable,
    windows_unavailable,
)

from harness import platforms
from harness.inspect import macho as macho_reader
from harness.inspect import pe as pe_reader

pytestmark = pytest.mark.slow

EXTENSION_SOURCE = """\
#include "foo.h"
#if defined(_WIN32)
#define EXT_API __declspec(dllexport)
#else
#define EXT_API __attribute__((visibility("default")))
#endif
/* Stands in for a CPython extension's init: the dependency on foo is what matters. */
EXT_API void *PyInit__pyfoo(void) { return (void *)foo_identity(); }
"""
LLVM_VERSIONS = range(22, 13, -1)


def _tool_script(name: str) -> list[str]:
    """The console script ``name`` of this interpreter's environment, else on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return [str(beside)]
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} not found (pip install the test extras: delvewheel, delocate)")
    return [found]


def _llvm(tool: str) -> str | None:
    for candidate in (f"llvm-{tool}", *(f"llvm-{tool}-{v}" for v in LLVM_VERSIONS)):
        found = shutil.which(candidate)
        if found:
            return found
    return None


def _require_module(name: str) -> None:
    if importlib.util.find_spec(name) is None:
        pytest.skip(f"{name} is not installed (it is in the test extras)")


@dataclass(frozen=True)
class Repair:
    """A consumer wheel and what the repair tools need to find its producer."""

    wheel: Path
    producer_dir: Path
    env: dict[str, str]


def _run(command: list[str], env: Mapping[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a tool in ``cwd``, its temporary files there too (the repair tools unpack wheels)."""
    return subprocess.run(
        command,
        env={**env, "TMPDIR": str(cwd)},
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def _pack_wheel(root: Path, tag: str, extension: Path, env: Mapping[str, str]) -> Path:
    """``pyfoo-1.0-<tag>.whl`` holding ``pyfoo/<extension>``, packed by ``wheel pack``."""
    tree = root / "pyfoo-tree"
    package = tree / "pyfoo"
    dist_info = tree / "pyfoo-1.0.dist-info"
    package.mkdir(parents=True)
    dist_info.mkdir()
    (package / "__init__.py").write_text("")
    shutil.copy2(extension, package / extension.name)
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: pyfoo\nVersion: 1.0\n")
    (dist_info / "WHEEL").write_text(
        f"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: false\nTag: {tag}\n"
    )
    dist = root / "dist"
    dist.mkdir()
    result = _run([sys.executable, "-m", "wheel", "pack", str(tree), "-d", str(dist)], env, root)
    assert result.returncode == 0, result.stderr
    (wheel,) = dist.glob("*.whl")
    return wheel


def _build_extension(command: list[str], root: Path, env: Mapping[str, str]) -> None:
    source = root / "ext.c"
    source.write_text(EXTENSION_SOURCE)
    result = _run([*command, str(source)], env, root)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def windows_wheel(tmp_path_factory: pytest.TempPathFactory) -> Repair:
    reason = windows_unavailable()
    if reason:
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("repair-windows")
    env = dict(os.environ)
    libfoo = CrossBuild(TOOLCHAINS / "windows-x86_64.cmake", root, env).install(
        "libfoo", WHEELS_SRC / "libfoo", {}
    )
    lib = libfoo / "libfoo" / "lib"
    extension = root / "_pyfoo.cp312-win_amd64.pyd"
    _build_extension(
        [
            "x86_64-w64-mingw32-gcc",
            "-shared",
            "-static-libgcc",
            "-I",
            str(libfoo / "libfoo" / "include"),
            "-o",
            str(extension),
            str(lib / "foo.dll"),
        ],
        root,
        env,
    )
    return Repair(_pack_wheel(root, "cp312-cp312-win_amd64", extension, env), lib, env)


@pytest.fixture(scope="module")
def macos_wheel(tmp_path_factory: pytest.TempPathFactory) -> Repair:
    reason = macos_unavailable()
    if reason:
        pytest.skip(reason)
    tools = {name: _llvm(name) for name in ("otool", "install-name-tool", "lipo")}
    missing = [f"llvm-{name}" for name, found in tools.items() if found is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not found (Debian: llvm)")
    root = tmp_path_factory.mktemp("repair-macos")
    shims = root / "shims"
    shims.mkdir()
    scripts = {
        # delocate passes Apple's -m (archive member syntax off); llvm-otool has no -m.
        "otool": f'for a; do shift; [ "$a" = -m ] || set -- "$@" "$a"; done\nexec "{tools["otool"]}" "$@"',
        "install_name_tool": f'exec "{tools["install-name-tool"]}" "$@"',
        "lipo": f'exec "{tools["lipo"]}" "$@"',
        "codesign": "exit 0  # nothing here can sign; delocate re-signs after editing",
        "sw_vers": "echo 11.0  # CMake's Darwin platform files ask the macOS version",
    }
    for name, body in scripts.items():
        shim = shims / name
        shim.write_text(f"#!/bin/sh\n{body}\n")
        shim.chmod(0o755)
    env = dict(os.environ, PATH=f"{shims}{os.pathsep}{os.environ.get('PATH', '')}")
    libfoo = CrossBuild(TOOLCHAINS / "macos-x86_64.cmake", root, env).install(
        "libfoo", WHEELS_SRC / "libfoo", {}
    )
    lib = libfoo / "libfoo" / "lib"
    extension = root / "_pyfoo.cpython-312-darwin.so"
    libsystem = TOOLCHAINS / "libSystem.tbd"
    _build_extension(
        [
            "clang",
            "-target",
            "x86_64-apple-macos11",
            "-fuse-ld=lld",
            "-nostdlib",
            str(libsystem),
            "-bundle",
            "-I",
            str(libfoo / "libfoo" / "include"),
            "-o",
            str(extension),
            str(lib / "libfoo.1.dylib"),
        ],
        root,
        env,
    )
    return Repair(_pack_wheel(root, "cp312-cp312-macosx_11_0_x86_64", extension, env), lib, env)


def _members(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as archive:
        return {name: archive.read(name) for name in archive.namelist() if not name.endswith("/")}


def _repaired(out: Path) -> Path:
    (wheel,) = out.glob("*.whl")
    return wheel


# -- delvewheel -----------------------------------------------------------------------

PYD = "pyfoo/_pyfoo.cp312-win_amd64.pyd"


def _imports(members: Mapping[str, bytes]) -> list[str]:
    (arch_slice,) = pe_reader.read(PYD, members[PYD]).slices
    return [dependency.name for dependency in arch_slice.dependencies]


def _foo_copies(members: Mapping[str, bytes], platform: platforms.Platform) -> list[str]:
    pattern = platforms.library_copy_pattern(platform, "foo")
    return sorted(name for name in members if pattern.fullmatch(name.rsplit("/", 1)[-1]))


def test_delvewheel_no_dll_leaves_foo_to_the_producer(
    windows_wheel: Repair, tmp_path: Path
) -> None:
    _require_module("delvewheel")
    out = tmp_path / "out"
    command = [*_tool_script("delvewheel"), "repair", "--no-dll", "foo.dll", "-w", str(out)]
    result = _run([*command, str(windows_wheel.wheel)], windows_wheel.env, tmp_path)
    assert result.returncode == 0, result.stderr
    members = _members(_repaired(out))
    assert _foo_copies(members, platforms.WINDOWS) == []
    assert "foo.dll" in _imports(members), "the import entry must still name the producer's DLL"


def test_delvewheel_without_the_exclude_bundles_a_renamed_copy(
    windows_wheel: Repair, tmp_path: Path
) -> None:
    _require_module("delvewheel")
    out = tmp_path / "out"
    command = [*_tool_script("delvewheel"), "repair", "--add-path", str(windows_wheel.producer_dir)]
    result = _run([*command, "-w", str(out), str(windows_wheel.wheel)], windows_wheel.env, tmp_path)
    assert result.returncode == 0, result.stderr
    members = _members(_repaired(out))
    (copy,) = _foo_copies(members, platforms.WINDOWS)
    copy_name = copy.rsplit("/", 1)[-1]
    assert copy.startswith("pyfoo.libs/") and copy_name != "foo.dll", copy
    imports = _imports(members)
    assert copy_name in imports and "foo.dll" not in imports, imports


def test_delvewheel_without_the_exclude_or_the_producer_cannot_find_foo(
    windows_wheel: Repair, tmp_path: Path
) -> None:
    _require_module("delvewheel")
    command = [*_tool_script("delvewheel"), "repair", "-w", str(tmp_path / "out")]
    result = _run([*command, str(windows_wheel.wheel)], windows_wheel.env, tmp_path)
    assert result.returncode != 0
    assert "Unable to find library: foo.dll" in result.stderr


# -- delocate -------------------------------------------------------------------------

SO = "pyfoo/_pyfoo.cpython-312-darwin.so"


def _load_commands(members: Mapping[str, bytes]) -> list[str]:
    (arch_slice,) = macho_reader.read(SO, members[SO]).slices
    return [dependency.name for dependency in arch_slice.dependencies]


def _delocate(
    repair: Repair, out: Path, *args: str, producer_on_path: bool
) -> subprocess.CompletedProcess[str]:
    _require_module("delocate")
    env = dict(repair.env)
    env.pop("DYLD_LIBRARY_PATH", None)
    if producer_on_path:  # how delocate resolves @rpath without an LC_RPATH
        env["DYLD_LIBRARY_PATH"] = str(repair.producer_dir)
    command = [*_tool_script("delocate-wheel"), "-w", str(out), *args, str(repair.wheel)]
    return _run(command, env, out.parent)


@pytest.mark.parametrize(
    ("args", "producer_on_path"),
    [
        (("--exclude", "libfoo"), True),
        (("--exclude", "libfoo", "--ignore-missing-dependencies"), False),
    ],
    ids=["producer-found", "ignore-missing"],
)
def test_delocate_exclude_leaves_libfoo_to_the_producer(
    macos_wheel: Repair, tmp_path: Path, args: tuple[str, ...], producer_on_path: bool
) -> None:
    out = tmp_path / "out"
    result = _delocate(macos_wheel, out, *args, producer_on_path=producer_on_path)
    assert result.returncode == 0, result.stderr
    members = _members(_repaired(out))
    assert _foo_copies(members, platforms.MACOS) == []
    assert "@rpath/libfoo.1.dylib" in _load_commands(members)


def test_delocate_exclude_alone_cannot_find_an_rpath_dependency(
    macos_wheel: Repair, tmp_path: Path
) -> None:
    """delocate resolves every dependency before it applies --exclude."""
    result = _delocate(macos_wheel, tmp_path / "out", "--exclude", "libfoo", producer_on_path=False)
    assert result.returncode != 0
    assert "Could not find all dependencies" in result.stderr


def test_delocate_without_the_exclude_bundles_a_copy(macos_wheel: Repair, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _delocate(macos_wheel, out, producer_on_path=True)
    assert result.returncode == 0, result.stderr
    members = _members(_repaired(out))
    assert _foo_copies(members, platforms.MACOS) == ["pyfoo/.dylibs/libfoo.1.dylib"]
    loads = _load_commands(members)
    assert "@loader_path/.dylibs/libfoo.1.dylib" in loads and "@rpath/libfoo.1.dylib" not in loads
