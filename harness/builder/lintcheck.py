"""Lint a built wheelhouse and hold it to the catalogue's expected findings.

``harness build`` calls :func:`lint_wheelhouse` after building for an interpreter: every
wheel of the index goes through :func:`harness.inspect.lint_wheels` together (roles from
the index), and each wheel's rule ids are compared with ``WheelSpec.expected_lint``. A
finding the catalogue does not expect (a wheel that should be clean broke) and an
expected finding that did not show up (a negative variant lost its defect, or a rule
stopped seeing it) are both problems. The result is written to ``lint.json`` next to
``index.json`` and reused while the wheels, the expectations and the rules are unchanged.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from harness import platforms
from harness.builder.catalogue import WHEELS_BY_ID
from harness.builder.wheelhouse import INDEX, Wheelhouse, WheelhouseError, write_json
from harness.inspect import RULES, Finding, lint_wheels
from harness.inspect.links import Role

LINT_FILE = "lint.json"
SCHEMA = 1
_RULES_SOURCES = Path(__file__).resolve().parent.parent / "inspect"

ProblemKind = Literal["unexpected", "missing"]


@dataclass(frozen=True)
class Problem:
    """A difference between the lint and the catalogue, for one wheel id and rule."""

    kind: ProblemKind
    wheel_id: str
    rule: str
    detail: str

    def __str__(self) -> str:
        if self.kind == "unexpected":
            return (
                f"{self.wheel_id}: unexpected {self.rule} ({RULES[self.rule].name}): "
                f"{self.detail}; fix the wheel, or declare the rule in expected_lint in "
                "harness/builder/catalogue.py if the defect is intended"
            )
        return (
            f"{self.wheel_id}: expected {self.rule} ({self.detail}) but the lint did not "
            "report it; the variant lost its intended defect or the rule no longer sees it"
        )

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "id": self.wheel_id, "rule": self.rule, "detail": self.detail}


@dataclass(frozen=True)
class WheelhouseLint:
    """The lint of one wheelhouse, compared with the catalogue."""

    path: Path
    """The ``lint.json`` written for it."""
    findings: tuple[tuple[str, Finding], ...]
    """(wheel id, finding), in the lint's order."""
    problems: tuple[Problem, ...]
    cached: bool
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One line for the build output."""
        rules: dict[str, set[str]] = {}
        for wheel_id, finding in self.findings:
            rules.setdefault(wheel_id, set()).add(finding.rule)
        shown = ", ".join(f"{w} {'+'.join(sorted(r))}" for w, r in sorted(rules.items()))
        verdict = "as the catalogue expects" if self.ok else f"{len(self.problems)} problem(s)"
        how = "cached" if self.cached else f"{self.seconds:.2f} s"
        return (
            f"lint: {len(self.findings)} finding(s) ({shown or 'none'}), {verdict} "
            f"[{self.path.name}, {how}]"
        )


def _roles(house: Wheelhouse) -> dict[Path | str, Role]:
    roles: dict[Path | str, Role] = {}
    for wheel_id, entry in house.wheels.items():
        if entry.role == "producer":
            roles[house.wheel(wheel_id)] = "producer"
        elif entry.role == "consumer":
            roles[house.wheel(wheel_id)] = "consumer"
    return roles


def _rules_digest() -> str:
    digest = hashlib.sha256()
    for source in sorted(_RULES_SOURCES.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def _key(house: Wheelhouse, expected: Mapping[str, frozenset[str]]) -> str:
    parts = {
        "schema": SCHEMA,
        "wheels": {i: [e.file, e.sha256, e.role] for i, e in sorted(house.wheels.items())},
        "expected": {i: sorted(expected.get(i, ())) for i in sorted(house.wheels)},
        "rules": _rules_digest(),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:24]


def compare(
    findings: list[tuple[str, Finding]],
    wheel_ids: list[str],
    expected: Mapping[str, frozenset[str]],
) -> list[Problem]:
    """Unexpected findings (one per wheel and rule, first detail) and missing expected rules."""
    problems: list[Problem] = []
    seen: dict[str, set[str]] = {wheel_id: set() for wheel_id in wheel_ids}
    for wheel_id, finding in findings:
        rules = seen.setdefault(wheel_id, set())
        if finding.rule not in expected.get(wheel_id, frozenset()) and finding.rule not in rules:
            where = f"{finding.file}: " if finding.file else ""
            problems.append(
                Problem(
                    "unexpected", wheel_id, finding.rule, f"{finding.wheel} {where}{finding.detail}"
                )
            )
        rules.add(finding.rule)
    for wheel_id in wheel_ids:
        for rule_id in sorted(expected.get(wheel_id, frozenset()) - seen[wheel_id]):
            summary = RULES[rule_id].summary if rule_id in RULES else "unknown rule id"
            problems.append(Problem("missing", wheel_id, rule_id, summary))
    return problems


def expected_from_catalogue(platform: platforms.Platform) -> dict[str, frozenset[str]]:
    """Each wheel id built on ``platform`` -> the rule ids its lint there must report."""
    return {
        wheel_id: spec.lint_expected_on(platform)
        for wheel_id, spec in WHEELS_BY_ID.items()
        if spec.built_on(platform)
    }


def _platform_of(house: Wheelhouse) -> platforms.Platform:
    for platform in platforms.ALL.values():
        if platform.name == house.platform:
            return platform
    raise WheelhouseError(
        f"{house.directory / INDEX}: platform {house.platform!r} is none of "
        f"{', '.join(platforms.ALL)}; delete it and run `harness build`"
    )


def _finding(data: Mapping[str, object]) -> Finding:
    return Finding(
        rule=str(data["rule"]),
        name=str(data["name"]),
        severity="warning" if data["severity"] == "warning" else "error",
        wheel=str(data["wheel"]),
        file=str(data["file"]),
        detail=str(data["detail"]),
        doc=str(data["doc"]),
    )


def _cached(path: Path, key: str) -> list[tuple[str, Finding]] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("schema") != SCHEMA or data.get("key") != key:
            return None
        return [(str(item["id"]), _finding(item)) for item in data["findings"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None  # absent or unreadable: lint again


def _write(
    path: Path, key: str, findings: list[tuple[str, Finding]], problems: list[Problem]
) -> None:
    document = {
        "schema": SCHEMA,
        "key": key,
        "findings": [{"id": wheel_id, **finding.to_json()} for wheel_id, finding in findings],
        "problems": [problem.to_json() for problem in problems],
    }
    write_json(path, document)


def lint_wheelhouse(
    house: Wheelhouse, expected: Mapping[str, frozenset[str]] | None = None
) -> WheelhouseLint:
    """Lint every wheel of ``house`` together and compare with ``expected`` (default: the
    catalogue's expectations for the wheelhouse's platform); writes ``lint.json`` into it.

    Raises :class:`~harness.inspect.UnusableInputError` naming a wheel that cannot be read,
    :class:`~harness.builder.wheelhouse.WheelhouseError` for an index of an unknown platform.
    """
    platform = _platform_of(house)
    wanted = expected_from_catalogue(platform) if expected is None else dict(expected)
    path = house.directory / LINT_FILE
    key = _key(house, wanted)
    started = time.monotonic()
    findings = _cached(path, key)
    cached = findings is not None
    if findings is None:
        ids_by_file = {entry.file: wheel_id for wheel_id, entry in house.wheels.items()}
        paths = [house.wheel(wheel_id) for wheel_id in sorted(house.wheels)]
        findings = [(ids_by_file[f.wheel], f) for f in lint_wheels(paths, _roles(house))]
    problems = compare(findings, sorted(house.wheels), wanted)
    if not cached:
        _write(path, key, findings, problems)
    return WheelhouseLint(
        path=path,
        findings=tuple(findings),
        problems=tuple(problems),
        cached=cached,
        seconds=time.monotonic() - started,
    )
