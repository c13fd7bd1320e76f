"""What ``harness check`` prints: the family it found, the matrix, and each failure's details.

Plain lines, shared by the command's screen output and its ``--verbose`` details.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.check import family as families
from harness.check import matrix
from harness.check.needs import shared_names
from harness.report import as_text
from harness.scenarios.verdict import CellVerdict


def describe(family: families.Family, probing: matrix.Probing) -> list[str]:
    """The roles, libraries, preloads and steps, as the command prints them."""
    lines = [f"family for Python {family.python}:"]
    for wheel in family.wheels:
        role = family.role(wheel)
        extra = ""
        if wheel in family.producers:
            preload = family.preloads.get(wheel.path)
            extra = f"; preload: {preload.describe() if preload else 'none found'}"
        given = "" if wheel.path in family.given else " (requirement)"
        lines.append(f"  {role:<18} {wheel.path.name}{given}{extra}")
    for library in family.libraries:
        lines.append(
            f"  library {library.install_path} ({library.wheel.dist}); "
            f"{len(library.samples)} symbols sampled"
        )
    for own, shipped in shared_names(family.wheels).items():
        files = "; ".join(f"{path} ({wheel.dist})" for wheel, path in shipped)
        lines.append(f"  one name in several wheels: {own}: {files}")
    preloads = [f"preload {p.describe()}" for p in probing.preloads]
    steps = [
        *(preloads if probing.preload_always else []),
        *(f"import {m}" for m in probing.imports),
        *(preloads if probing.loads and not probing.preload_always else []),
        *(f"load {p}" for p in probing.loads),
    ]
    lines.append(f"  steps: {'; '.join(steps)}")
    return lines


def _cause(verdict: CellVerdict) -> str:
    """One line: the first structured cause with its fix, else the first failed
    expectation's evidence, or the cause that kept the cell from running."""
    if verdict.causes and verdict.outcome != "passed":
        cause = verdict.causes[0]
        extra = f" (+{len(verdict.causes) - 1} more)" if len(verdict.causes) > 1 else ""
        return f"{cause.kind}: {cause.what}; fix: {cause.fix}{extra}"
    if verdict.status == "passed":
        return ""
    failed = verdict.failed_expectations
    if not failed:
        return verdict.message
    first = failed[0]
    more = f" (+{len(failed) - 1} more)" if len(failed) > 1 else ""
    if first.subject.startswith("step "):
        action = first.subject.split("(", 1)[-1].rstrip(")")
        return f"{action}: {first.evidence}{more}"
    return f"{first.subject}: {first.evidence} (expected {first.expected}){more}"


def matrix_lines(
    rows: Sequence[tuple[matrix.Placement, CellVerdict]], warnings: dict[str, list[str]]
) -> list[str]:
    """The matrix on one screen: layout, placement, status, first cause."""
    width = max(len(p.name) for p, _ in rows)
    lines = []
    for placement, verdict in rows:
        outcome = verdict.outcome or verdict.status
        status = OUTCOME_WORDS.get(outcome) or as_text.word(outcome)
        note = " (global symbols: warning)" if warnings.get(placement.name) else ""
        note = (", sandboxed" if verdict.sandboxed else ", not sandboxed") + note
        cause = _cause(verdict)
        text = f"  {placement.name:<{width}}  {status:<5} {verdict.duration:5.1f} s{note}"
        lines.append(f"{text}  {cause}" if cause else text)
        for left in verdict.left_processes:
            lines.append(f"  {'':<{width}}  left running after the probe (killed): {left[:160]}")
    return lines


OUTCOME_WORDS = {
    "nothing-exercised": "NONE",
    "environment": "ENV",
}
"""How the matrix prints the outcomes that are not statuses (the statuses print as the
report's terminal words; ``NONE``: nothing of the consumers was exercised;
``ENV``: only a system library no wheel ships is missing)."""


def failure_details(placement: matrix.Placement, verdict: CellVerdict) -> list[str]:
    """Every failed expectation with its evidence, or the cause, and where things loaded."""
    lines = [f"{verdict.status.upper()} {placement.name}: {placement.summary}"]
    for label, wheels in placement.locations.items():
        lines.append(f"  {label}: {', '.join(w.path.name for w in wheels)}")
    for item in verdict.failed_expectations:
        lines.append(f"  - {item.subject}: expected {item.expected}")
        lines.append(f"    + evidence: {item.evidence}")
    for found in verdict.causes:
        step = f" (step {found.step})" if found.step else ""
        lines.append(f"  cause {found.kind}{step}: {found.what}")
        lines.append(f"    fix: {found.fix}")
    for own, used in verdict.copies_used.items():
        lines.append(f"  {own} (shipped by several wheels): used {used}")
    if verdict.not_exercised:
        shown = ", ".join(verdict.not_exercised[:8])
        more = (
            f" (+{len(verdict.not_exercised) - 8} more)" if len(verdict.not_exercised) > 8 else ""
        )
        lines.append(f"  not exercised (no step needs them): {shown}{more}")
    if verdict.cause is not None:
        lines += [f"  {line}" for line in verdict.cause.lines()]
    for name, origins in verdict.libraries.items():
        lines.append(f"  loaded {name}: {', '.join(origins) or 'not loaded'}")
    return lines
