"""``harness conda``: build the local channel or create a conda prefix from it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from harness import interpreters
from harness.conda import channel, cpython, prefix
from harness.conda.errors import CondaError
from harness.usage import UsageError
from harness.workdir import WorkDir


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="conda_command", required=True, metavar="ACTION")
    chan = sub.add_parser("channel", help="build (or reuse) the local channel and print its path")
    make = sub.add_parser("prefix", help="create a conda prefix at DEST from the cached template")
    make.add_argument("dest", type=Path, help="directory to create (must not exist)")
    make.add_argument(
        "--package",
        action="append",
        default=[],
        metavar="SPEC",
        help='extra conda package spec, e.g. "libfoo 1.*" (repeatable)',
    )
    make.add_argument(
        "--backend",
        choices=("auto", "rattler", "external"),
        default="auto",
        help="external = a real conda/mamba/micromamba that reaches a channel; auto picks it "
        "when available, else py-rattler on the local channel",
    )
    for each in (chan, make):
        each.add_argument("--python", default="current", help="interpreter version, e.g. 3.12")
        each.add_argument(
            "--libfoo-source",
            type=Path,
            default=None,
            help="libfoo CMake sources (default: wheels-src/libfoo)",
        )


def run(args: argparse.Namespace) -> int:
    workdir = WorkDir(Path(args.workdir) if args.workdir else None)
    try:
        interpreter = interpreters.find(args.python).executable
    except interpreters.InterpreterNotFoundError as error:
        raise UsageError(str(error)) from None
    try:
        if args.conda_command == "channel":
            source = args.libfoo_source or prefix.default_libfoo_source()
            built = channel.ensure_channel(workdir, cpython.inspect(interpreter), source)
            print(built.path)
            return 0
        made = prefix.create_prefix(
            workdir,
            interpreter,
            args.dest.resolve(),
            args.package,
            libfoo_source=args.libfoo_source,
            backend=args.backend,
        )
    except CondaError as error:
        print(f"harness conda: {error}", file=sys.stderr)
        return 1
    summary = {
        "prefix": str(made.path),
        "python": str(made.python),
        "backend": made.backend,
        "packages": list(made.packages),
    }
    print(json.dumps(summary, indent=2))
    return 0
