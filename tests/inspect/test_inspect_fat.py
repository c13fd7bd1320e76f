"""Fat (universal) Mach-O: every architecture is read and judged on its own."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.inspect import lint_wheels
from harness.inspect.readers import detect, read

LOADER = "loader = object()\n"


def _lipo() -> str | None:
    found = shutil.which("llvm-lipo") or shutil.which("lipo")
    if found:
        return found
    # Debian's clang ships it only with a version suffix (llvm-lipo-14).
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        versioned = sorted(Path(directory).glob("llvm-lipo-*")) if directory else []
        if versioned:
            return str(versioned[-1])
    return None


def _fat_with_lipo(slices: list[Path], out: Path) -> Path:
    lipo = _lipo()
    if lipo is None:
        pytest.skip("llvm-lipo not found (Debian: llvm or clang's llvm-lipo-NN)")
    subprocess.run([lipo, "-create", *map(str, slices), "-output", str(out)], check=True)
    return out


@pytest.fixture(params=["handmade", "llvm-lipo"])
def fatten(
    request: pytest.FixtureRequest, make_fat: Callable[[list[Path], Path], Path]
) -> Callable[[list[Path], Path], Path]:
    return make_fat if request.param == "handmade" else _fat_with_lipo


def _slices(path: Path) -> dict[str, str | None]:
    data = path.read_bytes()
    assert detect(data[:8]) == "macho"
    info = read("macho", path.name, io.BytesIO(data), "test")
    return {s.arch: s.own_name for s in info.slices}


def test_fat_producer_every_slice_checked(
    native_factory, wheel_factory, fatten, tmp_path: Path
) -> None:
    x86 = native_factory("macho", "x86_64").library("libfoo.1.dylib")
    arm_bad = native_factory("macho", "arm64").library("libfoo.1.dylib", "@rpath/libfoo.dylib")
    arm_good = native_factory("macho", "arm64").library("libfoo.1.dylib")
    bad = fatten([x86, arm_bad], tmp_path / "bad.dylib")
    good = fatten([x86, arm_good], tmp_path / "good.dylib")
    assert _slices(bad) == {"x86_64": "@rpath/libfoo.1.dylib", "arm64": "@rpath/libfoo.dylib"}

    def producer(library: Path) -> Path:
        files = {"libfoo/__init__.py": LOADER, "libfoo/lib/libfoo.1.dylib": library}
        wheel: Path = wheel_factory("libfoo", files, fmt="macho")
        return wheel

    bad_wheel, good_wheel = producer(bad), producer(good)
    findings = lint_wheels([bad_wheel], {bad_wheel: "producer"})
    assert [(f.rule, f.file) for f in findings] == [("SLI002", "libfoo/lib/libfoo.1.dylib [arm64]")]
    assert lint_wheels([good_wheel], {good_wheel: "producer"}) == []


def test_fat_consumer_slice_with_other_dependency(
    native_factory, wheel_factory, fatten, tmp_path: Path
) -> None:
    x86, arm = native_factory("macho", "x86_64"), native_factory("macho", "arm64")
    lib_x86 = x86.library("libfoo.1.dylib")
    lib_arm = arm.library("libfoo.1.dylib")
    unversioned_arm = arm.library("libfoo.1.dylib", "@rpath/libfoo.dylib")
    fat_lib = fatten([lib_x86, lib_arm], tmp_path / "libfoo.1.dylib")
    ext_x86 = x86.extension(link_to=[lib_x86])
    ext_arm = arm.extension(link_to=[unversioned_arm])
    fat_ext = fatten([ext_x86, ext_arm], tmp_path / "_pyfoo.so")
    producer = wheel_factory(
        "libfoo", {"libfoo/__init__.py": LOADER, "libfoo/lib/libfoo.1.dylib": fat_lib}, fmt="macho"
    )
    consumer = wheel_factory(
        "pyfoo", {"pyfoo/_pyfoo.abi3.so": fat_ext}, fmt="macho", requires=["libfoo"]
    )
    findings = lint_wheels([producer, consumer])
    assert [(f.rule, f.file) for f in findings] == [("SLI003", "pyfoo/_pyfoo.abi3.so [arm64]")]
    assert "'@rpath/libfoo.dylib'" in findings[0].detail
