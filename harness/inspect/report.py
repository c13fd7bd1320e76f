"""Render findings as a readable table or as JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence

from .findings import Finding

_COLUMNS = ("rule", "wheel", "file", "detail")


def table(findings: Sequence[Finding]) -> str:
    """A plain-text table, one finding per row, columns aligned except the last."""
    if not findings:
        return "no findings"
    rows = [("RULE", "WHEEL", "FILE", "DETAIL")]
    rows += [
        (f"{f.rule} {f.severity[0].upper()}", f.wheel, f.file or "-", f.detail) for f in findings
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS) - 1)]
    lines = [
        "  ".join([*(cell.ljust(w) for cell, w in zip(row[:-1], widths)), row[-1]]).rstrip()
        for row in rows
    ]
    rules = sorted({f.rule for f in findings})
    lines.append("")
    lines.append(f"{len(findings)} finding(s); rule pages: docs/rules/<id>.md ({', '.join(rules)})")
    return "\n".join(lines)


def grouped(findings: Sequence[Finding]) -> str:
    """Findings by rule and wheel: one header per rule, one line per wheel with the count
    and one example, so a family of hundreds of binaries reads on one screen."""
    if not findings:
        return "no findings"
    by_rule: dict[str, dict[str, list[Finding]]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, {}).setdefault(finding.wheel, []).append(finding)
    lines = []
    for rule_id, wheels in by_rule.items():
        every = [f for group in wheels.values() for f in group]
        lines.append(f"{rule_id} {every[0].name} ({_severities(every)}) in {len(wheels)} wheel(s)")
        for wheel, group in wheels.items():
            example = group[0]
            where = f"{example.file}: " if example.file else ""
            lines.append(f"  {wheel}: {len(group)}, e.g. {where}{example.detail}")
    lines.append("")
    lines.append(
        f"{len(findings)} finding(s) ({_severities(findings)}); --verbose lists every one; "
        f"rule pages: docs/rules/<id>.md ({', '.join(by_rule)})"
    )
    return "\n".join(lines)


def _severities(findings: Sequence[Finding]) -> str:
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    parts = [f"{errors} error(s)"] if errors else []
    parts += [f"{warnings} warning(s)"] if warnings else []
    return ", ".join(parts)


def as_json(findings: Sequence[Finding]) -> str:
    return json.dumps(
        {"schema": 1, "findings": [f.to_json() for f in findings]}, indent=2, sort_keys=True
    )
