"""What a rule reports, and the registry of rules with their stable ids."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from .links import Graph
from .wheel import Wheel

Severity = Literal["error", "warning"]
Check = Callable[[Graph], Iterable[tuple[Wheel, str, str]]]
"""A rule's check yields (wheel, file inside it, one-line detail) per failure."""


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
        for wheel, file, detail in current.check(graph):
            key = (wheel.name, file, detail)
            if key in seen:
                continue
            seen.add(key)
            findings.append(
                Finding(
                    rule=current.id,
                    name=current.name,
                    severity=current.severity,
                    wheel=wheel.name,
                    file=file,
                    detail=detail,
                    doc=current.doc,
                )
            )
    return findings
