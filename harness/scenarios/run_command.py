"""``harness run [SCENARIO...] [--python ...] [-- pytest args]``: run scenarios, write the report.

Runs pytest in-process with the scenario plugin on the scenarios directory and exits
with pytest's status. Positional words are scenario names until the first word that
starts with ``-``; from there on (normally after ``--``) everything goes to pytest.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from harness import faults, project, sandbox
from harness.scenarios import checkout, options, parse
from harness.scenarios.cell_runner import DEFAULT_PROBE_TIMEOUT, PROBE_TIMEOUT_VAR, probe_timeout
from harness.scenarios.cells import expand
from harness.scenarios.pluginload import plugin_args
from harness.usage import EXIT_USAGE, UsageError
from harness.workdir import WorkDir, default_root

ALREADY_IMPORTED = "Module already imported so cannot be rewritten; harness"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    options.add_selection_arguments(parser)
    parser.add_argument("-k", dest="keyword", metavar="EXPRESSION", help="pytest -k expression")
    parser.add_argument(
        "-n",
        dest="workers",
        metavar="N",
        help="cells run in parallel with pytest-xdist: a number, 'auto' (one worker per core) "
        "or 0 (in this process); default where pytest-xdist is installed: one worker per core "
        "but no more than cells, and none for one cell",
    )
    parser.add_argument(
        "--sandbox",
        choices=sandbox.MODES,
        default=None,
        help="run each cell's probe in a bubblewrap sandbox (default: off, or $HARNESS_SANDBOX; "
        "the project's own scenarios are trusted code: docs/check.md)",
    )
    parser.add_argument(
        "--probe-timeout",
        metavar="SECONDS",
        default=None,
        help=f"seconds a cell's probe may run before the cell is an error of kind timeout "
        f"listing its processes (default: {DEFAULT_PROBE_TIMEOUT:g}, or ${PROBE_TIMEOUT_VAR})",
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
    passthrough += getattr(args, "passthrough", [])  # what followed `--` (harness.cli)
    known = {path.parent.name for path in parse.discover(root)}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise UsageError(
            f"unknown scenario {unknown[0]!r} in {root} "
            f"(known: {', '.join(sorted(known))}); pytest options go after `--`"
        )
    selection = options.selection(args)
    cells = 0
    for scenario in parse.load_all(root, on_error=lambda _error: None):
        if (names and scenario.name not in names) or not selection.wants_scenario(scenario):
            continue  # (a broken scenario is reported by its pytest item, with the cells)
        problem = checkout.problem(scenario)
        if problem is not None:
            raise UsageError(problem)
        cells += len(expand(scenario, selection))
    targets = [str(root / name) for name in names] or [str(root)]
    command = [*targets, *plugin_args(), "--import-mode=importlib"]
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
    # pytest's cache goes into the work dir, not beside a maintainer's scenario directory
    workdir = workdir_root(args).resolve()
    command += ["-o", f"cache_dir={workdir / 'pytest-cache'}", *own_config(root, workdir)]
    # an installed (not editable) harness: pytest would rewrite the plugin's distribution,
    # imported long before by this very command, and warn about it in every run
    command += ["-W", f"ignore:{ALREADY_IMPORTED}:pytest.PytestAssertRewriteWarning"]
    if args.keyword:
        command += ["-k", args.keyword]
    if args.workers and not (args.workers.isdigit() or args.workers in ("auto", "logical")):
        raise UsageError(f"-n {args.workers!r}: expected a number, auto or logical")
    workers = args.workers or default_workers(cells)
    if workers and workers != "0":
        command += ["-n", str(workers), "--dist", "loadgroup"]  # a cell's items on one worker
    return [*command, *passthrough]


def workdir_root(args: argparse.Namespace) -> Path:
    """The work dir this run uses: ``--workdir``, else ``$HARNESS_WORKDIR`` or ``./.harness``."""
    return Path(args.workdir) if getattr(args, "workdir", None) else default_root()


OWN_CONFIG = "pytest-own-scenarios.ini"
"""An empty pytest configuration in the work dir (written by :func:`run`)."""


def own_config(root: Path, workdir: Path) -> list[str]:
    """pytest options that keep a scenario directory outside this checkout apart from
    the pytest configuration and ``conftest.py`` files of the repository around it (a
    maintainer's ``addopts`` or fixtures are not the harness's)."""
    try:
        inside = root.is_relative_to(project.root())
    except project.ProjectRootNotFoundError:
        inside = False
    if inside:
        return []
    return ["-c", str(workdir / OWN_CONFIG), "--rootdir", str(root), "--confcutdir", str(root)]


AUTO_WORKERS_VAR = "PYTEST_XDIST_AUTO_NUM_WORKERS"
"""pytest-xdist's own setting of what ``-n auto`` means; where set, the harness passes ``auto``."""


def default_workers(cells: int) -> str | None:
    """One xdist worker per core (``auto``) where pytest-xdist is installed, but no more
    workers than cells, and none for one cell: a warm cell is mostly a probe process, so
    cells on every core finish the matrix sooner, but each worker first imports pytest and
    the harness and collects the matrix (about 1 s of CPU), and one with no cell to run
    only costs that (docs/benchmarks.md)."""
    if importlib.util.find_spec("xdist") is None or cells <= 1:
        return None
    if AUTO_WORKERS_VAR in os.environ or cells >= usable_cores():
        return "auto"  # pytest-xdist counts (or the variable says)
    return str(cells)


def usable_cores() -> int:
    """The cores this process may run on: what ``-n auto`` counts without psutil."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def run(args: argparse.Namespace) -> int:
    if args.probe_timeout is not None:  # checked here, read by the pytest workers
        os.environ[PROBE_TIMEOUT_VAR] = str(probe_timeout(args.probe_timeout))
    if args.sandbox:  # the pytest workers inherit it
        try:
            sandbox.choose(args.sandbox)
        except sandbox.SandboxUnavailableError as error:
            print(f"harness run: {error}", file=sys.stderr)
            return 2
        os.environ[sandbox.ENV_VAR] = args.sandbox
    command = pytest_arguments(args)
    for before, word in zip(command, command[1:]):
        if before == "-c" and Path(word).name == OWN_CONFIG:  # ours, not one after `--`
            Path(word).parent.mkdir(parents=True, exist_ok=True)
            Path(word).write_text("[pytest]\n", encoding="utf-8")
    # pytest's temporary directories go into the work dir too: its default,
    # /tmp/pytest-of-<user>, is outside it, and every session there deletes the oldest
    # sessions' trees on its way out (a whole test suite's, when a run follows the tests)
    scratch = workdir_root(args)
    try:
        basetemp = Path(tempfile.mkdtemp(prefix="pytest-", dir=WorkDir(scratch).tmp))
    except OSError as error:
        fault = faults.storage_fault(scratch, str(error)) or faults.of_error(error) or str(error)
        raise UsageError(
            f"cannot write into the work dir {scratch}: {fault}; make room or make it "
            "writable, or choose another with --workdir or $HARNESS_WORKDIR"
        ) from None
    command = ["--basetemp", str(basetemp), *command]  # one given after `--` still wins
    print("pytest " + " ".join(command), file=sys.stderr)
    try:
        status = int(pytest.main(command))
    finally:
        shutil.rmtree(basetemp, ignore_errors=True)
    # pytest's own usage error (a bad option after `--`, a bad -k expression) is one too
    return EXIT_USAGE if status == pytest.ExitCode.USAGE_ERROR else status
