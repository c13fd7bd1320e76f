"""Command-line options shared by ``harness list`` and ``harness run``.

A value no scenario could ever match (``--layout vnev``), or a scenarios directory that
holds no scenario, is a usage fault (:class:`~harness.usage.UsageError`: one line, exit
2), not an empty matrix.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from harness import interpreters, project
from harness.scenarios import parse
from harness.scenarios.cells import Selection, split_list
from harness.usage import UsageError
from harness.vocabulary import ALL_LOCATIONS, INSTALLERS, LAYOUT_KINDS, NATIVE_LOADERS


def add_selection_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--python",
        action="append",
        metavar="VERSIONS",
        help="interpreter versions, e.g. 3.9,3.13, or current, oldest, newest, all "
        "(of the CPython versions found here; default: the running one)",
    )
    parser.add_argument(
        "--layout",
        action="append",
        metavar="KINDS",
        help="only these layout kinds (venv, conda, native)",
    )
    parser.add_argument(
        "--installer",
        action="append",
        metavar="NAMES",
        help="only these installers (uv, pip) or, for native cells, loaders (glibc, musl, wine)",
    )
    parser.add_argument(
        "--location",
        action="append",
        metavar="LABELS",
        help=f"only scenarios using one of these locations ({', '.join(ALL_LOCATIONS)})",
    )
    parser.add_argument(
        "--scenarios",
        type=Path,
        default=None,
        metavar="DIR",
        help="directory of scenario directories (default: scenarios/ of the checkout)",
    )


def _known(option: str, values: tuple[str, ...], allowed: tuple[str, ...]) -> tuple[str, ...]:
    for value in values:
        if value not in allowed:
            raise UsageError(f"{option} {value!r}: expected one of {', '.join(allowed)}")
    return values


def selection(args: argparse.Namespace) -> Selection:
    """The filters of the command line, each value checked against what exists."""
    pythons = split_list(args.python)
    for word in pythons:
        if not interpreters.is_version_word(word):
            raise UsageError(
                f"--python {word!r}: expected versions like 3.12 or one of "
                f"{', '.join(interpreters.KEYWORDS)}"
            )
    return Selection(
        pythons=pythons,
        layouts=_known("--layout", split_list(args.layout), LAYOUT_KINDS),
        installers=_known(
            "--installer",
            split_list(args.installer),
            tuple(dict.fromkeys((*INSTALLERS, *NATIVE_LOADERS))),
        ),
        locations=_known("--location", split_list(args.location), ALL_LOCATIONS),
    )


def scenarios_root(args: argparse.Namespace) -> Path:
    """``--scenarios DIR`` (checked to hold scenarios), else the checkout's ``scenarios/``
    (:class:`~harness.project.ProjectRootNotFoundError` outside a checkout)."""
    if not args.scenarios:
        return project.scenarios_dir()
    root: Path = args.scenarios.resolve()
    if not root.is_dir():
        raise UsageError(
            f"--scenarios {args.scenarios}: no such directory (give a directory holding "
            "one <name>/scenario.toml per scenario)"
        )
    if not parse.discover(root):
        raise UsageError(
            f"--scenarios {args.scenarios}: no <name>/{parse.SCENARIO_FILE} in {root} "
            "(docs/adding-a-scenario.md)"
        )
    return root
