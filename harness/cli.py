"""``harness`` command line.

Each subcommand lives in the module of its concern and exposes
``add_arguments(parser)`` and ``run(args) -> int``; only the chosen one is imported,
so ``harness list`` does not pay for the builder or the inspectors.

Every usage fault ends here as one line and exit 2 (:mod:`harness.usage`): a bad option
value (argparse's own errors included), an unusable work dir, no checkout for a command
that builds the catalogue, an unknown scenario.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from harness import logged, workdir
from harness.usage import EXIT_USAGE, UsageError

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "build": ("harness.builder.command", "build and repair the wheel matrix into the wheelhouse"),
    "list": ("harness.scenarios.list_command", "list the scenarios and the cells they expand to"),
    "run": ("harness.scenarios.run_command", "run scenarios and write the report"),
    "lint": (
        "harness.inspect.command",
        "statically check producer/consumer wheels of any platform",
    ),
    "conda": ("harness.conda.command", "build the local conda channel and conda prefixes"),
    "report": ("harness.report.command", "merge the report.json of several runs into one report"),
    "check": ("harness.check.command", "check your own producer/consumer wheels in every layout"),
}


WORKDIR_COMMANDS = frozenset({"build", "run", "check", "conda"})
"""The commands that write into the work dir (checked before they start)."""

PASSTHROUGH_COMMANDS = frozenset({"run"})
"""The commands that hand what follows ``--`` to another program (``run``: to pytest)."""


class OneLineParser(argparse.ArgumentParser):
    """argparse, with its errors on one line instead of the whole usage (every subparser
    is made of this class too: ``add_subparsers`` uses the parser's own class)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def _global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workdir",
        default=None,
        help="work directory for caches, environments and reports "
        "(default: $HARNESS_WORKDIR or ./.harness)",
    )


def build_parser(command: str | None) -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="harness",
        description="Build producer/consumer wheels, install them into real layouts and prove "
        "from in-process evidence how their shared libraries load.",
    )
    _global_options(parser)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        if name == command:
            module = importlib.import_module(module_name)
            module.add_arguments(sub)
            sub.set_defaults(func=module.run)
    return parser


def _chosen_command(argv: Sequence[str]) -> str | None:
    for arg in argv:
        if arg in COMMANDS:
            return arg
    return None


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:  # the program itself, not a test calling main([...]) in-process
        # SIGTERM/SIGINT/SIGHUP: kill the children, unwind (scratch dirs are removed)
        logged.stop_on_signals()
    arguments = list(sys.argv[1:] if argv is None else argv)
    command = _chosen_command(arguments)
    parser = build_parser(command)
    after: list[str] = []
    if command in PASSTHROUGH_COMMANDS and "--" in arguments:
        # argparse takes words after `--` as more positionals, which it refuses once an
        # option stood between them and the scenario names (`run NAME --python X -- -x`)
        cut = arguments.index("--")
        arguments, after = arguments[:cut], arguments[cut + 1 :]
    args = parser.parse_args(arguments)
    args.passthrough = after
    try:
        if args.command in WORKDIR_COMMANDS:
            workdir.check_usable(Path(args.workdir) if args.workdir else workdir.default_root())
        result: int = args.func(args)
    except UsageError as error:
        print(f"harness {args.command}: {error.one_line()}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt as stop:
        name = str(stop) if str(stop).startswith("SIG") else "SIGINT"
        print(f"harness {args.command}: stopped by {name}", file=sys.stderr)
        return 128 + int(getattr(signal, name, signal.SIGINT))
    return result


if __name__ == "__main__":
    sys.exit(main())
