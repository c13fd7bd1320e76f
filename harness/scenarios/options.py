"""Command-line options shared by ``harness list`` and ``harness run``."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness import project
from harness.scenarios.cells import Selection, split_list
from harness.vocabulary import ALL_LOCATIONS


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


def selection(args: argparse.Namespace) -> Selection:
    return Selection(
        pythons=split_list(args.python),
        layouts=split_list(args.layout),
        installers=split_list(args.installer),
        locations=split_list(args.location),
    )


def scenarios_root(args: argparse.Namespace) -> Path:
    root: Path = args.scenarios.resolve() if args.scenarios else project.scenarios_dir()
    return root
