"""Step builders shared by the native loader tests."""

from __future__ import annotations

from collections.abc import Callable

from harness.evidence import Evidence
from harness.native import NativeStep

RunCell = Callable[..., Evidence]
"""The ``run_cell`` fixture: ``run_cell(loader, *steps, symbols=..., identities=...)``."""
PathOf = Callable[[str, str], str]
"""The ``library`` fixture: ``library(loader, variant)`` -> the path the evidence shows."""


def load(step_id: str, variant: str) -> NativeStep:
    return NativeStep(step_id, load=variant)


def call_identity(step_id: str = "identity", library: str = "consumer") -> NativeStep:
    """Call ``consumer_foo_identity`` of a loaded consumer: which foo its dependency bound."""
    return NativeStep(step_id, call="consumer_foo_identity", library=library)
