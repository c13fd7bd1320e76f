"""``harness lint WHEEL... [--producer W] [--consumer W] [--json]``.

Exit status: 0 clean, 1 findings, 2 unusable input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .binary import UnusableInputError
from .links import Role
from .lint import lint_wheels
from .report import as_json, table

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_UNUSABLE = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("wheels", nargs="*", type=Path, metavar="WHEEL", help="wheels to check")
    parser.add_argument(
        "--producer",
        action="append",
        default=[],
        type=Path,
        metavar="WHEEL",
        help="treat WHEEL as a producer even if no other wheel depends on it (repeatable)",
    )
    parser.add_argument(
        "--consumer",
        action="append",
        default=[],
        type=Path,
        metavar="WHEEL",
        help="treat WHEEL as a consumer: it must depend on a producer library (repeatable)",
    )
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")


def run(args: argparse.Namespace) -> int:
    roles: dict[Path | str, Role] = {}
    for path in args.producer:
        roles[path] = "producer"
    for path in args.consumer:
        roles[path] = "consumer"
    if not args.wheels and not roles:
        print("harness lint: give at least one wheel", file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        findings = lint_wheels(args.wheels, roles)
    except UnusableInputError as error:
        print(f"harness lint: unusable input: {error}", file=sys.stderr)
        return EXIT_UNUSABLE
    print(as_json(findings) if args.json else table(findings))
    return EXIT_FINDINGS if findings else EXIT_CLEAN
