"""``harness build``: build and repair the wheel matrix for one or more interpreters.

After each interpreter's build the wheelhouse is linted (:mod:`harness.builder.lintcheck`);
a finding the catalogue does not expect, or an expected one that is missing, fails the
command with exit status 1.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from harness import interpreters, platforms
from harness.builder.catalogue import UnknownIdError, ids_on
from harness.builder.lintcheck import lint_wheelhouse
from harness.builder.matrix import BuildError, build_all
from harness.builder.staging import ProjectError
from harness.builder.toolchain import ToolMissingError
from harness.builder.wheelhouse import WheelhouseError
from harness.inspect import UnusableInputError
from harness.usage import UsageError
from harness.workdir import WorkDir


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--python",
        default="current",
        help="interpreter version(s) to build for, e.g. 3.12, 3.9,3.12 or oldest,newest "
        "(default: the running one)",
    )
    parser.add_argument(
        "--only",
        default=None,
        help="comma-separated wheel/prefix ids to build (plus what they need); "
        f"on {platforms.current().name}: {', '.join(ids_on(platforms.current()))}",
    )
    parser.add_argument(
        "--jobs", type=int, default=None, help="parallel builds (default: CPU count, at least 2)"
    )


def run(args: argparse.Namespace) -> int:
    workdir = WorkDir(Path(args.workdir) if args.workdir else None)
    only = [part.strip() for part in args.only.split(",") if part.strip()] if args.only else None
    for version in interpreters.expand_keywords(tuple(interpreters.parse_versions(args.python))):
        started = time.monotonic()
        try:
            interpreter = interpreters.find(version)
            house = build_all(workdir, interpreter, only, jobs=args.jobs)
        except (interpreters.InterpreterNotFoundError, UnknownIdError) as error:
            raise UsageError(str(error)) from None  # a bad --python or --only value
        except (
            ProjectError,
            ToolMissingError,
            BuildError,
        ) as error:
            print(f"harness build: {error}", file=sys.stderr)
            return 1
        print(
            f"harness build: {interpreter.tag}: {len(house.wheels)} wheels, "
            f"{len(house.prefixes)} prefixes in {house.directory} "
            f"({time.monotonic() - started:.1f} s)"
        )
        try:
            lint = lint_wheelhouse(house)
        except (UnusableInputError, WheelhouseError) as error:
            print(
                f"harness build: {interpreter.tag}: cannot lint the wheelhouse: {error}",
                file=sys.stderr,
            )
            return 1
        print(f"harness build: {interpreter.tag}: {lint.summary()}")
        if not lint.ok:
            for problem in lint.problems:
                print(f"harness build: {interpreter.tag}: lint: {problem}", file=sys.stderr)
            return 1
    return 0
