"""Compare a scenario's expectations with what the probe observed.

Each expectation becomes one :class:`Check` (passed or not, with the expected and the
observed side in words), so a failure can be shown as a readable diff and a pass can
be listed in the report. Nothing here knows how the evidence was produced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from harness.evidence import StepOutcome
from harness.scenarios.observed import Located, Observed
from harness.scenarios.schema import LibraryExpectation, Scenario, Step
from harness.vocabulary import MANGLE_HASH


@dataclass(frozen=True)
class Check:
    subject: str
    """``step import``, ``library libfoo: copies``, ``symbol foo_identity``..."""
    expected: str
    observed: str
    passed: bool


def check(scenario: Scenario, observed: Observed) -> list[Check]:
    """Every expectation of ``scenario`` checked against ``observed``."""
    checks: list[Check] = []
    for step in scenario.steps:
        checks.extend(_check_step(step, observed.step(step.id)))
    for library in scenario.libraries:
        checks.extend(_check_library(library, observed))
    if scenario.load_order:
        checks.append(_check_order(scenario.load_order, observed))
    for name in scenario.symbols.must_be_global:
        checks.append(_check_symbol(name, True, observed))
    for name in scenario.symbols.must_not_be_global:
        checks.append(_check_symbol(name, False, observed))
    for file_name in scenario.symbols.local_libraries:
        checks.append(_check_load_mode(file_name, observed))
    return checks


def _check_load_mode(file_name: str, observed: Observed) -> Check:
    """No loaded copy of ``file_name`` has its sampled symbols in the global namespace."""
    unmangle = re.compile(rf"-{MANGLE_HASH}(?=\.)")
    modes = [
        mode
        for mode in observed.evidence.load_modes
        if unmangle.sub("", observed.evidence.file_name(mode.path), count=1) == file_name
    ]
    subject = f"load mode {file_name}"
    wanted = "local (its sampled symbols not global)"
    if not modes:
        return Check(subject, wanted, "not loaded", True)
    shown = []
    for mode in modes:
        where = observed.origin(mode.path)
        if mode.is_global:
            shown.append(f"{where}: global ({', '.join(mode.global_names)})")
        else:
            shown.append(f"{where}: local ({len(mode.sampled)} sampled)")
    return Check(subject, wanted, "; ".join(shown), not any(m.is_global for m in modes))


def _step_wanted(step: Step) -> str:
    expect = step.expect
    if not expect.ok:
        parts = [expect.error_type or "any exception"]
        if expect.error_matches is not None:
            parts.append(f"message matching /{expect.error_matches}/")
        return "error " + ", ".join(parts)
    if expect.has_value:
        return f"ok, value {expect.value!r}"
    if expect.value_matches is not None:
        return f"ok, value matching /{expect.value_matches}/"
    return "ok"


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else repr(value)


def describe(outcome: StepOutcome) -> str:
    if outcome.error is not None:
        return f"{outcome.error.type}: {outcome.error.message}"
    shown = outcome.value if outcome.value_is_repr else repr(outcome.value)
    return f"ok, value {shown}"


def _check_step(step: Step, outcome: StepOutcome | None) -> list[Check]:
    subject = f"step {step.id} ({step.action} {step.target})"
    wanted = _step_wanted(step)
    if outcome is None:
        return [Check(subject, wanted, "the evidence has no result for this step", False)]
    expect = step.expect
    passed = outcome.ok == expect.ok
    if passed and expect.ok:
        if expect.has_value:
            passed = outcome.value == expect.value
        if expect.value_matches is not None:
            passed = passed and re.search(expect.value_matches, _as_text(outcome.value)) is not None
    elif passed and outcome.error is not None:
        if expect.error_type is not None:
            passed = outcome.error.type == expect.error_type
        if expect.error_matches is not None:
            passed = passed and re.search(expect.error_matches, outcome.error.message) is not None
    return [Check(subject, wanted, describe(outcome), passed)]


def _origins(copies: list[Located]) -> str:
    return ", ".join(copy.origin for copy in copies) or "none loaded"


def _check_library(library: LibraryExpectation, observed: Observed) -> list[Check]:
    copies = observed.copies_of(library.name)
    subject = f"library {library.name}"
    checks = [
        Check(
            f"{subject}: copies",
            "not loaded" if library.copies == 0 else f"{library.copies} loaded",
            f"{len(copies)} loaded ({_origins(copies)})",
            len(copies) == library.copies,
        )
    ]
    if library.location is not None:
        wrong = [copy for copy in copies if copy.label != library.location]
        checks.append(
            Check(
                f"{subject}: location",
                f"from {library.location}",
                _origins(copies),
                bool(copies) and not wrong,
            )
        )
    if library.file is not None:
        wanted = f"{library.location}:{library.file}"
        checks.append(
            Check(
                f"{subject}: file",
                wanted,
                _origins(copies),
                bool(copies) and all(copy.origin == wanted for copy in copies),
            )
        )
    if library.identity is not None:
        found = [copy.identities.get(library.identity_function) for copy in copies]
        shown = ", ".join(
            f"{copy.origin} -> {value!r}" if value is not None else f"{copy.origin} -> no identity"
            for copy, value in zip(copies, found)
        )
        checks.append(
            Check(
                f"{subject}: identity ({library.identity_function})",
                repr(library.identity),
                shown or "none loaded",
                bool(copies) and all(value == library.identity for value in found),
            )
        )
    return checks


def _check_order(order: tuple[str, ...], observed: Observed) -> Check:
    positions: list[tuple[str, int | None]] = []
    for name in order:
        copies = observed.copies_of(name)
        index = next((i for i, obj in enumerate(observed.loaded) if obj in copies), None)
        positions.append((name, index))
    shown = ", ".join(f"{name}@{index if index is not None else '-'}" for name, index in positions)
    indices = [index for _, index in positions]
    passed = None not in indices and indices == sorted(i for i in indices if i is not None)
    return Check("load order", " before ".join(order), f"first loaded at {shown}", passed)


def _check_symbol(name: str, want_global: bool, observed: Observed) -> Check:
    state = observed.evidence.symbols.get(name)
    wanted = "global" if want_global else "not global"
    if state is None:
        return Check(f"symbol {name}", wanted, "not in the evidence", False)
    seen = "global" if state.is_global else "not global"
    if state.defined_by:
        seen += f" (resolves to {observed.origin(state.defined_by)})"
    return Check(f"symbol {name}", wanted, seen, state.is_global == want_global)


def format_failure(title: str, checks: list[Check], observed: Observed) -> str:
    """A readable diff: failed expectations as ``-`` expected / ``+`` evidence lines,
    then every step's outcome and the loaded libraries with their location labels."""
    failed = [c for c in checks if not c.passed]
    lines = [f"{title}: {len(failed)} of {len(checks)} expectations not met", ""]
    for item in checks:
        if item.passed:
            lines.append(f"  ok    {item.subject}: {item.observed}")
    for item in failed:
        lines.append(f"  FAIL  {item.subject}")
        lines.append(f"        - expected: {item.expected}")
        lines.append(f"        + evidence: {item.observed}")
    lines += ["", "steps (evidence):"]
    for outcome in observed.evidence.steps:
        lines.append(f"  {outcome.id}: {describe(outcome)}")
    lines += ["", "loaded libraries (evidence, location:relative/path):"]
    shown = observed.located()
    for obj in shown:
        identity = ", ".join(f"{f}={v!r}" for f, v in obj.identities.items())
        lines.append(f"  {obj.origin}" + (f"  [{identity}]" if identity else ""))
    if not shown:
        lines.append("  (none from the layout's locations)")
    others = len(observed.loaded) - len(shown)
    lines.append(f"  ... and {others} objects outside the layout (interpreter, libc, ...)")
    return "\n".join(lines)
