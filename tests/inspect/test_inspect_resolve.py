"""The resolver: who provides each needed library, in the loader's order, on real binaries
packed into synthetic wheels. Each tier has a control where the tier above is taken away."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from inspect_testlib import EXTENSION_FILE, PRODUCER_FILE, Native

from harness.inspect.resolve import Resolution, Resolver
from harness.inspect.wheel import Wheel, load

RPATH = {"elf": "$ORIGIN/lib", "macho": "@loader_path/lib", "pe": None}
"""Where the extension's own search path finds ``lib/<file>`` beside it (PE: its own
directory, so the library sits next to it instead)."""


BASE_C = 'const char *base_identity(void) { return "base"; }\n'
MID_C = (
    "const char *base_identity(void);\nconst char *foo_identity(void) { return base_identity(); }\n"
)


def _own_member(fmt: str) -> str:
    return f"pyfoo/{PRODUCER_FILE[fmt]}" if fmt == "pe" else f"pyfoo/lib/{PRODUCER_FILE[fmt]}"


def _extension(native: Native, with_rpath: bool) -> tuple[Path, Path]:
    library = native.library(PRODUCER_FILE[native.fmt])
    rpath = RPATH[native.fmt]
    rpaths = [rpath] if with_rpath and rpath else []
    return library, native.extension(link_to=[library], rpaths=rpaths)


def _resolution(wheels: list[Path], consumer: str = "pyfoo") -> Resolution:
    loaded = [load(p) for p in wheels]
    wheel = next(w for w in loaded if w.dist == consumer)
    extension = next(b for b in wheel.binaries if b.file_name.startswith("_pyfoo"))
    resolver = Resolver(loaded)
    wanted = PRODUCER_FILE
    (found,) = [
        r
        for r in resolver.resolutions(wheel, extension)
        if r.dependency.name.rsplit("/", 1)[-1].lower() in {v.lower() for v in wanted.values()}
    ]
    return found


def test_own_rpath_inside_own_wheel_wins_over_another_wheel(
    fmt: str, native: Native, wheel_factory: Callable[..., Path]
) -> None:
    library, extension = _extension(native, with_rpath=True)
    producer = wheel_factory("libfoo", {f"libfoo/lib/{PRODUCER_FILE[fmt]}": library}, fmt=fmt)
    files = {f"pyfoo/{EXTENSION_FILE[fmt]}": extension, _own_member(fmt): library}
    consumer = wheel_factory("pyfoo", files, fmt=fmt)
    found = _resolution([producer, consumer])
    assert found.tier == "own-rpath"
    assert found.provider is not None and found.provider.wheel.dist == "pyfoo"
    assert found.ambiguous  # both wheels ship the name, and the answer says so
    assert [w.dist for w in found.wheels] == ["pyfoo", "libfoo"]
    assert "also shipped as libfoo/lib/" in found.describe()
    # control: the same wheel without the rpath (PE: the library in another directory)
    _library, bare = _extension(native, with_rpath=False)
    other_dir = f"pyfoo/other/{PRODUCER_FILE[fmt]}"
    consumer = wheel_factory(
        "pyfoo", {f"pyfoo/{EXTENSION_FILE[fmt]}": bare, other_dir: library}, fmt=fmt
    )
    # nothing reaches its own copy: another given wheel answers as much as its own does,
    # and its own copy counts only when no other wheel ships the name
    assert _resolution([producer, consumer]).tier == "given"
    assert _resolution([consumer]).tier == "own-wheel"


def test_required_wheel_before_any_given_wheel(
    fmt: str, native: Native, wheel_factory: Callable[..., Path]
) -> None:
    library, extension = _extension(native, with_rpath=False)
    member = f"lib{{}}/lib/{PRODUCER_FILE[fmt]}"
    # alpha sorts first: a resolver that took "any given wheel" would answer with it
    alpha = wheel_factory("alpha", {member.format("alpha"): library}, fmt=fmt)
    libfoo = wheel_factory("libfoo", {member.format("foo"): library}, fmt=fmt)
    files = {f"pyfoo/{EXTENSION_FILE[fmt]}": extension}
    consumer = wheel_factory("pyfoo", files, fmt=fmt, requires=["libfoo>=1"])
    found = _resolution([alpha, libfoo, consumer])
    assert found.tier == "required"
    assert [p.wheel.dist for p in found.providers] == ["libfoo"]
    assert found.ambiguous and {w.dist for w in found.wheels} == {"alpha", "libfoo"}
    # control: no requirement -> any given wheel, both named (the ambiguity is explicit)
    consumer = wheel_factory("pyfoo", files, fmt=fmt)
    found = _resolution([alpha, libfoo, consumer])
    assert found.tier == "given"
    assert sorted(p.wheel.dist for p in found.providers) == ["alpha", "libfoo"]


def test_required_through_another_wheel(native_factory, wheel_factory) -> None:
    native = native_factory("elf")
    library, extension = _extension(native, with_rpath=False)
    libfoo = wheel_factory("libfoo", {"libfoo/lib/libfoo.so.1": library}, fmt="elf")
    middle = wheel_factory("middle", {"middle/__init__.py": ""}, requires=["libfoo"])
    files = {f"pyfoo/{EXTENSION_FILE['elf']}": extension}
    consumer = wheel_factory("pyfoo", files, fmt="elf", requires=["middle"])
    assert _resolution([libfoo, middle, consumer]).tier == "required"
    middle = wheel_factory("middle", {"middle/__init__.py": ""})
    assert _resolution([libfoo, middle, consumer]).tier == "given"


def test_nobody_ships_it(native_factory, wheel_factory) -> None:
    native = native_factory("elf")
    _library, extension = _extension(native, with_rpath=False)
    consumer = wheel_factory("pyfoo", {f"pyfoo/{EXTENSION_FILE['elf']}": extension}, fmt="elf")
    found = _resolution([consumer])
    assert found.tier in ("missing", "unknown")  # unknown without auditwheel's policy
    assert not found.resolved and found.providers == () and not found.ambiguous


def test_rpath_into_another_wheel_reaches_it_only_in_one_location(
    native_factory, wheel_factory
) -> None:
    """cmeel/nvidia: ``$ORIGIN/../../libfoo/lib`` finds the producer's file only when both
    wheels share one site-packages directory."""
    native = native_factory("elf")
    library = native.library("libfoo.so.1")
    extension = native.extension(link_to=[library], rpaths=["$ORIGIN/../libfoo/lib"])
    producer = wheel_factory("libfoo", {"libfoo/lib/libfoo.so.1": library}, fmt="elf")
    consumer = wheel_factory(
        "pyfoo", {f"pyfoo/{EXTENSION_FILE['elf']}": extension}, fmt="elf", requires=["libfoo"]
    )
    wheels = [load(producer), load(consumer)]
    pyfoo = wheels[1]
    (binary,) = pyfoo.binaries

    def reached(locations: dict[Path, str]) -> bool:
        (found,) = [r for r in Resolver(wheels, locations).resolutions(pyfoo, binary)]
        assert found.tier == "required"  # the rpath does not make it the consumer's own
        assert found.provider is not None
        return found.provider.reached

    assert reached({})
    assert not reached({wheels[0].path: "target", wheels[1].path: "site"})


def test_closure_follows_the_answering_files(native_factory, wheel_factory) -> None:
    native = native_factory("elf")
    base = native.library("libbase.so.1", source=BASE_C)
    # libmid calls into libbase: rebuilt below with its DT_NEEDED on libbase.so.1
    middle = native.library("libmid.so.1", source=MID_C)
    directory = middle.parent
    subprocess.run(
        [
            "gcc",
            "-shared",
            "-fPIC",
            "-o",
            str(middle),
            str(directory / "foo.c"),
            "-Wl,-soname,libmid.so.1",
            f"-L{base.parent}",
            "-l:libbase.so.1",
        ],
        check=True,
        capture_output=True,
    )
    extension = native.extension(link_to=[middle], rpaths=["$ORIGIN/lib"])
    wheel_path = wheel_factory(
        "pyfoo",
        {
            f"pyfoo/{EXTENSION_FILE['elf']}": extension,
            "pyfoo/lib/libmid.so.1": middle,
            "pyfoo/lib/libbase.so.1": base,
            "pyfoo/plugins/libplugin.so.1": base,
        },
        fmt="elf",
    )
    wheel: Wheel = load(wheel_path)
    ext = next(b for b in wheel.binaries if b.file_name.startswith("_pyfoo"))
    closure = Resolver([wheel]).closure([(wheel, ext)])
    assert sorted(path for _, path in closure) == [
        "pyfoo/_pyfoo.cpython-312-x86_64-linux-gnu.so",
        "pyfoo/lib/libbase.so.1",
        "pyfoo/lib/libmid.so.1",
    ]
    # control: libmid has no RUNPATH of its own, so libbase is answered by the wheel's file
    # only because it ships it; without it the closure stops at libmid
    wheel_path = wheel_factory(
        "pyfoo",
        {f"pyfoo/{EXTENSION_FILE['elf']}": extension, "pyfoo/lib/libmid.so.1": middle},
        fmt="elf",
    )
    wheel = load(wheel_path)
    ext = next(b for b in wheel.binaries if b.file_name.startswith("_pyfoo"))
    closure = Resolver([wheel]).closure([(wheel, ext)])
    assert sorted(path for _, path in closure) == [
        "pyfoo/_pyfoo.cpython-312-x86_64-linux-gnu.so",
        "pyfoo/lib/libmid.so.1",
    ]


@pytest.mark.parametrize("fmt", ["elf"])
def test_words_are_shared(fmt: str, native: Native, wheel_factory) -> None:
    """The text lint and check print for an answer names the file and the wheel."""
    library, extension = _extension(native, with_rpath=False)
    producer = wheel_factory("libfoo", {"libfoo/lib/libfoo.so.1": library}, fmt=fmt)
    consumer = wheel_factory(
        "pyfoo", {f"pyfoo/{EXTENSION_FILE[fmt]}": extension}, fmt=fmt, requires=["libfoo"]
    )
    text = _resolution([producer, consumer]).describe()
    assert text == "libfoo.so.1: a wheel it requires ships it (libfoo/lib/libfoo.so.1 of libfoo)"
