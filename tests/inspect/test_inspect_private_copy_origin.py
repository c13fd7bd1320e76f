"""SLI004 names the producer library a private copy came from when several producers ship
libraries of one stem (libfoo 1.0, its no-SONAME build and libfoo 2.0 in one wheelhouse).

The repair tool renames the copy (``libfoo-a63381a5.so.1``) but keeps the rest of the
name; the rule must match that against each producer's loader key, not take whichever
same-stem producer it saw last.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest
from inspect_testlib import LOADER_INIT, Native

from harness.inspect import Finding, lint_wheels

# A copy as each repair tool leaves it: auditwheel renames file and SONAME, delocate keeps
# the name in <pkg>/.dylibs/, delvewheel renames the DLL into <dist>.libs/.
COPY = {
    "elf": ("pyfoo_vendored.libs/libfoo-a63381a5.so.1", "libfoo-a63381a5.so.1"),
    "macho": (
        "pyfoo_vendored/.dylibs/libfoo.1.dylib",
        "/DLC/pyfoo_vendored/.dylibs/libfoo.1.dylib",
    ),
    "pe": (
        "pyfoo_vendored.libs/foo-0123456789abcdef0123456789abcdef.dll",
        "foo-0123456789abcdef0123456789abcdef.dll",
    ),
}
PRODUCER_FILE = {
    "elf": ("libfoo.so.1", "libfoo.so.2"),
    "macho": ("libfoo.1.dylib", "libfoo.2.dylib"),
    "pe": ("foo.dll", "foo.dll"),  # a DLL name carries no ABI major
}
EXTENSION = {
    "elf": "pyfoo_vendored/_pyfoo.cpython-312-x86_64-linux-gnu.so",
    "macho": "pyfoo_vendored/_pyfoo.cpython-312-darwin.so",
    "pe": "pyfoo_vendored/_pyfoo.cp312-win_amd64.pyd",
}


def _sli004(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.rule == "SLI004"]


@pytest.fixture
def wheelhouse(native: Native, wheel_factory: Callable[..., Path]) -> dict[str, Path]:
    """libfoo 1.0, libfoo 1.0 without a library name (ELF), libfoo 2.0 and the consumer
    whose repair copied libfoo 1.0 in under a new name."""
    fmt = native.fmt
    first, second = PRODUCER_FILE[fmt]
    member, copy_name = COPY[fmt]
    v1 = native.library(first)
    v2 = native.library(second)
    copy = native.library(member.rsplit("/", 1)[1], own_name=copy_name)
    extension = native.extension(link_to=[copy])

    def producer(library: Path, version: str, file_name: str) -> Path:
        files = {"libfoo/__init__.py": LOADER_INIT, f"libfoo/lib/{file_name}": library}
        return wheel_factory("libfoo", files, fmt=fmt, version=version)

    wheels = {
        "libfoo": producer(v1, "1.0", first),
        "libfoo2": producer(v2, "2.0", second),
        "pyfoo-vendored": wheel_factory(
            "pyfoo-vendored",
            {"pyfoo_vendored/__init__.py": "", EXTENSION[fmt]: extension, member: copy},
            fmt=fmt,
            requires=["libfoo>=1.0,<2"],
        ),
    }
    if fmt == "elf":
        nameless = native.library(first, own_name=None)
        wheels["libfoo-nosoname"] = producer(nameless, "1.0+nosoname", first)
    return wheels


@pytest.mark.parametrize("fmt", ["elf", "macho"], indirect=True)
def test_the_copy_is_attributed_to_the_producer_whose_key_it_carries(
    fmt: str, wheelhouse: dict[str, Path]
) -> None:
    expected = wheelhouse["libfoo"].name
    for order in itertools.permutations(wheelhouse.values()):
        (finding,) = _sli004(lint_wheels(list(order)))
        assert finding.file == COPY[fmt][0]
        assert f"of {PRODUCER_FILE[fmt][0]} from {expected}:" in finding.detail, finding.detail
        assert wheelhouse["libfoo2"].name not in finding.detail
        if "libfoo-nosoname" in wheelhouse:
            assert wheelhouse["libfoo-nosoname"].name not in finding.detail


@pytest.mark.parametrize("fmt", ["pe"], indirect=True)
def test_equally_likely_originals_are_all_named(fmt: str, wheelhouse: dict[str, Path]) -> None:
    """libfoo 1.0 and 2.0 both ship foo.dll: nothing in the copy's name tells them apart."""
    (finding,) = _sli004(lint_wheels(list(wheelhouse.values())))
    one, two = sorted([wheelhouse["libfoo"].name, wheelhouse["libfoo2"].name])
    assert f"of foo.dll from {one} or foo.dll from {two}:" in finding.detail, finding.detail


@pytest.mark.parametrize("fmt", ["elf"], indirect=True)
def test_only_the_major_version_left_picks_that_major(
    fmt: str, native: Native, wheel_factory: Callable[..., Path]
) -> None:
    """A copy whose name matches no producer exactly (libfoo.so.2.1 shipped, copy says
    .so.2) still goes to the producer of the same ABI major."""
    v1 = native.library("libfoo.so.1")
    v2 = native.library("libfoo.so.2.1", own_name="libfoo.so.2.1")
    copy = native.library("libfoo-0badc0de.so.2", own_name="libfoo-0badc0de.so.2")
    extension = native.extension(link_to=[copy])
    wheels = [
        wheel_factory(
            "libfoo",
            {"libfoo/__init__.py": LOADER_INIT, "libfoo/lib/libfoo.so.2.1": v2},
            fmt=fmt,
            version="2.1",
        ),
        wheel_factory(
            "libfoo", {"libfoo/__init__.py": LOADER_INIT, "libfoo/lib/libfoo.so.1": v1}, fmt=fmt
        ),
        wheel_factory(
            "pyfoo",
            {
                "pyfoo/__init__.py": "",
                EXTENSION["elf"].replace("pyfoo_vendored", "pyfoo"): extension,
                "pyfoo.libs/libfoo-0badc0de.so.2": copy,
            },
            fmt=fmt,
            requires=["libfoo"],
        ),
    ]
    (finding,) = _sli004(lint_wheels(wheels))
    assert f"of libfoo.so.2.1 from {wheels[0].name}:" in finding.detail, finding.detail
