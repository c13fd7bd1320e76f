"""Each rule on real ELF, Mach-O and PE binaries: a failing case and a passing case.

Every failing case also shows, from the binary itself, that the defect is really
there (the test reads the SONAME / install id / import entry it expects to flag).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from inspect_testlib import EXTENSION_FILE, binary_of, rules_of

from harness.inspect import Finding, lint_wheels

ELF_MACHO = pytest.mark.parametrize("fmt", ["elf", "macho"], indirect=True)
PE_ONLY = pytest.mark.parametrize("fmt", ["pe"], indirect=True)

KEY = {"elf": "libfoo.so.1", "macho": "@rpath/libfoo.1.dylib", "pe": "foo.dll"}


def only(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


# -- the clean pair: the passing case of every rule ------------------------------------


def test_clean_pair_has_no_findings(fmt: str, pair: Callable[..., dict[str, Path]]) -> None:
    built = pair()
    consumer = binary_of(built["extension"])
    # Evidence that the pair is really linked: the consumer asks for the producer's key.
    assert KEY[fmt] in [d.name for s in consumer.slices for d in s.dependencies]
    assert binary_of(built["library"]).slices[0].own_name == KEY[fmt]
    assert lint_wheels([built["producer"], built["consumer"]]) == []


def test_roles_are_detected_from_the_dependency(
    fmt: str, pair: Callable[..., dict[str, Path]]
) -> None:
    # A producer without a loader is only flagged when it is recognised as a producer.
    built = pair(producer_init="")
    alone = lint_wheels([built["producer"]])
    together = lint_wheels([built["producer"], built["consumer"]])
    assert alone == []
    assert rules_of(together) == ["SLI008"]
    assert rules_of(lint_wheels([built["producer"]], {built["producer"]: "producer"})) == ["SLI008"]


# -- SLI001 library-without-name --------------------------------------------------------


@pytest.mark.parametrize("fmt", ["elf"], indirect=True)
def test_sli001_elf_library_without_soname(pair: Callable[..., dict[str, Path]]) -> None:
    built = pair(own_name=None)
    assert binary_of(built["library"]).slices[0].own_name is None
    findings = lint_wheels([built["producer"], built["consumer"]])
    assert rules_of(findings) == ["SLI001"]
    assert findings[0].file == "libfoo/lib/libfoo.so.1"
    assert findings[0].wheel == built["producer"].name
    assert "SONAME" in findings[0].detail


@pytest.mark.parametrize("fmt", ["macho"], indirect=True)
def test_sli001_macho_bundle_shipped_as_dylib(native, wheel_factory: Callable[..., Path]) -> None:
    # ld64 always writes LC_ID_DYLIB into a dylib; a bundle named like one has none.
    bundle = native.extension(undefined_ok=True)
    shipped = bundle.with_name("libfoo.1.dylib")
    bundle.rename(shipped)
    assert binary_of(shipped).slices[0].own_name is None
    producer = wheel_factory(
        "libfoo",
        {"libfoo/__init__.py": "loader = None\n", "libfoo/lib/libfoo.1.dylib": shipped},
        fmt="macho",
    )
    findings = lint_wheels([producer], {producer: "producer"})
    assert rules_of(findings) == ["SLI001"]
    assert "install id" in findings[0].detail


@PE_ONLY
def test_sli001_pe_dll_without_export_directory(native, wheel_factory: Callable[..., Path]) -> None:
    dll = native.library("foo.dll", source="static int unused(void) { return 0; }\n", exports=False)
    assert binary_of(dll).slices[0].own_name is None
    producer = wheel_factory(
        "libfoo", {"libfoo/__init__.py": "loader = None\n", "libfoo/lib/foo.dll": dll}, fmt="pe"
    )
    assert rules_of(lint_wheels([producer], {producer: "producer"})) == ["SLI001"]


# -- SLI002 library-name-not-file-name --------------------------------------------------

WRONG_OWN_NAME = {
    "elf": "libfoo.so",
    "macho": "/Users/runner/work/libfoo/build/libfoo.1.dylib",
    "pe": "libfoo.dll",
}


def test_sli002_own_name_differs_from_file(fmt: str, pair: Callable[..., dict[str, Path]]) -> None:
    built = pair(own_name=WRONG_OWN_NAME[fmt], link=False, requires=())
    assert binary_of(built["library"]).slices[0].own_name == WRONG_OWN_NAME[fmt]
    findings = lint_wheels([built["producer"]], {built["producer"]: "producer"})
    assert rules_of(findings) == ["SLI002"]
    assert repr(WRONG_OWN_NAME[fmt]) in findings[0].detail
    assert repr(KEY[fmt]) in findings[0].detail


def test_sli002_passes_when_own_name_is_file_name(
    fmt: str, pair: Callable[..., dict[str, Path]]
) -> None:
    built = pair(link=False, requires=())
    assert lint_wheels([built["producer"]], {built["producer"]: "producer"}) == []


@pytest.mark.parametrize("fmt", ["pe"], indirect=True)
def test_sli002_pe_compares_case_insensitively(pair: Callable[..., dict[str, Path]]) -> None:
    built = pair(own_name="FOO.DLL", link=False, requires=())
    assert binary_of(built["library"]).slices[0].own_name == "FOO.DLL"
    assert lint_wheels([built["producer"]], {built["producer"]: "producer"}) == []


# -- SLI003 dependency-not-producer-key -------------------------------------------------

CONSUMER_LINKED_AS = {
    "elf": "libfoo.so",
    "macho": "@rpath/libfoo.dylib",
    "pe": "libfoo.dll",
}


def test_sli003_dependency_differs_from_producer_key(
    fmt: str, pair: Callable[..., dict[str, Path]]
) -> None:
    built = pair(linked_as=CONSUMER_LINKED_AS[fmt])
    asked = [d.name for s in binary_of(built["extension"]).slices for d in s.dependencies]
    assert CONSUMER_LINKED_AS[fmt] in asked
    findings = lint_wheels([built["producer"], built["consumer"]])
    assert rules_of(findings) == ["SLI003"]
    assert findings[0].wheel == built["consumer"].name
    assert repr(CONSUMER_LINKED_AS[fmt]) in findings[0].detail
    assert repr(KEY[fmt]) in findings[0].detail


@pytest.mark.parametrize("fmt", ["macho"], indirect=True)
def test_sli003_macho_absolute_build_path_dependency(
    pair: Callable[..., dict[str, Path]],
) -> None:
    built = pair(linked_as="/Users/runner/work/libfoo/build/libfoo.1.dylib")
    assert rules_of(lint_wheels([built["producer"], built["consumer"]])) == ["SLI003"]


@PE_ONLY
def test_sli003_pe_import_name_matches_case_insensitively(
    pair: Callable[..., dict[str, Path]],
) -> None:
    built = pair(linked_as="FOO.DLL")
    asked = [d.name for s in binary_of(built["extension"]).slices for d in s.dependencies]
    assert "FOO.DLL" in asked
    assert lint_wheels([built["producer"], built["consumer"]]) == []


# -- SLI004 private-copy ----------------------------------------------------------------

PRIVATE_COPY = {
    "elf": "pyfoo.libs/libfoo-1a2b3c4d.so.1",
    "macho": "pyfoo/.dylibs/libfoo.1.dylib",
    "pe": "pyfoo.libs/foo-0123456789abcdef0123456789abcdef.dll",
}


def test_sli004_consumer_ships_private_copy(
    fmt: str, native, pair: Callable[..., dict[str, Path]]
) -> None:
    copy = native.library(PRODUCER_COPY_FILE[fmt])
    built = pair(extra_consumer_files={PRIVATE_COPY[fmt]: copy})
    findings = lint_wheels([built["producer"], built["consumer"]])
    copy_finding = next(f for f in findings if f.wheel == built["consumer"].name)
    assert copy_finding.file == PRIVATE_COPY[fmt]
    assert built["producer"].name in copy_finding.detail
    # one finding, on the copy: a repair tool's vendored copy (delocate keeps the install
    # id @rpath/libfoo.1.dylib) does not make the producer's own file a finding
    assert rules_of(findings) == ["SLI004"]


PRODUCER_COPY_FILE = {
    "elf": "libfoo-1a2b3c4d.so.1",
    "macho": "libfoo.1.dylib",
    "pe": "foo-0123456789abcdef0123456789abcdef.dll",
}


def test_sli004_passes_with_other_private_libraries(
    fmt: str, native, pair: Callable[..., dict[str, Path]]
) -> None:
    # A vendored library that is not the producer's (here: libbaz) is not a copy.
    other = {"elf": "libbaz-1a2b3c4d.so.1", "macho": "libbaz.1.dylib", "pe": "baz.dll"}[fmt]
    where = PRIVATE_COPY[fmt].rsplit("/", 1)[0]
    baz = native.library(other)
    built = pair(extra_consumer_files={f"{where}/{other}": baz})
    assert only(lint_wheels([built["producer"], built["consumer"]]), "SLI004") == []


# -- SLI005 unanchored-rpath ------------------------------------------------------------


@ELF_MACHO
@pytest.mark.parametrize(
    ("rpath", "says"),
    [("/home/runner/work/libfoo/build/lib", "absolute"), ("build/lib", "working directory")],
)
def test_sli005_absolute_or_relative_rpath(
    fmt: str, pair: Callable[..., dict[str, Path]], rpath: str, says: str
) -> None:
    built = pair(rpaths=[rpath])
    entries = [r.value for s in binary_of(built["extension"]).slices for r in s.rpaths]
    assert entries == [rpath]
    findings = lint_wheels([built["producer"], built["consumer"]])
    assert rules_of(findings) == ["SLI005"]
    assert says in findings[0].detail


@ELF_MACHO
def test_sli005_passes_for_origin_relative_rpath(
    fmt: str, pair: Callable[..., dict[str, Path]]
) -> None:
    anchor = "$ORIGIN" if fmt == "elf" else "@loader_path"
    built = pair(
        rpaths=[anchor, f"{anchor}/../pyfoo.libs"],
        extra_consumer_files={"pyfoo.libs/README": "vendored libraries live here\n"},
    )
    assert lint_wheels([built["producer"], built["consumer"]]) == []


# -- SLI006 rpath-into-other-distribution -----------------------------------------------


@ELF_MACHO
def test_sli006_rpath_into_producer_directory(
    fmt: str, pair: Callable[..., dict[str, Path]]
) -> None:
    anchor = "$ORIGIN" if fmt == "elf" else "@loader_path"
    built = pair(rpaths=[f"{anchor}/../libfoo/lib"])
    findings = lint_wheels([built["producer"], built["consumer"]])
    assert rules_of(findings) == ["SLI006"]
    assert "libfoo/lib/" in findings[0].detail
    assert "distribution libfoo" in findings[0].detail
    assert findings[0].severity == "warning"


@ELF_MACHO
def test_sli006_rpath_leaving_site_packages(fmt: str, pair: Callable[..., dict[str, Path]]) -> None:
    anchor = "$ORIGIN" if fmt == "elf" else "@loader_path"
    built = pair(rpaths=[f"{anchor}/../../../lib"])
    findings = lint_wheels([built["producer"], built["consumer"]])
    assert rules_of(findings) == ["SLI006"]
    assert "leaves site-packages" in findings[0].detail


# -- SLI007 producer-not-required -------------------------------------------------------


@pytest.mark.parametrize(
    ("requires", "expected"),
    [
        ((), ["SLI007"]),
        (("libfoo; extra == 'native'",), ["SLI007"]),
        (("LibFoo>=1.0",), []),
        (("libfoo; sys_platform != 'emscripten'",), []),
    ],
)
def test_sli007_consumer_metadata_declares_producer(
    fmt: str, pair: Callable[..., dict[str, Path]], requires: tuple[str, ...], expected: list[str]
) -> None:
    built = pair(requires=requires)
    findings = lint_wheels([built["producer"], built["consumer"]])
    assert rules_of(findings) == expected
    if expected:
        assert "Requires-Dist: libfoo" in findings[0].detail


# -- SLI008 producer-without-loader -----------------------------------------------------


@pytest.mark.parametrize(
    ("init", "expected"),
    [
        ("from shared_lib_manager import LibraryLoader\n", ["SLI008"]),
        ("def loader():\n    pass\n", ["SLI008"]),
        ("loader = (\n", ["SLI008"]),
        ("from ._loader import loader\n", []),
        ("try:\n    from ._loader import loader\nexcept ImportError:\n    loader = None\n", []),
    ],
)
def test_sli008_producer_package_binds_loader(
    fmt: str, pair: Callable[..., dict[str, Path]], init: str, expected: list[str]
) -> None:
    built = pair(producer_init=init)
    findings = lint_wheels([built["producer"], built["consumer"]])
    assert rules_of(findings) == expected
    if expected:
        assert findings[0].file == "libfoo/__init__.py"


# -- SLI009 consumer-without-dependency-entry -------------------------------------------


@ELF_MACHO
def test_sli009_stated_consumer_without_dependency_entry(
    fmt: str, pair: Callable[..., dict[str, Path]]
) -> None:
    built = pair(link=False)
    assert binary_of(built["extension"]).slices[0].dependencies == () or all(
        "foo" not in d.name for d in binary_of(built["extension"]).slices[0].dependencies
    )
    wheels = [built["producer"], built["consumer"]]
    roles = {built["producer"]: "producer", built["consumer"]: "consumer"}
    findings = lint_wheels(wheels, roles)
    assert rules_of(findings) == ["SLI009"]
    assert "libfoo" in findings[0].detail


def test_sli009_passes_for_linked_consumer(fmt: str, pair: Callable[..., dict[str, Path]]) -> None:
    built = pair()
    roles = {built["producer"]: "producer", built["consumer"]: "consumer"}
    assert lint_wheels([built["producer"], built["consumer"]], roles) == []


def test_sli003_on_a_variant_only_a_finder_loads_is_a_warning(
    fmt: str, pair: Callable[..., dict[str, Path]], wheel_factory: Callable[..., Path]
) -> None:
    """The same binary and mismatch under a file name whose module stem is no Python name
    (``_pyfoo.othermpi.<abi>``): no standard import reaches it, only the package's own
    finder, as mpi4py loads ``MPI.openmpi`` or ``MPI.mpich``: a warning naming the variant.
    Control: under its importable name it stays an error."""
    built = pair(linked_as=CONSUMER_LINKED_AS[fmt])
    variant = EXTENSION_FILE[fmt].replace("_pyfoo.", "_pyfoo.othermpi.", 1)
    consumer = wheel_factory(
        "pyvariants",
        {"pyvariants/__init__.py": "import libfoo\n", f"pyvariants/{variant}": built["extension"]},
        fmt=fmt,
        requires=("libfoo>=1.0",),
    )
    findings = lint_wheels([built["producer"], consumer])
    assert [(f.rule, f.severity) for f in findings] == [("SLI003", "warning")], findings
    assert "'_pyfoo.othermpi' is no importable module name" in findings[0].detail
    control = lint_wheels([built["producer"], built["consumer"]])
    assert [(f.rule, f.severity) for f in control] == [("SLI003", "error")], control
