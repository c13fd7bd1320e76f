"""The patterns real library/consumer families use, as twins: the good twin is clean,
the broken twin fails the way the platform's loader would (issue 13).

Each case is built from real binaries (gcc, clang + ld64.lld, mingw-w64) and shows,
from the binary itself, that the pattern is really there.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from inspect_testlib import EXTENSION_FILE, LOADER_INIT, PRODUCER_FILE, binary_of, rules_of

from harness.inspect import lint_wheels

ELF_MACHO = pytest.mark.parametrize("fmt", ["elf", "macho"], indirect=True)


# -- SLI002: symlink copies and plugins ------------------------------------------------

# Per format: (file the own name names, another name the same bytes are shipped under).
COPIES = {
    "elf": ("libfoo.so.1", ["libfoo.so", "libfoo.so.1.0.0"]),
    "macho": ("libfoo.1.dylib", ["libfoo.dylib"]),
    "pe": ("foo.dll", ["foo-1.dll"]),
}


def test_sli002_symlink_copies_beside_the_named_file_pass(
    fmt: str, native, wheel_factory: Callable[..., Path]
) -> None:
    named, others = COPIES[fmt]
    library = native.library(named)
    files: dict[str, bytes | str | Path] = {"libfoo/__init__.py": LOADER_INIT}
    files.update({f"libfoo/lib/{n}": library for n in [named, *others]})
    producer = wheel_factory("libfoo", files, fmt=fmt)
    assert lint_wheels([producer], {producer: "producer"}) == []


def test_sli002_copy_whose_named_file_is_missing_fails(
    fmt: str, native, wheel_factory: Callable[..., Path]
) -> None:
    named, others = COPIES[fmt]
    library = native.library(named)
    # Only the copies are shipped: the file the own name names is not in the wheel.
    files: dict[str, bytes | str | Path] = {"libfoo/__init__.py": LOADER_INIT}
    files.update({f"libfoo/lib/{n}": library for n in others})
    producer = wheel_factory("libfoo", files, fmt=fmt)
    findings = lint_wheels([producer], {producer: "producer"})
    assert rules_of(findings) == ["SLI002"]
    assert "beside" in findings[0].detail


@pytest.mark.parametrize("fmt", ["elf"], indirect=True)
def test_sli002_dlopen_plugin_is_not_judged_but_a_linked_library_is(
    native, wheel_factory: Callable[..., Path]
) -> None:
    library = native.library("libfoo.so.1")
    # A transport plugin: its host opens it by path, nothing links to it; its SONAME
    # names a file nobody ships (as UCX's lib/ucx/*.so built without versioned copies).
    plugin = native.library("libfoo_plugin.so", own_name="libfoo_plugin.so.0")
    extension = native.extension(link_to=[library])
    producer = wheel_factory(
        "libfoo",
        {
            "libfoo/__init__.py": LOADER_INIT,
            "libfoo/lib/libfoo.so.1": library,
            "libfoo/lib/plugins/libfoo_plugin.so": plugin,
        },
        fmt="elf",
    )
    consumer = wheel_factory(
        "pyfoo",
        {"pyfoo/__init__.py": "", f"pyfoo/{EXTENSION_FILE['elf']}": extension},
        fmt="elf",
        requires=["libfoo"],
    )
    assert lint_wheels([producer, consumer]) == []
    # Linted alone, nothing shows which library is the linked one: all are judged.
    alone = lint_wheels([producer], {producer: "producer"})
    assert [(f.rule, f.file) for f in alone] == [("SLI002", "libfoo/lib/plugins/libfoo_plugin.so")]


# -- SLI003: the consumer's own repair-mangled copy -------------------------------------

OWN_COPY = {
    "elf": ("pyfoo.libs/libfoo-1a2b3c4d.so.1", "libfoo-1a2b3c4d.so.1"),
    "macho": ("pyfoo/.dylibs/libfoo.1.dylib", "@loader_path/.dylibs/libfoo.1.dylib"),
    "pe": (
        "pyfoo.libs/foo-0123456789abcdef0123456789abcdef.dll",
        "foo-0123456789abcdef0123456789abcdef.dll",
    ),
}


def test_sli003_own_mangled_copy_is_sli004_only(
    fmt: str, native, pair: Callable[..., dict[str, Path]]
) -> None:
    member, own_name = OWN_COPY[fmt]
    copy = native.library(member.rsplit("/", 1)[1], own_name=own_name)
    extension = native.extension(link_to=[copy])
    asked = [d.name for s in binary_of(extension).slices for d in s.dependencies]
    assert own_name in asked  # the entry names the copy, as the repair tool rewrote it
    built = pair(
        link=False,
        extra_consumer_files={member: copy, f"pyfoo/{EXTENSION_FILE[fmt]}": extension},
    )
    findings = lint_wheels([built["producer"], built["consumer"]])
    assert rules_of(findings) == ["SLI004"]
    assert findings[0].file == member


# -- SLI007: requirement through another wheel of the set -------------------------------


@pytest.mark.parametrize(("middle_requires", "expected"), [(["libfoo"], []), ([], ["SLI007"])])
def test_sli007_transitive_requirement(
    fmt: str,
    pair: Callable[..., dict[str, Path]],
    wheel_factory: Callable[..., Path],
    middle_requires: list[str],
    expected: list[str],
) -> None:
    built = pair(requires=["libfoo-python"])
    middle = wheel_factory(
        "libfoo-python", {"libfoo_python/__init__.py": ""}, requires=middle_requires
    )
    findings = lint_wheels([built["producer"], middle, built["consumer"]])
    assert rules_of(findings) == expected


# -- SLI008: load functions and preloading at import ------------------------------------

RAPIDS_LOAD = (
    "import ctypes, os\n"
    "def load_library():\n"
    "    here = os.path.dirname(__file__)\n"
    "    return ctypes.CDLL(os.path.join(here, 'lib', 'libfoo.so.1'), ctypes.RTLD_LOCAL)\n"
)


@pytest.mark.parametrize(
    ("files", "entries", "expected"),
    [
        ({"libfoo/__init__.py": "from .load import load_library\n"}, (), []),
        ({"libfoo/__init__.py": RAPIDS_LOAD}, (), []),
        ({"libfoo/__init__.py": "import ctypes\n_lib = ctypes.CDLL('libfoo.so.1')\n"}, (), []),
        ({"libfoo/__init__.py": "def preload():\n    pass\n"}, (), ["SLI008"]),
        ({"libfoo/__init__.py": "def preload():\n    pass\n"}, ("preload",), []),
        ({"libfoo/__init__.py": "__version__ = '1'\n"}, (), ["SLI008"]),
    ],
)
def test_sli008_load_function_or_load_at_import(
    fmt: str,
    pair: Callable[..., dict[str, Path]],
    files: dict[str, str],
    entries: tuple[str, ...],
    expected: list[str],
) -> None:
    built = pair(producer_init=files["libfoo/__init__.py"])
    findings = lint_wheels(
        [built["producer"], built["consumer"]],
        loader_entries=("loader", "load_library", *entries),
    )
    assert rules_of(findings) == expected


# -- SLI006: namespace directories shared by many distributions -------------------------


BAR_FILE = {"elf": "libbar.so.1", "macho": "libbar.1.dylib"}
BAZ_FILE = {"elf": "libbaz.so.1", "macho": "libbaz.1.dylib"}


@ELF_MACHO
def test_sli006_origin_inside_a_shared_prefix_reaches_another_distribution(
    fmt: str, native, wheel_factory: Callable[..., Path]
) -> None:
    """cmeel: every wheel installs into ``cmeel.prefix/lib``; ``$ORIGIN`` finds the others."""
    anchor = "$ORIGIN" if fmt == "elf" else "@loader_path"
    file_name = PRODUCER_FILE[fmt]
    library = native.library(file_name)
    producer = wheel_factory("cmeel-foo", {f"cmeel.prefix/lib/{file_name}": library}, fmt=fmt)
    # Broken twin: libbar's RUNPATH $ORIGIN finds libfoo only because cmeel-foo installed
    # it into the same cmeel.prefix/lib; the directory name says nothing about ownership.
    bar = native.extension(link_to=[library], rpaths=[anchor])
    consumer = wheel_factory(
        "cmeel-bar",
        {f"cmeel.prefix/lib/{BAR_FILE[fmt]}": bar},
        fmt=fmt,
        requires=["cmeel-foo"],
    )
    findings = lint_wheels([producer, consumer])
    assert rules_of(findings) == ["SLI006"]
    assert f"cmeel.prefix/lib/{file_name} of distribution cmeel-foo" in findings[0].detail
    # Good twin: the same shared directory and RUNPATH, reaching only the wheel's own file.
    baz = native.library(BAZ_FILE[fmt])
    bar_own = native.extension(link_to=[baz], rpaths=[anchor])
    consumer_ok = wheel_factory(
        "cmeel-bar",
        {f"cmeel.prefix/lib/{BAR_FILE[fmt]}": bar_own, f"cmeel.prefix/lib/{BAZ_FILE[fmt]}": baz},
        fmt=fmt,
    )
    assert lint_wheels([producer, consumer_ok]) == []


@ELF_MACHO
def test_sli006_namespace_package_sibling_directory(
    fmt: str, native, wheel_factory: Callable[..., Path]
) -> None:
    """nvidia-*: ``nvidia/cusparse/lib`` with RUNPATH ``$ORIGIN/../../nvjitlink/lib``."""
    anchor = "$ORIGIN" if fmt == "elf" else "@loader_path"
    file_name = PRODUCER_FILE[fmt]
    jit = native.library(file_name)
    sparse = native.extension(link_to=[jit], rpaths=[f"{anchor}/../../nvjitlink/lib"])
    producer = wheel_factory(
        "nvidia-nvjitlink", {f"nvidia/nvjitlink/lib/{file_name}": jit}, fmt=fmt
    )
    sparse_name = "libsparse.so.1" if fmt == "elf" else "libsparse.1.dylib"
    consumer = wheel_factory(
        "nvidia-cusparse",
        {"nvidia/__init__.py": "", f"nvidia/cusparse/lib/{sparse_name}": sparse},
        fmt=fmt,
        requires=["nvidia-nvjitlink"],
    )
    findings = lint_wheels([producer, consumer])
    assert rules_of(findings) == ["SLI006"]
    assert "of distribution nvidia-nvjitlink" in findings[0].detail
    # Good twin: the rpath stays in the wheel's own directory.
    own = native.extension(link_to=[jit], rpaths=[anchor])
    consumer_ok = wheel_factory(
        "nvidia-cusparse",
        {
            "nvidia/__init__.py": "",
            f"nvidia/cusparse/lib/{sparse_name}": own,
            f"nvidia/cusparse/lib/{file_name}": jit,
        },
        fmt=fmt,
    )
    assert "SLI006" not in rules_of(lint_wheels([producer, consumer_ok]))
