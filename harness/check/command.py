"""``harness check WHEEL_OR_DIR...``: run a producer/consumer family through the layout matrix.

Reads the wheels, resolves their requirements among them, infers roles and preloads,
builds one in-memory scenario per layout of the standard matrix and runs each with
:meth:`CellRunner.run_cell`, so verdicts and reports are those of ``harness run``.
Exit status: 0 every cell passed, 1 a cell failed, 2 the input cannot be checked.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import sysconfig
import traceback
import zipfile
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import interpreters, logged, report, sandbox
from harness.check import family as families
from harness.check import matrix, outcome
from harness.check.needs import shared_names
from harness.check.preload_probe import probe_preloads
from harness.check.screen import describe, failure_details, matrix_lines
from harness.evidence import Evidence, location_label
from harness.scenarios.cell_runner import DEFAULT_PROBE_TIMEOUT, CellRunner
from harness.scenarios.cells import Cell
from harness.scenarios.verdict import Cause, CellFailedError, CellVerdict, verdict_for
from harness.vocabulary import CONDA_LIB, INSTALLERS
from harness.workdir import Run, WorkDir

EXIT_PASSED, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _what_arguments(parser)
    _where_arguments(parser)
    _how_arguments(parser)


def _what_arguments(parser: argparse.ArgumentParser) -> None:
    """The wheels and what each cell does with them."""
    parser.add_argument(
        "wheels",
        nargs="+",
        type=Path,
        metavar="WHEEL_OR_DIR_OR_SPEC",
        help="wheel files, directories, or requirement specifiers (NAME==VERSION: the wheels "
        "and their dependencies are downloaded into the work dir's cache)",
    )
    parser.add_argument(
        "--import",
        dest="imports",
        action="append",
        default=[],
        metavar="MODULE",
        help="module to import in each cell (default: each consumer extension that links "
        "a producer library)",
    )
    parser.add_argument(
        "--load",
        dest="loads",
        action="append",
        default=[],
        metavar="PATH_IN_WHEEL",
        help="library to dlopen in each cell, as installed (nvidia/cusparse/lib/libcusparse.so.12)",
    )
    parser.add_argument(
        "--preload",
        action="append",
        default=[],
        metavar="MODULE[:FUNCTION]",
        help="how the producer preloads (import MODULE, or call MODULE.FUNCTION) when it "
        "cannot be found; runs before every cell's steps",
    )
    parser.add_argument("--producer", action="append", default=[], metavar="DIST")
    parser.add_argument("--consumer", action="append", default=[], metavar="DIST")


def _where_arguments(parser: argparse.ArgumentParser) -> None:
    """The interpreters, layouts and installer of the matrix, and where wheels come from."""
    parser.add_argument(
        "--python",
        action="append",
        default=[],
        metavar="VERSION",
        help="interpreter version(s), e.g. 3.12 or 3.12,3.13 (default: the wheels' cpXY tag)",
    )
    parser.add_argument(
        "--layout",
        action="append",
        default=[],
        metavar="NAME",
        help="run only these layouts of the matrix (venv, producer-target, consumer-target, "
        "producer-user, consumer-user)",
    )
    parser.add_argument("--installer", default="uv", choices=INSTALLERS)
    parser.add_argument(
        "--conda",
        action="store_true",
        help="add conda cells: every wheel in a conda prefix that also holds another copy of "
        "each producer library in $CONDA_PREFIX/lib (with and without the preloads)",
    )
    parser.add_argument(
        "--find-links",
        action="append",
        default=[],
        type=Path,
        metavar="DIR",
        help="directory of wheels that may satisfy requirements",
    )
    parser.add_argument(
        "--index",
        action="store_true",
        help="download missing requirements from the package index (pip download)",
    )


def _how_arguments(parser: argparse.ArgumentParser) -> None:
    """How cells run and are judged, and where their report goes."""
    parser.add_argument(
        "--strict-symbols",
        action="store_true",
        help="fail a cell whose producer library symbols are global (default: a warning)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=max(2, os.cpu_count() or 1),
        help="cells run side by side (default: CPU count, at least 2)",
    )
    parser.add_argument(
        "--sandbox",
        choices=sandbox.MODES,
        default="auto",
        help="run each cell's probe in a bubblewrap sandbox: no network, the host read-only, "
        "an empty home (auto: where available, the default; on: exit 2 where not)",
    )
    parser.add_argument(
        "--probe-timeout",
        type=float,
        default=DEFAULT_PROBE_TIMEOUT,
        metavar="SECONDS",
        help=f"seconds a cell's probe may run before the cell is an error of kind timeout "
        f"listing its processes (default: {DEFAULT_PROBE_TIMEOUT:g})",
    )
    parser.add_argument(
        "--allow-unexercised",
        action="store_true",
        help="a cell whose steps load no consumer binary passes (default: it fails as "
        "'nothing exercised', naming the --load/--import that would exercise them)",
    )
    parser.add_argument("--report-dir", type=Path, default=None)
    parser.add_argument("--json", action="store_true", help="print report.json to stdout")
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="print every failed expectation with its evidence (the reports always have them)",
    )


def _fail(message: str) -> int:
    print(f"harness check: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def pythons(args: argparse.Namespace) -> list[str]:
    """``--python 3.11,3.12`` (repeatable), else the wheels' ``cpXY`` tag, else the running one."""
    given = [v.strip() for text in args.python or () for v in text.split(",") if v.strip()]
    for word in given:  # a bad option value before any input is read
        if not interpreters.is_version_word(word):
            raise families.CheckInputError(f"--python {word!r}: expected versions like 3.12")
    if given:
        return list(dict.fromkeys(given))
    paths = families.wheel_files(list(args.wheels), "input")
    return [families.default_python(paths) or interpreters.running_version()]


def load_family(args: argparse.Namespace, workdir: WorkDir, python: str) -> families.Family:
    """The family of the command line for ``python``, or :class:`CheckInputError`."""
    paths = families.wheel_files(list(args.wheels), "input")
    wheels, given, requires = families.resolve(
        paths,
        list(args.find_links),
        python,
        index_dir=workdir.cache / "check-downloads" if args.index else None,
    )
    return families.analyse(
        wheels,
        given,
        requires,
        producers=args.producer,
        consumers=args.consumer,
        python=python,
    )


@dataclass(frozen=True)
class LoadModeSeen:
    """One producer library copy's load mode, by its location label."""

    origin: str
    sampled: tuple[str, ...]
    global_names: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"origin": self.origin, "sampled": self.sampled, "global": self.global_names}

    def warning(self) -> str:
        return (
            f"{self.origin}: {', '.join(self.global_names)} global "
            "(loaded RTLD_GLOBAL: other libraries' symbols may bind to it)"
        )


@dataclass(frozen=True)
class CellResult:
    placement: matrix.Placement
    verdict: CellVerdict
    load_modes: tuple[LoadModeSeen, ...] = ()

    @property
    def warnings(self) -> list[str]:
        return [mode.warning() for mode in self.load_modes if mode.global_names]


def load_modes(evidence: Evidence, locations: dict[str, Path]) -> tuple[LoadModeSeen, ...]:
    return tuple(
        LoadModeSeen(location_label(mode.path, locations), mode.sampled, mode.global_names)
        for mode in evidence.load_modes
    )


def add_conda_copies(runner: CellRunner, cell: Cell, family: families.Family) -> None:
    """Put another copy of each producer library into the cell's ``$CONDA_PREFIX/lib``
    before it is probed (the layout is made now; ``run_cell`` then reuses it)."""
    try:
        environment = runner.environment(cell)
    except CellFailedError:
        return  # run_cell reports why the layout cannot be made
    directory = environment.layout.location(CONDA_LIB)
    for library in family.libraries:
        with zipfile.ZipFile(library.wheel.path) as archive:
            data = archive.read(library.member)
        target = directory / library.file_name
        target.unlink(missing_ok=True)
        target.write_bytes(data)
        target.chmod(0o755)


def run_matrix(
    family: families.Family,
    probing: matrix.Probing,
    workdir: WorkDir,
    *,
    installer: str,
    layouts: Sequence[str] = (),
    jobs: int = 1,
    conda: bool = False,
    probe_timeout: float = DEFAULT_PROBE_TIMEOUT,
    allow_unexercised: bool = False,
) -> list[CellResult]:
    """Run every selected layout's cell: the verdicts and the load modes seen."""
    # a run of its own, never one named by an inherited $HARNESS_RUN_ID: two checks
    # started from one process's environment would otherwise share cell directories
    runner = CellRunner(workdir, Run.new(workdir), probe_timeout=probe_timeout)
    root = workdir.root / "check"
    every = matrix.placements(family) + (matrix.conda_placements(family, probing) if conda else [])
    chosen = [
        placement
        for placement in every
        if not layouts
        or any(placement.name == name or placement.name.startswith(f"{name}-") for name in layouts)
    ]

    def run_one(placement: matrix.Placement) -> CellResult:
        # conda prefixes install wheels with their own pip
        used = "pip" if placement.kind == "conda" else installer
        scenario = matrix.scenario(family, placement, probing, root, used)
        cell = Cell(scenario, family.python, placement.kind, used)
        try:
            if placement.conda_copies:
                add_conda_copies(runner, cell, family)
            verdict = runner.run_cell(cell)
        except Exception as error:  # a defect, not the cell's failure: keep the other cells
            verdict = verdict_for(cell)
            verdict.status = "error"
            verdict.cause = Cause(
                "layout",
                f"unexpected {type(error).__name__}: {error}",
                fix="rerun with --jobs 1 and report it with the traceback",
                details=tuple(traceback.format_exc().splitlines()[-8:]),
            )
            return CellResult(placement, verdict)
        facts = outcome.facts(family, placement, probing)
        if verdict.status not in ("passed", "failed"):
            outcome.judge(facts, verdict, None, lambda _path: None)
            return CellResult(placement, verdict)
        try:
            environment = runner.environment(cell)  # made and probed already: cached
            evidence = environment.evidence()
            seen = load_modes(evidence, environment.layout.locations)
        except CellFailedError:
            return CellResult(placement, verdict)
        outcome.judge(
            facts,
            verdict,
            evidence,
            environment.layout.locator(),
            allow_unexercised=allow_unexercised,
            cell_root=environment.layout.root,
        )
        return CellResult(placement, verdict, seen)

    sysconfig.get_config_vars()  # its lazy first initialisation is not thread-safe
    # cells are independent (own directories; templates are created atomically) and spend
    # their time waiting for installers and probe processes: run them side by side
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    futures: list[Future[CellResult]] = []
    try:
        for placement in chosen:
            futures.append(pool.submit(run_one, placement))
    finally:
        logged.wait_for_jobs(pool, futures)
    results = [future.result() for future in futures]
    # release the run's lock file (held open otherwise while an in-process caller lives);
    # the cells stay to inspect until a later run on the work dir sweeps them
    runner.run.finish(keep_cells=True)
    return results


def prepare(
    args: argparse.Namespace, workdir: WorkDir, python: str
) -> tuple[families.Family, matrix.Probing]:
    """The family and what its cells do, for one interpreter; CheckInputError if unusable."""
    family = load_family(args, workdir, python)
    preloads = [families.parse_preload(text) for text in args.preload]

    def probing_of(family: families.Family) -> matrix.Probing:
        return matrix.default_probing(
            family,
            imports=args.imports,
            loads=args.loads,
            preloads=preloads,
            strict_symbols=args.strict_symbols,
        )

    probing = probing_of(family)
    if not probing.imports and not probing.loads:
        raise families.CheckInputError(
            "nothing to run: no consumer binary links a producer library; "
            "name what to test with --import MODULE or --load PATH_IN_WHEEL"
        )
    for path in probing.loads:
        try:
            matrix.owner(family, path)
        except LookupError:
            raise families.CheckInputError(
                f"--load {path}: no wheel of the family installs this file "
                "(give the path as installed, e.g. pkg/lib/libx.so.1)"
            ) from None
    if not preloads and any(family.preloads.get(w.path) is None for w in family.producers):
        # the input is sound: now one probe may find preloads the source does not show
        family = probe_preloads(family, workdir, args.installer)
        probing = probing_of(family)
    return family, probing


def fetch_specifiers(args: argparse.Namespace, workdir: WorkDir) -> None:
    """Replace ``NAME==VERSION`` inputs by the directory their wheels (with dependencies)
    were downloaded into, in the work dir's cache."""
    texts = [str(path) for path in args.wheels]
    specifiers = families.specifiers_of(texts)
    if not specifiers:
        return
    requirements = [requirement for _text, requirement in specifiers]
    given = [v.strip() for text in args.python or () for v in text.split(",") if v.strip()]
    python = given[0] if given else interpreters.running_version()
    directory = families.download_family(requirements, python, workdir.cache)
    named = {text for text, _requirement in specifiers}
    args.wheels = [Path(t) for t in texts if t not in named] + [directory]
    if not given:
        args.python = [python]


def run(args: argparse.Namespace) -> int:
    if args.probe_timeout <= 0:
        return _fail(f"--probe-timeout {args.probe_timeout:g}: give a positive number of seconds")
    try:
        with sandbox.using(args.sandbox) as chosen:
            out = sys.stderr if args.json else sys.stdout
            reason = "" if chosen or args.sandbox == "off" else f" ({sandbox.availability()[1]})"
            print(f"sandbox: {'on' if chosen else 'off'}{reason}", file=out)
            return _run(args)
    except sandbox.SandboxUnavailableError as error:
        return _fail(str(error))


def _run(args: argparse.Namespace) -> int:
    workdir = WorkDir(Path(args.workdir) if args.workdir else None)
    prepared: list[tuple[families.Family, matrix.Probing]] = []
    try:
        fetch_specifiers(args, workdir)
        for python in pythons(args):
            prepared.append(prepare(args, workdir, python))
            interpreters.find(python)
    except families.CheckInputError as error:
        return _fail(str(error))
    except interpreters.InterpreterNotFoundError as error:
        return _fail(f"{error}; install it or pass --python with an available version")
    out = sys.stderr if args.json else sys.stdout
    several = len(prepared) > 1
    verdicts: list[CellVerdict] = []
    sections: list[tuple[families.Family, list[CellResult]]] = []
    warnings: dict[str, list[str]] = {}
    for family, probing in prepared:
        for line in describe(family, probing):
            print(line, file=out)
        results = run_matrix(
            family,
            probing,
            workdir,
            installer=args.installer,
            layouts=args.layout,
            jobs=args.jobs,
            conda=args.conda,
            probe_timeout=args.probe_timeout,
            allow_unexercised=args.allow_unexercised,
        )
        if not results:
            return _fail(f"--layout {args.layout}: no layout of the matrix has that name")
        sections.append((family, results))
        verdicts += [result.verdict for result in results]
        for result in results:
            if result.warnings:
                key = (
                    f"{result.placement.name} ({family.python})"
                    if several
                    else result.placement.name
                )
                warnings[key] = result.warnings
    directory = args.report_dir or workdir.reports / "check"
    paths = report.write(verdicts, directory)
    _print_matrices(sections, args, out)
    for name, found in warnings.items():
        for line in found:
            print(f"warning: {name}: {line}", file=out)
    print(f"report: {paths['html']} (also {paths['md'].name}, {paths['json'].name})", file=out)
    if args.json:
        document: dict[str, Any] = report.document(verdicts)
        document["check"] = _check_document(sections, warnings)
        print(json.dumps(document, indent=2, sort_keys=True))
    failed = any(v.status in ("failed", "error") for v in verdicts)
    return EXIT_FAILED if failed else EXIT_PASSED


def _print_matrices(
    sections: list[tuple[families.Family, list[CellResult]]], args: argparse.Namespace, out: Any
) -> None:
    """Each Python's matrix, and with ``--verbose`` every failure's details."""
    for family, results in sections:
        rows = [(result.placement, result.verdict) for result in results]
        print(f"matrix (Python {family.python}, {args.installer}):", file=out)
        shown = {r.placement.name: r.warnings for r in results if r.warnings}
        for line in matrix_lines(rows, shown):
            print(line, file=out)
        for placement, verdict in rows:
            if args.verbose:
                print("", file=out)
                for line in failure_details(placement, verdict):
                    print(line, file=out)


def _check_document(
    sections: list[tuple[families.Family, list[CellResult]]], warnings: dict[str, list[str]]
) -> dict[str, Any]:
    """The ``check`` table of ``--json``: the family per Python, warnings, shared names, modes."""
    return {
        "pythons": [family.python for family, _ in sections],
        "wheels": {
            family.python: {w.path.name: family.role(w) for w in family.wheels}
            for family, _ in sections
        },
        "warnings": warnings,
        "shared_names": {
            family.python: {
                own: [f"{path} ({wheel.dist})" for wheel, path in shipped]
                for own, shipped in shared_names(family.wheels).items()
            }
            for family, _ in sections
        },
        "load_modes": {
            r.placement.name: [
                {**mode.to_json(), "python": family.python}
                for family, results in sections
                for r2 in results
                if r2.placement.name == r.placement.name
                for mode in r2.load_modes
            ]
            for _, results in sections
            for r in results
        },
    }
