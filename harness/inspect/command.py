"""``harness lint WHEEL... [--producer W] [--consumer W] [--select/--ignore IDS]
[--baseline FILE] [--write-baseline FILE] [--loader-entry NAME] [--config PYPROJECT] [--json]
[-v]``
and ``harness lint --library FILE [--expected-name NAME]``.

Exit status: 0 clean, 1 findings, 2 unusable input (or configuration).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import config
from .binary import UnusableInputError
from .library_check import check_library
from .links import Role
from .lint import lint_wheels
from .report import as_json, grouped, table

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
    parser.add_argument(
        "--select",
        action="append",
        default=[],
        metavar="IDS",
        help="run only these rules (comma-separated ids, repeatable)",
    )
    parser.add_argument(
        "--ignore", action="append", default=[], metavar="IDS", help="do not run these rules"
    )
    parser.add_argument(
        "--baseline", type=Path, metavar="FILE", help="JSON file of accepted findings to leave out"
    )
    parser.add_argument(
        "--write-baseline",
        type=Path,
        metavar="FILE",
        help="accept every current finding: write them to FILE and exit 0",
    )
    parser.add_argument(
        "--loader-entry",
        action="append",
        default=[],
        metavar="NAME",
        help="a name the producer package binds for consumers to call before import "
        "(besides 'loader' and 'load_library'; repeatable)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        metavar="PYPROJECT",
        help="read [tool.harness.lint] from this file (default: ./pyproject.toml if present)",
    )
    parser.add_argument(
        "--library",
        type=Path,
        metavar="FILE",
        help="check one library file instead of wheels: can preloading it satisfy consumers?",
    )
    parser.add_argument(
        "--expected-name",
        metavar="NAME",
        help="with --library: the file name consumers ask for (default: the file's name)",
    )
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="print every finding (default: grouped by rule and wheel, one example each)",
    )


def _library(args: argparse.Namespace) -> int:
    try:
        problems = check_library(args.library, args.expected_name)
    except UnusableInputError as error:
        print(f"harness lint: unusable input: {error}", file=sys.stderr)
        return EXIT_UNUSABLE
    for problem in problems:
        print(problem)
    if not problems:
        print(f"{args.library}: preloading it satisfies consumers that ask for its name")
    return EXIT_FINDINGS if problems else EXIT_CLEAN


def _settings(args: argparse.Namespace) -> config.LintConfig:
    pyproject = args.config
    if pyproject is None and Path("pyproject.toml").is_file():
        pyproject = Path("pyproject.toml")
    base = config.from_pyproject(pyproject) if pyproject is not None else config.LintConfig()
    return config.merged(base, args.select, args.ignore, args.baseline, args.loader_entry)


def run(args: argparse.Namespace) -> int:
    if args.library is not None:
        if args.wheels or args.producer or args.consumer:
            print("harness lint: --library checks one file; give no wheels", file=sys.stderr)
            return EXIT_UNUSABLE
        return _library(args)
    roles: dict[Path | str, Role] = {}
    for path in args.producer:
        roles[path] = "producer"
    for path in args.consumer:
        roles[path] = "consumer"
    if not args.wheels and not roles:
        print("harness lint: give at least one wheel (or --library FILE)", file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        settings = _settings(args)
        findings = lint_wheels(
            args.wheels,
            roles,
            select=settings.selected(),
            loader_entries=settings.loader_entries,
        )
        if args.write_baseline is not None:
            config.write_baseline(args.write_baseline, findings)
            print(f"wrote {len(findings)} accepted finding(s) to {args.write_baseline}")
            return EXIT_CLEAN
        if settings.baseline is not None:
            findings = config.without_accepted(findings, config.read_baseline(settings.baseline))
    except UnusableInputError as error:
        print(f"harness lint: unusable input: {error}", file=sys.stderr)
        return EXIT_UNUSABLE
    if args.json:
        print(as_json(findings))
    else:
        print(table(findings) if args.verbose else grouped(findings))
    return EXIT_FINDINGS if findings else EXIT_CLEAN
