"""Expectation checks against evidence: each kind passes on matching evidence, fails
on contradicting evidence, and a failure reads as expected-vs-evidence."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from scenario_testlib import LOCATIONS, SITE, TARGET, VALID, evidence_document

from harness.evidence import parse as parse_evidence
from harness.scenarios import parse
from harness.scenarios.expectations import Check, check, format_failure
from harness.scenarios.observed import Observed, observe


def _observed(**overrides: Any) -> Observed:
    return observe(parse_evidence(evidence_document(**overrides)), LOCATIONS)


def _failed(checks: list[Check]) -> list[str]:
    return [c.subject for c in checks if not c.passed]


@pytest.fixture
def scenario(write_scenario: Callable[[str, str], Path]) -> parse.Scenario:
    return parse.load(write_scenario("venv-basic", VALID))


def test_matching_evidence_passes_every_check(scenario: parse.Scenario) -> None:
    checks = check(scenario, _observed())
    assert _failed(checks) == []
    assert len(checks) == 2 + 3 + 1  # two steps, copies/location/identity, one symbol


def test_origins_use_location_labels() -> None:
    observed = _observed()
    assert [o.origin for o in observed.located()] == [
        "site:libfoo/lib/libfoo.so.1",
        "site:pyfoo/_pyfoo.cpython-311-x86_64-linux-gnu.so",
    ]
    assert observed.loaded[0].origin.startswith("other:")


def test_step_error_instead_of_ok_fails(scenario: parse.Scenario) -> None:
    steps = evidence_document()["steps"]
    steps[0] = {"id": "import", "ok": False, "value": None,
                "error": {"type": "ImportError", "message": "libfoo.so.1: cannot open shared object file"}}  # fmt: skip
    assert _failed(check(scenario, _observed(steps=steps))) == ["step import (import pyfoo)"]


def test_step_value_mismatch_fails(scenario: parse.Scenario) -> None:
    steps = evidence_document()["steps"]
    steps[1]["value"] = "libfoo 1.0 system"
    assert _failed(check(scenario, _observed(steps=steps))) == [
        "step identity (call pyfoo.identity)"
    ]


def test_missing_step_fails(scenario: parse.Scenario) -> None:
    steps = evidence_document()["steps"][:1]
    (failed,) = [c for c in check(scenario, _observed(steps=steps)) if not c.passed]
    assert failed.observed == "the evidence has no result for this step"


@pytest.mark.parametrize(
    ("expect", "outcome", "passes"),
    [
        (
            '{ error = "ImportError", error_matches = "libfoo\\\\.so\\\\.1" }',
            ("ImportError", "libfoo.so.1: cannot open"),
            True,
        ),
        (
            '{ error = "ImportError", error_matches = "libfoo\\\\.so\\\\.1" }',
            ("ImportError", "libbar.so.1: cannot open"),
            False,
        ),
        ('{ error = "ImportError" }', ("ModuleNotFoundError", "No module named 'pyfoo'"), False),
        ('{ error_matches = "cannot open" }', ("OSError", "x: cannot open"), True),
        ("{ ok = false }", ("RuntimeError", "boom"), True),
        ('{ value_matches = "^libfoo 1\\\\." }', None, True),
        ('{ value_matches = "system$" }', None, False),
    ],
)
def test_step_expectation_kinds(
    write_scenario: Callable[[str, str], Path],
    expect: str,
    outcome: tuple[str, str] | None,
    passes: bool,
) -> None:
    text = VALID.replace('expect = { value = "libfoo 1.0 wheel" }', f"expect = {expect}")
    scenario = parse.load(write_scenario("kinds", text))
    steps = evidence_document()["steps"]
    if outcome is not None:
        steps[1] = {"id": "identity", "ok": False, "value": None,
                    "error": {"type": outcome[0], "message": outcome[1]}}  # fmt: skip
    failed = _failed(check(scenario, _observed(steps=steps)))
    assert (failed == []) is passes, failed


def test_two_copies_fail_copies(scenario: parse.Scenario) -> None:
    document = evidence_document()
    mangled = f"{SITE}/pyfoo.libs/libfoo-1a2b3c4d.so.1"
    document["loaded"].append({"path": mangled, "soname": "libfoo.so.1"})
    document["identities"].append(
        {"path": mangled, "function": "foo_identity", "value": "libfoo 1.0 wheel"}
    )
    failed = _failed(check(scenario, observe(parse_evidence(document), LOCATIONS)))
    assert failed == ["library libfoo: copies"]


def test_copy_from_other_location_fails_location(scenario: parse.Scenario) -> None:
    document = evidence_document()
    moved = f"{TARGET}/libfoo/lib/libfoo.so.1"
    document["loaded"][1]["path"] = moved
    document["identities"][0]["path"] = moved
    checks = check(scenario, observe(parse_evidence(document), LOCATIONS))
    (failed,) = [c for c in checks if not c.passed]
    assert failed.subject == "library libfoo: location"
    assert failed.observed == "target:libfoo/lib/libfoo.so.1"


def test_wrong_identity_fails(scenario: parse.Scenario) -> None:
    document = evidence_document()
    document["identities"][0]["value"] = "libfoo 1.0 system"
    assert _failed(check(scenario, observe(parse_evidence(document), LOCATIONS))) == [
        "library libfoo: identity (foo_identity)"
    ]


def test_not_loaded_fails_location_and_identity(scenario: parse.Scenario) -> None:
    document = evidence_document(loaded=[], identities=[])
    assert _failed(check(scenario, observe(parse_evidence(document), LOCATIONS))) == [
        "library libfoo: copies",
        "library libfoo: location",
        "library libfoo: identity (foo_identity)",
    ]


def test_copies_zero(write_scenario: Callable[[str, str], Path]) -> None:
    text = VALID.replace(
        'location = "site"\ncopies = 1\nidentity = "libfoo 1.0 wheel"', "copies = 0"
    )
    scenario = parse.load(write_scenario("absent", text))
    assert "library libfoo: copies" in _failed(check(scenario, _observed()))
    assert "library libfoo: copies" not in _failed(
        check(scenario, _observed(loaded=[], identities=[]))
    )


def test_file_expectation(write_scenario: Callable[[str, str], Path]) -> None:
    text = VALID.replace("copies = 1", 'copies = 1\nfile = "libfoo/lib/libfoo.so.2"')
    scenario = parse.load(write_scenario("file", text))
    assert _failed(check(scenario, _observed())) == ["library libfoo: file"]


def test_global_symbol_fails_not_global(scenario: parse.Scenario) -> None:
    symbols = {"foo_identity": {"global": True, "defined_by": f"{SITE}/libfoo/lib/libfoo.so.1"}}
    checks = check(scenario, _observed(symbols=symbols))
    (failed,) = [c for c in checks if not c.passed]
    assert failed.subject == "symbol foo_identity"
    assert failed.observed == "global (resolves to site:libfoo/lib/libfoo.so.1)"


def test_symbol_missing_from_evidence_fails(scenario: parse.Scenario) -> None:
    assert _failed(check(scenario, _observed(symbols={}))) == ["symbol foo_identity"]


def test_load_order(write_scenario: Callable[[str, str], Path]) -> None:
    text = VALID.replace(
        'installers = ["uv", "pip"]', 'installers = ["uv"]\nload_order = ["libfoo", "libbar"]'
    )
    text = text.replace("[symbols]", "[libraries.libbar]\ncopies = 1\n\n[symbols]")
    scenario = parse.load(write_scenario("order", text))
    bar = {"path": f"{SITE}/libbar/lib/libbar.so.1", "soname": "libbar.so.1"}
    document = evidence_document()
    document["loaded"].append(bar)
    assert _failed(check(scenario, observe(parse_evidence(document), LOCATIONS))) == []
    document["loaded"].insert(0, bar)
    document["loaded"].pop()
    assert _failed(check(scenario, observe(parse_evidence(document), LOCATIONS))) == ["load order"]


def test_failure_reads_as_expected_versus_evidence(scenario: parse.Scenario) -> None:
    document = evidence_document()
    document["identities"][0]["value"] = "libfoo 1.0 system"
    observed = observe(parse_evidence(document), LOCATIONS)
    text = format_failure("venv-basic[cp311-venv-uv]", check(scenario, observed), observed)
    assert "1 of 6 expectations not met" in text
    assert "FAIL  library libfoo: identity (foo_identity)" in text
    assert "- expected: 'libfoo 1.0 wheel'" in text
    assert "+ evidence: site:libfoo/lib/libfoo.so.1 -> 'libfoo 1.0 system'" in text
    assert "loaded libraries (evidence, location:relative/path):" in text
    assert "  site:libfoo/lib/libfoo.so.1  [foo_identity='libfoo 1.0 system']" in text
    assert "identity: ok, value 'libfoo 1.0 wheel'" in text
    assert "1 objects outside the layout" in text
