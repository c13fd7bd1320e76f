"""``harness`` command line: one subcommand per concern, each registered by its own module."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Each module defines ``register(subparsers)``, which adds its subcommand(s) and sets
# ``func(args) -> int`` as the parser default.
COMMAND_MODULES: tuple[str, ...] = ()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="harness",
        description="Build producer/consumer wheels, install them into real layouts and prove "
        "from in-process evidence how their shared libraries load.",
    )
    parser.add_argument(
        "--workdir",
        default=None,
        help="work directory for caches, environments and reports (default: $HARNESS_WORKDIR or ./.harness)",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
