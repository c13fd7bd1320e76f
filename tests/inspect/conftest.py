"""Real binaries of all three formats, built on Linux, and wheels packaged from them.

``native`` builds ELF with gcc, Mach-O with clang ``-target *-apple-macos11`` and
ld64.lld against a text ``.tbd`` stub of libSystem, PE with mingw-w64. A format
whose toolchain is missing skips with the tool's name.
"""

from __future__ import annotations

import shutil
import struct
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pytest
import suite_testlib
from inspect_testlib import (
    EXTENSION_FILE,
    FORMATS,
    LOADER_INIT,
    PLATFORM_TAGS,
    PRODUCER_FILE,
    PROPER,
    Native,
)


def _probe_toolchain(fmt: str, workdir: Path) -> str | None:
    """Why ``fmt`` cannot be built here (naming the missing tool), or ``None``."""
    tools = {
        "elf": ["gcc"],
        "macho": ["clang"],
        "pe": ["x86_64-w64-mingw32-gcc", "x86_64-w64-mingw32-dlltool"],
    }[fmt]
    for tool in tools:
        if shutil.which(tool) is None:
            return f"{tool} not found (Debian: gcc, clang + lld, gcc-mingw-w64-x86-64)"
    try:
        Native(fmt, workdir / f"probe-{fmt}").library(PRODUCER_FILE[fmt])
    except RuntimeError as error:
        needed = (
            "clang -target x86_64-apple-macos11 with ld64.lld (Debian: lld)"
            if fmt == "macho"
            else tools[0]
        )
        return f"{needed} cannot link a shared library: {error}"
    return None


@pytest.fixture(scope="session")
def native_factory(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Native]:
    root = tmp_path_factory.mktemp("native")
    reasons: dict[str, str | None] = {}
    built: dict[tuple[str, str], Native] = {}

    def make(fmt: str, arch: str = "x86_64") -> Native:
        if fmt not in reasons:
            reasons[fmt] = _probe_toolchain(fmt, root)
        reason = reasons[fmt]
        if reason is not None:
            pytest.skip(reason)
        if (fmt, arch) not in built:
            built[fmt, arch] = Native(fmt, root / f"{fmt}-{arch}", arch)
        return built[fmt, arch]

    return make


@pytest.fixture(params=FORMATS)
def fmt(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.fixture
def native(fmt: str, native_factory: Callable[[str], Native]) -> Native:
    return native_factory(fmt)


def write_wheel(
    directory: Path,
    dist: str,
    files: Mapping[str, bytes | str | Path],
    *,
    version: str = "1.0",
    platform_tag: str = "any",
    requires: Iterable[str] = (),
) -> Path:
    """Write a wheel with METADATA, WHEEL and RECORD; file values may be paths to copy."""
    tag = suite_testlib.PURE_TAG if platform_tag == "any" else f"cp312-cp312-{platform_tag}"
    return suite_testlib.write_wheel(
        directory, dist, files, tag=tag, version=version, requires=requires
    )


@pytest.fixture
def wheel_factory(tmp_path: Path) -> Callable[..., Path]:
    """``wheel_factory(dist, files, fmt=..., requires=..., platform_tag=...)`` -> a wheel."""
    counter = [0]

    def make(
        dist: str,
        files: Mapping[str, bytes | str | Path],
        fmt: str | None = None,
        requires: Iterable[str] = (),
        version: str = "1.0",
        *,
        platform_tag: str | None = None,
    ) -> Path:
        counter[0] += 1
        directory = tmp_path / f"wheels-{counter[0]}"
        directory.mkdir()
        if platform_tag is None:
            platform_tag = PLATFORM_TAGS[fmt] if fmt else "any"
        return write_wheel(
            directory, dist, files, version=version, platform_tag=platform_tag, requires=requires
        )

    return make


def fat_macho(slices: list[Path], out: Path) -> Path:
    """A universal (fat) Mach-O made from thin slices, by writing the fat header directly.

    Layout per ``<mach-o/fat.h>``: big-endian ``fat_header`` then one ``fat_arch``
    (cputype, cpusubtype, offset, size, align) per slice; slices 2^14-aligned.
    """
    align = 14
    blobs = [p.read_bytes() for p in slices]
    header = struct.pack(">II", 0xCAFEBABE, len(blobs))
    offset = 1 << align
    arches = b""
    body = b""
    for blob in blobs:
        cputype, cpusubtype = struct.unpack("<ii", blob[4:12])
        arches += struct.pack(">iiIII", cputype, cpusubtype, offset + len(body), len(blob), align)
        body += blob
        pad = (-len(body)) % (1 << align)
        body += b"\0" * pad
    head = header + arches
    out.write_bytes(head + b"\0" * ((1 << align) - len(head)) + body)
    return out


@pytest.fixture
def make_fat() -> Callable[[list[Path], Path], Path]:
    return fat_macho


@pytest.fixture
def pair(native: Native, wheel_factory: Callable[..., Path]) -> Callable[..., dict[str, Path]]:
    """Build a producer wheel (libfoo) and a consumer wheel (pyfoo) of one format.

    Keyword arguments change one thing at a time, so each test states only the
    defect (or the fix) it is about. Returns the wheels and the binaries inside.
    """

    def make(
        *,
        own_name: str | None = PROPER,
        linked_as: str | None = None,
        producer_init: str = LOADER_INIT,
        rpaths: Iterable[str] = (),
        requires: Iterable[str] = ("libfoo>=1.0",),
        extra_consumer_files: Mapping[str, bytes | str | Path] | None = None,
        link: bool = True,
    ) -> dict[str, Path]:
        fmt = native.fmt
        file_name = PRODUCER_FILE[fmt]
        library = native.library(file_name, own_name)
        # What the consumer was linked against: the shipped library, or another
        # build of it under the name ``linked_as`` (its SONAME / install id / DLL name).
        link_target = library
        if linked_as is not None:
            link_target = native.library(PRODUCER_FILE[fmt], linked_as)
        extension = native.extension(
            link_to=[link_target] if link else [], rpaths=rpaths, undefined_ok=not link
        )
        producer = wheel_factory(
            "libfoo",
            {"libfoo/__init__.py": producer_init, f"libfoo/lib/{file_name}": library},
            fmt=fmt,
        )
        consumer_files: dict[str, bytes | str | Path] = {
            "pyfoo/__init__.py": "import libfoo\nlibfoo.loader.load()\n",
            f"pyfoo/{EXTENSION_FILE[fmt]}": extension,
        }
        consumer_files.update(extra_consumer_files or {})
        consumer = wheel_factory("pyfoo", consumer_files, fmt=fmt, requires=requires)
        return {
            "producer": producer,
            "consumer": consumer,
            "library": library,
            "extension": extension,
        }

    return make
