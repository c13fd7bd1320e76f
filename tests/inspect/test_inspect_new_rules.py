"""SLI010-SLI013 on real binaries: the good twin passes, the broken twin fails."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from inspect_testlib import EXTENSION_FILE, FOO_C, LOADER_INIT, USE_C, binary_of, rules_of

from harness.inspect import lint_wheels
from harness.inspect.platform_libs import linux_policy_available

# -- SLI010 unresolved-dependency -------------------------------------------------------

MISSING = {"elf": "libbaz.so.1", "macho": "libbaz.1.dylib", "pe": "baz.dll"}
MISSING_KEY = {"elf": "libbaz.so.1", "macho": "@rpath/libbaz.1.dylib", "pe": "baz.dll"}


def test_sli010_dependency_nobody_ships(
    fmt: str, native, pair: Callable[..., dict[str, Path]]
) -> None:
    if fmt == "elf" and not linux_policy_available():
        pytest.skip("auditwheel (its manylinux policy data) is not installed")
    baz = native.library(MISSING[fmt])
    extension = native.extension(link_to=[baz])
    asked = [d.name for s in binary_of(extension).slices for d in s.dependencies]
    assert MISSING_KEY[fmt] in asked
    built = pair(extra_consumer_files={f"pyfoo/{EXTENSION_FILE[fmt]}": extension}, link=False)
    findings = lint_wheels([built["producer"], built["consumer"]])
    assert rules_of(findings) == ["SLI010"]
    assert repr(MISSING_KEY[fmt]) in findings[0].detail
    # Good twin: the same binary with the library shipped by a wheel of the set.
    built_ok = pair(
        extra_consumer_files={
            f"pyfoo/{EXTENSION_FILE[fmt]}": extension,
            f"pyfoo/{MISSING[fmt]}": baz,
        },
        link=False,
    )
    assert lint_wheels([built_ok["producer"], built_ok["consumer"]]) == []


def test_sli010_platform_libraries_pass(fmt: str, pair: Callable[..., dict[str, Path]]) -> None:
    """libc.so.6 / /usr/lib/libSystem.B.dylib / KERNEL32.dll + msvcrt.dll are the platform's."""
    if fmt == "elf" and not linux_policy_available():
        pytest.skip("auditwheel (its manylinux policy data) is not installed")
    built = pair()
    extension = built["extension"]
    if fmt == "elf":  # gcc adds libc.so.6 only when the code calls into it
        work = built["extension"].parent
        (work / "puts.c").write_text('#include <stdio.h>\nvoid hello(void) { puts("hi"); }\n')
        subprocess.run(
            [
                "gcc",
                "-shared",
                "-fPIC",
                "-o",
                str(built["extension"]),
                str(work / "use.c"),
                str(work / "puts.c"),
                f"-L{built['library'].parent}",
                "-l:libfoo.so.1",
            ],
            check=True,
            capture_output=True,
        )
        built = pair(extra_consumer_files={f"pyfoo/{EXTENSION_FILE[fmt]}": extension})
    platform = {
        "elf": "libc.so.6",
        "macho": "/usr/lib/libSystem.B.dylib",
        "pe": "kernel32.dll",
    }[fmt]
    asked = [d.name.lower() for s in binary_of(extension).slices for d in s.dependencies]
    assert platform.lower() in asked
    assert lint_wheels([built["producer"], built["consumer"]]) == []


@pytest.mark.parametrize("fmt", ["elf"], indirect=True)
def test_sli010_elf_policy_follows_the_wheel_tag(
    native, wheel_factory: Callable[..., Path]
) -> None:
    """libz.so.1 is in every policy; libcrypt.so.1 is in none (auditwheel's own data)."""
    if not linux_policy_available():
        pytest.skip("auditwheel (its manylinux policy data) is not installed")
    if shutil.which("gcc") is None:
        pytest.skip("gcc not found")
    work = native.workdir / "policy"
    work.mkdir(exist_ok=True)
    for name in ("libz.so.1", "libcrypt.so.1"):
        stub = native.library(name)
        (work / name).write_bytes(stub.read_bytes())
    source = work / "use.c"
    source.write_text(USE_C)
    out = work / EXTENSION_FILE["elf"]
    command = ["gcc", "-shared", "-fPIC", "-o", str(out), str(source), f"-L{work}"]
    subprocess.run(
        [*command, "-Wl,--no-as-needed", "-l:libz.so.1", "-l:libcrypt.so.1"],
        check=True,
        capture_output=True,
    )
    wheel = wheel_factory("pyuse", {f"pyuse/{out.name}": out}, fmt="elf")
    findings = lint_wheels([wheel])
    assert [f.rule for f in findings] == ["SLI010"]
    assert "'libcrypt.so.1'" in findings[0].detail


@pytest.mark.parametrize("fmt", ["elf"], indirect=True)
@pytest.mark.parametrize(
    ("tag", "expected"), [("manylinux_2_17", ["SLI010"]), ("manylinux_2_28", [])]
)
def test_sli010_policy_of_the_tag(
    native, wheel_factory: Callable[..., Path], tag: str, expected: list[str]
) -> None:
    """auditwheel allows libmvec.so.1 from manylinux_2_24 on, not in manylinux2014."""
    if not linux_policy_available():
        pytest.skip("auditwheel (its manylinux policy data) is not installed")
    mvec = native.library("libmvec.so.1")
    extension = native.extension(link_to=[mvec])
    assert "libmvec.so.1" in [d.name for s in binary_of(extension).slices for d in s.dependencies]
    wheel = wheel_factory(
        "pyuse", {f"pyuse/{extension.name}": extension}, platform_tag=f"{tag}_x86_64"
    )
    assert rules_of(lint_wheels([wheel])) == expected


# -- SLI011 musl-preload-unusable -------------------------------------------------------

MUSL_TAG = "musllinux_1_2_x86_64"


@pytest.fixture
def musl_pair(tmp_path: Path, wheel_factory: Callable[..., Path]) -> Callable[..., list[Path]]:
    if shutil.which("musl-gcc") is None:
        pytest.skip("musl-gcc not found (Debian: musl-tools)")

    def make(rpath: str | None) -> list[Path]:
        work = tmp_path / f"musl-{rpath is not None}"
        work.mkdir()
        (work / "foo.c").write_text(FOO_C)
        (work / "use.c").write_text(USE_C)
        library = work / "libfoo.so.1"
        subprocess.run(
            [
                "musl-gcc",
                "-shared",
                "-fPIC",
                "-Wl,-soname,libfoo.so.1",
                "-o",
                str(library),
                str(work / "foo.c"),
            ],
            check=True,
            capture_output=True,
        )
        extension = work / "_pyfoo.cpython-312-x86_64-linux-musl.so"
        flags = [f"-Wl,-rpath,{rpath}"] if rpath else []
        subprocess.run(
            [
                "musl-gcc",
                "-shared",
                "-fPIC",
                "-o",
                str(extension),
                str(work / "use.c"),
                f"-L{work}",
                "-l:libfoo.so.1",
                *flags,
            ],
            check=True,
            capture_output=True,
        )
        producer = wheel_factory(
            "libfoo",
            {"libfoo/__init__.py": LOADER_INIT, "libfoo/lib/libfoo.so.1": library},
            platform_tag=MUSL_TAG,
        )
        consumer = wheel_factory(
            "pyfoo",
            {"pyfoo/__init__.py": "", f"pyfoo/{extension.name}": extension},
            platform_tag=MUSL_TAG,
            requires=["libfoo"],
        )
        return [producer, consumer]

    return make


def test_sli011_musl_consumer_without_reaching_rpath(musl_pair) -> None:
    findings = lint_wheels(musl_pair(None))
    assert rules_of(findings) == ["SLI011"]
    assert "musl" in findings[0].detail and "'libfoo.so.1'" in findings[0].detail


def test_sli011_musl_consumer_whose_rpath_reaches_the_file(musl_pair) -> None:
    # musl finds the very file by search: loads once. (Only in one site dir: SLI006.)
    findings = lint_wheels(musl_pair("$ORIGIN/../libfoo/lib"))
    assert rules_of(findings) == ["SLI006"]


# -- SLI012 global-load -----------------------------------------------------------------

GLOBAL_INITS = [
    ("import ctypes\n_lib = ctypes.CDLL('libfoo.so.1', mode=ctypes.RTLD_GLOBAL)\n", ["SLI012"]),
    (
        "import ctypes, os\nFLAGS = os.RTLD_NOW | os.RTLD_GLOBAL\n"
        "def load_library():\n    return ctypes.CDLL('libfoo.so.1', FLAGS)\n",
        ["SLI012"],
    ),
    ("import ctypes\n_lib = ctypes.CDLL('libfoo.so.1', mode=ctypes.RTLD_LOCAL)\n", []),
    (LOADER_INIT, []),
]


@pytest.mark.parametrize(("init", "expected"), GLOBAL_INITS)
def test_sli012_producer_loads_globally(
    fmt: str, pair: Callable[..., dict[str, Path]], init: str, expected: list[str]
) -> None:
    built = pair(producer_init=init)
    findings = lint_wheels([built["producer"], built["consumer"]])
    assert rules_of(findings) == expected
    if expected:
        assert findings[0].severity == "warning"
        assert findings[0].file == "libfoo/__init__.py"


# -- SLI013 unsafe-member-name ----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["elf"], indirect=True)
@pytest.mark.parametrize("name", ["../evil.so", "/etc/evil.so", "pkg/../../evil.so", "C:/x.dll"])
def test_sli013_unsafe_member_names(name: str, pair: Callable[..., dict[str, Path]]) -> None:
    built = pair()
    wheel = built["consumer"]
    with zipfile.ZipFile(wheel, "a") as archive:
        info = zipfile.ZipInfo(name)
        archive.writestr(info, b"\x7fELF not really")
    findings = lint_wheels([built["producer"], wheel])
    assert [(f.rule, f.file) for f in findings] == [("SLI013", name)]


@pytest.mark.parametrize("fmt", ["elf"], indirect=True)
def test_sli013_safe_names_pass(pair: Callable[..., dict[str, Path]]) -> None:
    built = pair(extra_consumer_files={"pyfoo/data/..hidden.txt": "x", "pyfoo/a..b.txt": "y"})
    assert lint_wheels([built["producer"], built["consumer"]]) == []
