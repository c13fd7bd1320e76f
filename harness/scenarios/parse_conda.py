"""``[conda] packages``: match specs a conda layout's prefix holds besides python and pip."""

from __future__ import annotations

import re

from harness.scenarios.parse_table import Table, known

_CONDA_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


_CONDA_IMPLICIT = frozenset({"python", "pip"})
"""Packages every conda layout installs itself (python at the cell's version, pip)."""


CONDA_LAYOUT = "conda"


def _conda_name(spec: str) -> str:
    """The package name of a match spec: ``"conda-forge::libfoo 1.*"`` -> ``"libfoo"``."""
    first = spec.strip().split(" ", 1)[0]
    return first.split("::")[-1].split("[", 1)[0]


def _conda_spec_problem(spec: str) -> tuple[str, str] | None:
    """``(what is wrong, fix)`` for an unusable conda match spec, ``None`` for a good one."""
    usage = 'write "name [version [build]]", e.g. "libfoo 1.*"'
    name = _conda_name(spec)
    if not _CONDA_NAME_RE.match(name):
        return f"{spec!r} does not start with a conda package name", usage
    if name.lower() in _CONDA_IMPLICIT:
        return (
            f"{name!r} is always in the prefix, at the cell's own version",
            "remove it: the cell's --python decides the python version",
        )
    try:
        from rattler import MatchSpec  # noqa: PLC0415 - only scenarios with [conda] need it
    except ImportError:  # the name check above is all that can be done without py-rattler
        return None
    try:
        MatchSpec(spec)
    except Exception as error:  # py-rattler raises its own InvalidMatchSpecError
        return f"{spec!r} is not a conda match spec ({error})", usage
    return None


def conda_table(top: Table, layouts: tuple[str, ...]) -> tuple[str, ...]:
    fix = 'write `[conda]` with `packages = ["libfoo 1.*"]` (conda match specs)'
    table = top.sub("conda", fix)
    if table is None:
        return ()
    if layouts != (CONDA_LAYOUT,):
        top.problem(
            "conda",
            f"conda packages need a conda prefix, but `layouts` is {list(layouts)}",
            f'set `layouts = ["{CONDA_LAYOUT}"]` or remove the [conda] table '
            "(a venv cell would silently run without the packages)",
        )
    raw = table.data.get("packages")
    packages = table.strings("packages", (), fix)
    if raw is None:
        table.problem("packages", "is missing", fix)
    elif raw == []:
        table.problem("packages", "is empty", "list at least one match spec or remove [conda]")
    names: set[str] = set()
    for spec in packages:
        problem = _conda_spec_problem(spec)
        if problem is not None:
            table.problem("packages", *problem)
            continue
        name = _conda_name(spec).lower()
        if name in names:
            table.problem(
                "packages",
                f"package {name!r} is listed twice",
                "give one match spec per package (a prefix holds one version of each)",
            )
        names.add(name)
    table.finish(known("packages"))
    return tuple(packages)
