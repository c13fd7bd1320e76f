"""What a rule reports, and the registry of rules with their stable ids."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from .links import Graph
from .wheel import Wheel

Severity = Literal["error", "warning"]
Failure = tuple[Wheel, str, str] | tuple[Wheel, str, str, Severity]
Check = Callable[[Graph], Iterable[Failure]]
"""A rule's check yields (wheel, file inside it, one-line detail) per failure, and a
severity when that failure is milder than the rule's (SLI010 on plugins: a warning)."""


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: Severity
    summary: str
    check: Check

    @property
    def doc(self) -> str:
        """Path of the rule's page, relative to the project root."""
        return f"docs/rules/{self.id}.md"


@dataclass(frozen=True)
class Finding:
    rule: str
    name: str
    severity: Severity
    wheel: str
    file: str
    detail: str
    doc: str

    def to_json(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "name": self.name,
            "severity": self.severity,
            "wheel": self.wheel,
            "file": self.file,
            "detail": self.detail,
            "doc": self.doc,
        }


RULES: dict[str, Rule] = {}


def rule(rule_id: str, name: str, severity: Severity, summary: str) -> Callable[[Check], Check]:
    """Register ``check`` under a stable id; the id never changes once released."""

    def register(check: Check) -> Check:
        if rule_id in RULES:
            raise ValueError(f"rule id {rule_id} registered twice")
        RULES[rule_id] = Rule(rule_id, name, severity, summary, check)
        return check

    return register


def run_rules(graph: Graph, selected: Iterable[str] | None = None) -> list[Finding]:
    """Every finding of the selected rules (all by default), in rule-id order."""
    findings: list[Finding] = []
    for rule_id in sorted(selected if selected is not None else RULES):
        current = RULES[rule_id]
        seen = set()
        for failure in current.check(graph):
            wheel, file, detail = failure[0], failure[1], failure[2]
            severity: Severity = failure[3] if len(failure) == 4 else current.severity
            key = (wheel.name, file, detail)
            if key in seen:
                continue
            seen.add(key)
            findings.append(
                Finding(
                    rule=current.id,
                    name=current.name,
                    severity=severity,
                    wheel=wheel.name,
                    file=file,
                    detail=detail,
                    doc=current.doc,
                )
            )
    return findings
