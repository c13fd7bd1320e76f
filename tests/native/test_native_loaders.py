"""The loader rules of issue 14, measured with real loaders: glibc, musl and Wine.

Each test runs the native probe (``harness/native/probe.c``) with one loader and asserts
its evidence: which step failed and with what loader message, how many copies of foo
are mapped and from where, which copy the consumer's dependency bound to (its identity
through the consumer). The glibc cells are the control: the same builds and steps that
fail on musl work there, so the difference is the loader's rule, not the build.
"""

from __future__ import annotations

import pytest
from native_testlib import PathOf, RunCell, call_identity, load

from harness.evidence import Evidence
from harness.native import NativeStep
from harness.native.build import IDENTITIES

pytestmark = pytest.mark.slow


def copies_of_foo(evidence: Evidence) -> list[str]:
    return [obj.path for obj in evidence.copies_of("foo")]


def loaded_from(evidence: Evidence, step_id: str) -> str | None:
    return evidence.step(step_id).module_file


# -- glibc: the control ----------------------------------------------------------------


def test_glibc_preload_satisfies_the_consumer(run_cell: RunCell, library: PathOf) -> None:
    evidence = run_cell(
        "glibc", load("preload", "producer"), load("consumer", "consumer"), call_identity()
    )
    producer = library("glibc", "producer")
    assert evidence.step("consumer").ok, evidence.step("consumer").error
    assert evidence.step("identity").value == IDENTITIES["producer"]
    assert copies_of_foo(evidence) == [producer]
    symbol = evidence.symbol("foo_identity")
    assert not symbol.is_global, "RTLD_LOCAL must keep foo_identity out of the global namespace"
    assert symbol.defined_in == (producer,)


def test_glibc_without_preload_the_consumer_fails(run_cell: RunCell) -> None:
    """Negative control of the control: nothing but the preload satisfies the dependency."""
    evidence = run_cell("glibc", load("consumer", "consumer"), call_identity())
    error = evidence.step("consumer").error
    assert error is not None and error.type == "LoadError"
    assert "libfoo.so.1: cannot open shared object file" in error.message
    assert copies_of_foo(evidence) == []


# -- musl: SONAME is never the key ------------------------------------------------------


def test_musl_preload_does_not_satisfy_the_consumer(run_cell: RunCell, library: PathOf) -> None:
    evidence = run_cell(
        "musl", load("preload", "producer"), load("consumer", "consumer"), call_identity()
    )
    assert evidence.step("preload").ok
    assert loaded_from(evidence, "preload") == library("musl", "producer")
    error = evidence.step("consumer").error
    assert error is not None and error.type == "LoadError"
    assert "Error loading shared library libfoo.so.1: No such file or directory" in error.message
    assert evidence.step("identity").error is not None
    assert copies_of_foo(evidence) == [library("musl", "producer")]
    assert not evidence.is_loaded(library("musl", "consumer"))


def test_musl_rtld_global_preload_does_not_help_either(run_cell: RunCell, library: PathOf) -> None:
    """The symbol is global, yet DT_NEEDED libfoo.so.1 is still searched for by name."""
    evidence = run_cell(
        "musl", NativeStep("preload", load="producer", mode="global"), load("consumer", "consumer")
    )
    assert evidence.symbol("foo_identity").is_global
    assert evidence.symbol("foo_identity").defined_by == library("musl", "producer")
    error = evidence.step("consumer").error
    assert error is not None
    assert "Error loading shared library libfoo.so.1: No such file or directory" in error.message


def test_musl_rpath_reaching_the_preloaded_file_shares_it(
    run_cell: RunCell, library: PathOf
) -> None:
    """The search finds the same device/inode as the preloaded object: one copy."""
    evidence = run_cell(
        "musl", load("preload", "producer"), load("consumer", "consumer-rpath"), call_identity()
    )
    assert evidence.step("consumer").ok, evidence.step("consumer").error
    assert evidence.step("identity").value == IDENTITIES["producer"]
    assert copies_of_foo(evidence) == [library("musl", "producer")]


@pytest.mark.parametrize(
    ("loader", "copies", "bound_to"),
    [
        # glibc answers DT_NEEDED libfoo.so.1 from the loaded SONAME, whatever the RPATH says
        ("glibc", ["copy"], "copy"),
        # musl searches the RPATH, finds another file, maps it: two copies
        ("musl", ["copy", "producer"], "producer"),
    ],
)
def test_rpath_reaching_another_copy(
    run_cell: RunCell, library: PathOf, loader: str, copies: list[str], bound_to: str
) -> None:
    evidence = run_cell(
        loader, load("preload", "copy"), load("consumer", "consumer-rpath"), call_identity()
    )
    assert evidence.step("consumer").ok, evidence.step("consumer").error
    assert copies_of_foo(evidence) == [library(loader, variant) for variant in copies]
    assert evidence.step("identity").value == IDENTITIES[bound_to]
    reported = {
        identity.path: identity.value for identity in evidence.identities_from("foo_identity")
    }
    assert reported == {library(loader, variant): IDENTITIES[variant] for variant in copies}


# -- Windows loader semantics under Wine: the DLL base name is the key -----------------


def test_wine_preload_satisfies_the_import(run_cell: RunCell, library: PathOf) -> None:
    evidence = run_cell(
        "wine", load("preload", "producer"), load("consumer", "consumer"), call_identity()
    )
    assert evidence.python.platform == "windows"
    assert evidence.step("consumer").ok, evidence.step("consumer").error
    assert evidence.step("identity").value == IDENTITIES["producer"]
    assert copies_of_foo(evidence) == [library("wine", "producer")]
    symbol = evidence.symbol("foo_identity")
    assert not symbol.is_global and symbol.defined_in == (library("wine", "producer"),)


def test_wine_without_preload_the_import_fails_with_126(run_cell: RunCell) -> None:
    evidence = run_cell("wine", load("consumer", "consumer"), call_identity())
    error = evidence.step("consumer").error
    assert error is not None and error.type == "LoadError"
    assert error.message.startswith("[WinError 126]"), error.message
    assert copies_of_foo(evidence) == []


@pytest.mark.parametrize("first", ["producer", "copy"])
def test_wine_two_copies_by_full_path_the_import_binds_to_the_first(
    run_cell: RunCell, library: PathOf, first: str
) -> None:
    second = "copy" if first == "producer" else "producer"
    evidence = run_cell(
        "wine",
        load("first", first),
        load("second", second),
        load("consumer", "consumer"),
        call_identity(),
    )
    assert evidence.step("second").ok, "a second foo.dll by full path is a second module"
    assert copies_of_foo(evidence) == [library("wine", first), library("wine", second)]
    assert evidence.step("identity").value == IDENTITIES[first]


def test_wine_same_named_dll_loaded_earlier_from_elsewhere_wins(
    run_cell: RunCell, library: PathOf
) -> None:
    """Another package's consumer pulled its own foo.dll in first: our preload cannot win."""
    evidence = run_cell(
        "wine",
        load("other-package", "bundled-consumer"),
        load("preload", "producer"),
        load("consumer", "consumer"),
        call_identity(),
    )
    assert evidence.step("preload").ok
    assert copies_of_foo(evidence) == [library("wine", "bundled"), library("wine", "producer")]
    assert evidence.step("identity").value == IDENTITIES["bundled"]
