"""``harness run [SCENARIO...] [--python ...] [-- pytest args]``: run scenarios, write the report.

Runs pytest in-process with the scenario plugin on the scenarios directory and exits
with pytest's status. Positional words are scenario names until the first word that
starts with ``-``; from there on (normally after ``--``) everything goes to pytest.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys

import pytest

from harness import sandbox
from harness.scenarios import options, parse
from harness.scenarios.pluginload import plugin_args


def add_arguments(parser: argparse.ArgumentParser) -> None:
    options.add_selection_arguments(parser)
    parser.add_argument("-k", dest="keyword", metavar="EXPRESSION", help="pytest -k expression")
    parser.add_argument(
        "-n",
        dest="workers",
        metavar="N",
        help="cells run in parallel with pytest-xdist: a number, 'auto' (one worker per core; "
        "the default when pytest-xdist is installed) or 0 (in this process)",
    )
    parser.add_argument(
        "--sandbox",
        choices=sandbox.MODES,
        default=None,
        help="run each cell's probe in a bubblewrap sandbox (default: off, or $HARNESS_SANDBOX; "
        "the project's own scenarios are trusted code: docs/check.md)",
    )
    parser.add_argument(
        "scenario_args",
        nargs="*",
        metavar="SCENARIO",
        help="scenario names (default: all); then `-- PYTEST_ARGS...`",
    )


def split_positionals(words: list[str]) -> tuple[list[str], list[str]]:
    """Scenario names up to the first option-like word; the rest is for pytest."""
    for index, word in enumerate(words):
        if word.startswith("-"):
            return words[:index], words[index:]
    return words, []


def pytest_arguments(args: argparse.Namespace) -> list[str]:
    """The full pytest command line for these ``harness run`` arguments."""
    root = options.scenarios_root(args)
    names, passthrough = split_positionals(list(args.scenario_args))
    known = {path.parent.name for path in parse.discover(root)}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise SystemExit(
            f"harness run: unknown scenario {unknown[0]!r} in {root} "
            f"(known: {', '.join(sorted(known))}); pytest options go after `--`"
        )
    targets = [str(root / name) for name in names] or [str(root)]
    command = [*targets, *plugin_args(), "--import-mode=importlib"]
    selection = options.selection(args)
    for flag, values in (
        ("--python", selection.pythons),
        ("--layout", selection.layouts),
        ("--installer", selection.installers),
        ("--location", selection.locations),
    ):
        if values:
            command += [flag, ",".join(values)]
    if getattr(args, "workdir", None):
        command += ["--harness-workdir", str(args.workdir)]
    if args.keyword:
        command += ["-k", args.keyword]
    workers = args.workers or default_workers()
    if workers and workers != "0":
        command += ["-n", str(workers)]
    return [*command, *passthrough]


def default_workers() -> str | None:
    """``auto`` where pytest-xdist is installed: a warm cell is mostly a probe process, so
    cells on every core finish the matrix sooner (docs/benchmarks.md)."""
    return "auto" if importlib.util.find_spec("xdist") is not None else None


def run(args: argparse.Namespace) -> int:
    if args.sandbox:  # the pytest workers inherit it
        try:
            sandbox.choose(args.sandbox)
        except sandbox.SandboxUnavailableError as error:
            print(f"harness run: {error}", file=sys.stderr)
            return 2
        os.environ[sandbox.ENV_VAR] = args.sandbox
    command = pytest_arguments(args)
    print("pytest " + " ".join(command), file=sys.stderr)
    return int(pytest.main(command))
