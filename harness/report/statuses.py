"""How each cell status looks, in one table every renderer reads.

A status (:data:`harness.scenarios.verdict.STATUSES`) has one row here: its symbol in
the HTML matrix, its mark in Markdown, its word in terminal text, whether it is a
problem (a failure the reader must look at) and its colours in light and dark mode.
A status added to the verdicts needs one row here; a test checks that none is missing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Look:
    symbol: str
    """The HTML matrix's one-character mark."""
    mark: str
    """The Markdown matrix's mark (GitHub renders the emoji in colour)."""
    word: str
    """Terminal text: short, problems in capitals so they stand out in a log."""
    problem: bool
    """A failure the reader must look at: counted as such, kept by "failed only"."""
    light: tuple[str, str]
    """Background and text colour in light mode."""
    dark: tuple[str, str]
    """Background and text colour in dark mode."""


LOOKS: dict[str, Look] = {
    "passed": Look("✓", "✅", "pass", False, ("#d9f2d9", "#185c18"), ("#1f4a26", "#a8e6b0")),
    "failed": Look("✗", "❌", "FAIL", True, ("#f8caca", "#8a1010"), ("#6b1f1f", "#ffb4b4")),
    "error": Look("!", "⚠️", "ERROR", True, ("#fbe1b6", "#7a4a00"), ("#5e4311", "#ffd699")),
    "skipped": Look("\u2013", "⏭️", "skip", False, ("#e6e6e6", "#555555"), ("#3a3a3a", "#bbbbbb")),
    "not-applicable": Look("·", "·", "n/a", False, ("#f1f3f8", "#8890a8"), ("#23262e", "#7c849a")),
}

UNKNOWN = Look("?", "❓", "?", True, ("#e0d0f0", "#402060"), ("#3c2a52", "#dcc8f4"))
"""A status from a newer harness that this one has no row for: shown, and as a problem."""


def look(status: str) -> Look:
    return LOOKS.get(status, UNKNOWN)


def is_problem(status: str) -> bool:
    return look(status).problem
