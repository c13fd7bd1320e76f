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


def as_json(findings: Sequence[Finding]) -> str:
    return json.dumps(
        {"schema": 1, "findings": [f.to_json() for f in findings]}, indent=2, sort_keys=True
    )
