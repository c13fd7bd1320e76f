"""``lint_wheels``: the one entry point the CLI and the builder call."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from . import build_env as _build_env  # noqa: F401  (registers SLI014)
from . import links
from . import rules as _rules  # noqa: F401  (importing it registers the rules)
from .findings import Finding, run_rules
from .links import Role
from .loader_check import DEFAULT_ENTRIES
from .wheel import load

Roles = Mapping[Path, Role] | Mapping[str, Role] | Mapping[Path | str, Role]
"""Explicit roles by wheel path (``Mapping`` keys are invariant, hence the union)."""


def lint_wheels(
    paths: Iterable[Path | str],
    roles: Roles | None = None,
    *,
    select: Iterable[str] | None = None,
    loader_entries: Iterable[str] = DEFAULT_ENTRIES,
) -> list[Finding]:
    """Check ``paths`` together and return every finding (empty when clean).

    ``roles`` states roles explicitly (keys are the wheel paths); roles found from
    the dependencies between the wheels are added to them. Raises
    :class:`~harness.inspect.binary.UnusableInputError` naming the file for input that
    cannot be inspected. ``select`` limits the rules run (default: all);
    ``loader_entries`` are the names a producer package may bind for consumers to call.
    """
    resolved = [Path(p).resolve() for p in paths]
    stated: dict[Path, Role] = {Path(p).resolve(): r for p, r in (roles or {}).items()}
    for path in stated:
        if path not in resolved:
            resolved.append(path)
    wheels = [load(path) for path in dict.fromkeys(resolved)]
    graph = links.build(wheels, stated, tuple(loader_entries))
    return run_rules(graph, None if select is None else list(select))
