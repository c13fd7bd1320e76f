"""The built, repaired wheels, inspected the way the loader and auditwheel see them (real builds)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from build_testlib import elf_files, read_dynamic, unpack, wheel_tags

from harness import platforms
from harness.builder import Wheelhouse, catalogue

pytestmark = pytest.mark.slow

LINUX_ONLY = pytest.mark.skipif(
    platforms.current().name != "linux", reason="ELF checks need Linux wheels (built on Linux)"
)

PRODUCER_LIBS = {
    "libfoo": "libfoo/lib/libfoo.so.1",
    "libfoo2": "libfoo/lib/libfoo.so.2",
    "libbar": "libbar/lib/libbar.so.1",
    "libclasha": "libclasha/lib/libclasha.so.1",
    "libclashb": "libclashb/lib/libclashb.so.1",
}
LIBRARY_FILES = {
    **PRODUCER_LIBS,
    "libfoo-nosoname": "libfoo/lib/libfoo.so.1",
    "libfoo-linkerscript": "libfoo/lib/libfoo.so.1",
}
CONSUMER_NEEDS = {
    "pyfoo": ("pyfoo", "libfoo.so.1"),
    "pyfoo-twin": ("pyfoo_twin", "libfoo.so.1"),
    "pyfoo-rpath": ("pyfoo_rpath", "libfoo.so.1"),
    "pyfoo-nopreload": ("pyfoo_nopreload", "libfoo.so.1"),
    "pybar": ("pybar", "libbar.so.1"),
    "pyclasha": ("pyclasha", "libclasha.so.1"),
    "pyclashb": ("pyclashb", "libclashb.so.1"),
}
NATIVE = [
    spec.id
    for spec in catalogue.WHEELS
    if spec.role != "loader" and spec.built_on(platforms.current())
]


def _extension(tree: Path, package: str) -> Path:
    (found,) = sorted((tree / package).glob("_*.so"))
    return found


def test_every_catalogue_wheel_and_prefix_is_in_the_wheelhouse(wheelhouse: Wheelhouse) -> None:
    here = catalogue.ids_on(platforms.current())
    assert sorted(wheelhouse.wheels) == sorted(i for i in here if i in catalogue.WHEELS_BY_ID)
    assert sorted(wheelhouse.prefixes) == ["libfoo-system"]
    for wheel_id, entry in wheelhouse.wheels.items():
        spec = catalogue.WHEELS_BY_ID[wheel_id]
        assert wheelhouse.wheel(wheel_id).is_file()
        assert (entry.dist, entry.role) == (spec.dist, spec.role)
        if spec.version:
            assert entry.version == spec.version
    reloaded = Wheelhouse.load(wheelhouse.directory)
    assert reloaded.to_json() == wheelhouse.to_json()


@LINUX_ONLY
@pytest.mark.parametrize("wheel_id", sorted(PRODUCER_LIBS))
def test_producer_soname_equals_file_name(
    wheelhouse: Wheelhouse, wheel_id: str, tmp_path: Path
) -> None:
    library = unpack(wheelhouse.wheel(wheel_id), tmp_path) / PRODUCER_LIBS[wheel_id]
    assert read_dynamic(library).soname == library.name


@LINUX_ONLY
def test_nosoname_variant_has_same_file_but_no_soname(
    wheelhouse: Wheelhouse, tmp_path: Path
) -> None:
    library = unpack(wheelhouse.wheel("libfoo-nosoname"), tmp_path) / "libfoo/lib/libfoo.so.1"
    assert library.is_file()
    assert read_dynamic(library).soname is None


@LINUX_ONLY
def test_linkerscript_variant_declares_a_gnu_ld_script_next_to_the_real_library(
    wheelhouse: Wheelhouse, tmp_path: Path
) -> None:
    tree = unpack(wheelhouse.wheel("libfoo-linkerscript"), tmp_path)
    assert read_dynamic(tree / "libfoo/lib/libfoo.so.1").soname == "libfoo.so.1"
    script = (tree / "libfoo/lib/libfoo.so").read_bytes()
    assert not script.startswith(b"\x7fELF")
    assert b"INPUT(libfoo.so.1)" in script
    loader = (tree / "libfoo/__init__.py").read_text(encoding="utf-8")
    assert 'Linux=os.path.join(_LIB_DIR, "libfoo.so")' in loader
    # the plain libfoo wheel declares the SONAME file and ships no script
    plain = unpack(wheelhouse.wheel("libfoo"), tmp_path / "plain")
    assert not (plain / "libfoo/lib/libfoo.so").exists()
    plain_loader = (plain / "libfoo/__init__.py").read_text(encoding="utf-8")
    assert 'Linux=os.path.join(_LIB_DIR, "libfoo.so.1")' in plain_loader


@LINUX_ONLY
@pytest.mark.parametrize("wheel_id", sorted(CONSUMER_NEEDS))
def test_consumer_needs_the_producer_soname(
    wheelhouse: Wheelhouse, wheel_id: str, tmp_path: Path
) -> None:
    package, soname = CONSUMER_NEEDS[wheel_id]
    needed = read_dynamic(_extension(unpack(wheelhouse.wheel(wheel_id), tmp_path), package)).needed
    assert soname in needed
    if wheel_id == "pybar":  # the chain: pybar needs libbar only; libbar needs libfoo
        assert "libfoo.so.1" not in needed


@LINUX_ONLY
def test_libbar_needs_libfoo(wheelhouse: Wheelhouse, tmp_path: Path) -> None:
    library = unpack(wheelhouse.wheel("libbar"), tmp_path) / "libbar/lib/libbar.so.1"
    assert "libfoo.so.1" in read_dynamic(library).needed


@LINUX_ONLY
@pytest.mark.parametrize(
    "wheel_id", [w for w in NATIVE if w not in ("pyfoo-rpath", "pyfoo-vendored")]
)
def test_no_rpath_into_the_producer(wheelhouse: Wheelhouse, wheel_id: str, tmp_path: Path) -> None:
    objects = elf_files(unpack(wheelhouse.wheel(wheel_id), tmp_path))
    assert objects
    for path in objects:
        dynamic = read_dynamic(path)
        assert (dynamic.rpath, dynamic.runpath) == ([], []), path


@LINUX_ONLY
def test_rpath_variant_carries_the_rpath_the_check_above_rejects(
    wheelhouse: Wheelhouse, tmp_path: Path
) -> None:
    dynamic = read_dynamic(
        _extension(unpack(wheelhouse.wheel("pyfoo-rpath"), tmp_path), "pyfoo_rpath")
    )
    assert dynamic.rpath + dynamic.runpath == ["$ORIGIN/../libfoo/lib"]


@LINUX_ONLY
@pytest.mark.parametrize("wheel_id", sorted(CONSUMER_NEEDS))
def test_repaired_consumer_holds_no_producer_copy(
    wheelhouse: Wheelhouse, wheel_id: str, tmp_path: Path
) -> None:
    tree = unpack(wheelhouse.wheel(wheel_id), tmp_path)
    package, _ = CONSUMER_NEEDS[wheel_id]
    assert elf_files(tree) == [_extension(tree, package)]
    assert not list(tree.glob("*.libs"))


@LINUX_ONLY
def test_vendored_variant_carries_a_mangled_private_copy(
    wheelhouse: Wheelhouse, tmp_path: Path
) -> None:
    """pyfoo-vendored: the repair forgot the exclude, so auditwheel copied libfoo in, renamed
    it (content hash in the name and SONAME), and pointed the extension's DT_NEEDED at the
    copy through an RPATH into the distribution-named ``.libs`` directory."""
    tree = unpack(wheelhouse.wheel("pyfoo-vendored"), tmp_path / "vendored")
    (copy,) = (tree / "pyfoo_vendored.libs").iterdir()
    assert re.fullmatch(r"libfoo-[0-9a-f]{8}\.so\.1", copy.name)
    assert read_dynamic(copy).soname == copy.name
    extension = read_dynamic(_extension(tree, "pyfoo_vendored"))
    assert copy.name in extension.needed
    assert "libfoo.so.1" not in extension.needed
    assert extension.rpath + extension.runpath == ["$ORIGIN/../pyfoo_vendored.libs"]
    assert elf_files(tree) == sorted([copy, _extension(tree, "pyfoo_vendored")])
    # the copy is the producer's library, byte for byte apart from what auditwheel patched
    original = unpack(wheelhouse.wheel("libfoo"), tmp_path / "libfoo") / "libfoo/lib/libfoo.so.1"
    assert (
        _identity(copy, "foo_identity")
        == _identity(original, "foo_identity")
        == ("libfoo 1.0 wheel")
    )


@LINUX_ONLY
@pytest.mark.parametrize("wheel_id", NATIVE)
def test_wheel_carries_a_manylinux_tag(wheelhouse: Wheelhouse, wheel_id: str) -> None:
    assert "manylinux" in wheel_tags(wheelhouse.wheel(wheel_id))[2]


@pytest.mark.parametrize("wheel_id", NATIVE)
def test_python_tags(wheelhouse: Wheelhouse, wheel_id: str) -> None:
    python_tag, abi_tag, _ = wheel_tags(wheelhouse.wheel(wheel_id))
    if catalogue.WHEELS_BY_ID[wheel_id].role == "consumer":
        assert python_tag == abi_tag == wheelhouse.python_tag
    else:
        assert (python_tag, abi_tag) == ("py3", "none")


def test_producer_ships_headers_and_cmake_package(wheelhouse: Wheelhouse, tmp_path: Path) -> None:
    tree = unpack(wheelhouse.wheel("libfoo"), tmp_path)
    assert (tree / "libfoo/include/foo.h").is_file()
    assert (tree / "libfoo/lib/cmake/libfoo/libfooConfig.cmake").is_file()
    entry_points = (tree / "libfoo-1.0.dist-info/entry_points.txt").read_text()
    assert "[cmake.prefix]" in entry_points
    assert re.search(r"^libfoo\s*=\s*libfoo$", entry_points, re.MULTILINE)


def _identity(library: Path, function: str, search: Path | None = None) -> str:
    """Ask a library which build it is, in a fresh process (the loader keys by SONAME)."""
    code = (
        "import ctypes, sys; lib = ctypes.CDLL(sys.argv[1]); f = getattr(lib, sys.argv[2]);"
        "f.restype = ctypes.c_char_p; print(f().decode())"
    )
    env = dict(os.environ)
    if search is not None:
        env["LD_LIBRARY_PATH"] = str(search)
    out = subprocess.run(
        [sys.executable, "-c", code, str(library), function],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return out.stdout.strip()


@LINUX_ONLY
@pytest.mark.parametrize(
    ("wheel_id", "function", "expected"),
    [
        ("libfoo", "foo_identity", "libfoo 1.0 wheel"),
        ("libfoo-nosoname", "foo_identity", "libfoo 1.0 wheel"),
        ("libfoo-linkerscript", "foo_identity", "libfoo 1.0 wheel"),
        ("libfoo2", "foo_identity", "libfoo 2.0 wheel"),
        ("libbar", "bar_identity", "libbar 1.0 wheel"),
        ("libclasha", "clash_value", "a"),
        ("libclashb", "clash_value", "b"),
        ("libclasha", "clasha_identity", "libclasha 1.0 wheel"),
        ("libclashb", "clashb_identity", "libclashb 1.0 wheel"),
    ],
)
def test_identity_of_each_producer(
    wheelhouse: Wheelhouse, wheel_id: str, function: str, expected: str, tmp_path: Path
) -> None:
    library = unpack(wheelhouse.wheel(wheel_id), tmp_path / wheel_id) / LIBRARY_FILES[wheel_id]
    search = None
    if wheel_id == "libbar":  # libbar.so.1 needs libfoo.so.1 and has no RPATH
        search = unpack(wheelhouse.wheel("libfoo"), tmp_path / "libfoo") / "libfoo" / "lib"
    assert _identity(library, function, search) == expected


@LINUX_ONLY
def test_system_prefix_is_a_plain_install_with_its_own_identity(wheelhouse: Wheelhouse) -> None:
    prefix = wheelhouse.prefix("libfoo-system")
    library = prefix / "lib" / "libfoo.so.1"
    assert read_dynamic(library).soname == "libfoo.so.1"
    assert (prefix / "include" / "foo.h").is_file()
    assert _identity(library, "foo_identity") == "libfoo 1.0 system"
