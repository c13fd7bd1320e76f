"""Turn a cell into a verdict: build wheels, create the layout, run the probe, judge.

One :class:`CellRunner` lives per pytest process (per xdist worker). It builds the
wheelhouse once per interpreter (a file lock makes concurrent workers wait for the
first build instead of repeating it) and creates each cell's layout once, so the
scenario item and the scenario's own ``test_*.py`` checks share it. Templates and
the build cache are the builder's and the providers' own atomic caches.

:meth:`CellRunner.run_cell` never raises for a cell's own failure: a build failure, an
unknown wheel id, a layout error or a probe crash or timeout becomes the verdict's
:class:`~harness.scenarios.verdict.Cause`.

Cells of layout kind ``native`` take another path to the same verdict
(:class:`~harness.scenarios.native_cells.NativeCells`): the C probe with one loader
instead of an interpreter in a layout, judged by the same expectations.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness import faults, interpreters, platforms, sandbox
from harness.envs import registry
from harness.envs.layout import Layout, LayoutError
from harness.envs.layouts import LOG_DIR, LayoutSpec, make_layout
from harness.envs.location import LocationUnavailableError
from harness.evidence import Evidence, ProbeError
from harness.scenarios.cells import Cell
from harness.scenarios.native_cells import NativeCells
from harness.scenarios.observed import Observed, observe
from harness.scenarios.probing import ProbeSpec, fill_locations, precompile_probe, run_probe
from harness.scenarios.schema import Scenario
from harness.scenarios.source_evidence import recorded_builds
from harness.scenarios.verdict import (
    Cause,
    CellFailedError,
    CellVerdict,
    Stopwatch,
    judge,
    not_applicable,
)
from harness.scenarios.verdict import verdict_for as _verdict_for
from harness.scenarios.wheel_builds import WheelBuilds
from harness.usage import UsageError
from harness.vocabulary import NATIVE
from harness.workdir import Run, WorkDir

if TYPE_CHECKING:
    from harness.builder.supply import WheelSupply
    from harness.builder.wheelhouse import Wheelhouse

BUILT_WHEELS_VAR = "HARNESS_BUILT_WHEELS"
"""In ``[wheels]`` patterns: the catalogue's wheelhouse directory for the cell's interpreter
(built when first needed) unless the variable is set."""


DEFAULT_PROBE_TIMEOUT = 120.0
"""Seconds a cell's probe may run (``--probe-timeout`` of ``harness run`` and ``check``)."""

PROBE_TIMEOUT_VAR = "HARNESS_PROBE_TIMEOUT"
"""How ``harness run --probe-timeout`` reaches the pytest workers that run the cells."""


def probe_timeout(text: str | None) -> float:
    """``--probe-timeout`` (or ``$HARNESS_PROBE_TIMEOUT``) as seconds; the default when unset."""
    if not text:
        return DEFAULT_PROBE_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not seconds > 0 or seconds == float("inf"):
        raise UsageError(f"--probe-timeout {text}: give a positive number of seconds")
    return seconds


@dataclass
class CellEnvironment:
    """A ready layout for one cell plus the variables the scenario adds at process start."""

    cell: Cell
    layout: Layout
    cell_dir: Path
    env: dict[str, str]
    probe_timeout: float = DEFAULT_PROBE_TIMEOUT
    """Seconds a probe run may take before the cell is an error of kind ``timeout``."""
    probe_home: Path | None = None
    """Where the probe is kept as a module with its bytecode (see ``probing.installed_probe``)."""
    left_processes: list[str] = field(default_factory=list)
    """Processes the package left running after a probe of this cell ended (killed since)."""
    _evidence: Evidence | None = field(default=None, repr=False)
    _runs: int = 0

    def evidence(self) -> Evidence:
        """The evidence of the scenario's own steps (probed once, then reused)."""
        if self._evidence is None:
            try:
                spec = ProbeSpec.from_scenario(self.cell.scenario, self.layout.locations)
            except KeyError as error:
                raise CellFailedError(
                    Cause(
                        "scenario",
                        str(error.args[0]),
                        where=str(self.cell.scenario.path),
                        fix="use a location this layout has",
                    )
                ) from None
            self._evidence = self.run_probe(spec, name="scenario")
        return self._evidence

    def run_probe(
        self,
        spec: ProbeSpec | Mapping[str, Any],
        extra_env: Mapping[str, str] | None = None,
        *,
        name: str | None = None,
        ld_debug: str | None = None,
    ) -> Evidence:
        """Run the probe with ``spec`` inside this layout (plus the scenario's variables)."""
        if not isinstance(spec, ProbeSpec):
            spec = ProbeSpec.from_json(spec)
        self._runs += 1
        return run_probe(
            self.layout,
            spec,
            self.cell_dir,
            name=name or f"probe{self._runs}",
            extra_env={**self.env, **(extra_env or {})},
            ld_debug=ld_debug,
            timeout=self.probe_timeout,
            probe_home=self.probe_home,
            on_left=self.left_processes.extend,
        )

    def observe(self, evidence: Evidence) -> Observed:
        return observe(evidence, self.layout.locations, self.layout.extra_dirs)


def resolve_env(
    template: Mapping[str, str], locations: Mapping[str, Path], source: str
) -> dict[str, str]:
    """Replace ``{location:LABEL}`` with the location's directory (``{{``/``}}`` are braces)."""
    return {name: str(fill_locations(value, locations, source)) for name, value in template.items()}


class CellRunner:
    """Builds, creates, probes and judges cells; caches per process."""

    def __init__(
        self,
        workdir: WorkDir,
        run: Run | None = None,
        *,
        probe_timeout: float = DEFAULT_PROBE_TIMEOUT,
    ) -> None:
        self.workdir = workdir
        self.run = run or Run.current(workdir)
        """Whose cell directories these are: two runs on one work dir never share cells."""
        self.probe_timeout = probe_timeout
        self._builds = WheelBuilds(workdir)
        self._environments: dict[str, CellEnvironment] = {}
        self._native = NativeCells(workdir, probe_timeout=probe_timeout)

    def close(self) -> None:
        """Release what the runner holds for the whole run (the Wine session of native cells)."""
        self._native.close()

    def remove_cells(self) -> None:
        """Remove the cell directories this process made (the layouts of its cells).

        An xdist worker whose cells all passed calls it at its end, so the workers remove
        their cells side by side instead of the run's end removing them all one after
        another while the other cores idle; the run's end removes what is left."""
        for environment in self._environments.values():
            shutil.rmtree(environment.cell_dir, ignore_errors=True)
        self._environments.clear()

    def interpreter(self, version: str) -> interpreters.Interpreter:
        try:
            return interpreters.find(version)
        except interpreters.InterpreterNotFoundError as error:
            raise CellFailedError(Cause("unavailable", str(error)), skip=True) from None

    def wheelhouse(
        self, interpreter: interpreters.Interpreter, wheel_ids: Iterable[str] | None = None
    ) -> Wheelhouse:
        """The interpreter's wheelhouse holding ``wheel_ids`` and what they need (the whole
        catalogue when ``None``), built on first request (:mod:`.wheel_builds`)."""
        return self._builds.wheelhouse(interpreter, wheel_ids)

    def environment(self, cell: Cell) -> CellEnvironment:
        """The cell's layout, created on first use in a fresh cell directory.

        Raises :class:`CellFailedError` with the cause when it cannot be made.
        """
        if cell.layout == NATIVE:
            raise CellFailedError(
                Cause(
                    "scenario",
                    f"{cell.name} is a native cell: it has no Python layout for scenario checks",
                    where=str(cell.scenario.directory),
                    fix="a native scenario states everything in scenario.toml (no test_*.py)",
                )
            )
        key = f"{cell.scenario.path}::{cell.id}"
        ready = self._environments.get(key)
        if ready is None:
            ready = self._create(cell)
            self._environments[key] = ready
        return ready

    def run_cell(self, cell: Cell) -> CellVerdict:
        """The cell's verdict from evidence, or from the cause that kept it from running."""
        skipped = not_applicable(cell)
        if skipped is not None:
            return skipped
        verdict = _verdict_for(cell)
        if cell.layout == NATIVE:
            return self._native.run_cell(cell, verdict, self._cell_dir(cell))
        clock = Stopwatch()
        verdict.sandboxed = sandbox.active() is not None
        environment: CellEnvironment | None = None
        try:
            environment = self.environment(cell)
            clock.lap("layout")
            evidence = environment.evidence()
            clock.lap("probe")
        except CellFailedError as error:
            verdict.status = "skipped" if error.skip else "error"
            verdict.cause = error.cause
        except ProbeError as error:
            verdict.status = "error"
            verdict.cause = _probe_cause(error, self._cell_dir(cell))
        except OSError as error:  # the host refused a write (full disk, read-only)
            verdict.status = "error"
            verdict.cause = Cause(
                "layout",
                faults.of_error(error) or f"{type(error).__name__}: {error}",
                where=str(error.filename or self.workdir.root),
            )
        else:
            judge(cell, environment.observe(evidence), verdict)
        if verdict.status == "error" and verdict.cause is not None:
            verdict.cause = self._with_fault(cell, verdict.cause)
        if environment is not None:
            verdict.left_processes = list(environment.left_processes)
            verdict.source_builds = recorded_builds(environment.layout)
        verdict.timings = clock.timings
        verdict.duration = clock.total()
        return verdict

    def _with_fault(self, cell: Cell, cause: Cause) -> Cause:
        """``cause`` led by the host fault behind it (full disk, read-only work dir, an
        interpreter gone), naming its path, when there is one."""
        try:
            python: Path | None = self.interpreter(cell.python).executable
        except CellFailedError:
            python = None
        said = "\n".join([cause.what, *cause.details, _log_text(cause.log)])
        try:
            places = [self._cell_dir(cell), self.workdir.root]
        except OSError:  # the run's cell directory cannot even be made
            places = [self.workdir.root]
        fault = faults.diagnose(places, python, said)
        if fault is None or cause.what.startswith(fault):
            return cause
        fix = (
            "reinstall it, or pass --python with an interpreter that runs"
            if fault.startswith("the interpreter")
            else "free space or make the work dir writable, then run again (caches keep no "
            "partial entry)"
        )
        kind = fault.split(" at ", 1)[0]
        said_too = cause.what.lower().startswith(kind)  # an OSError's own words
        what = f"{fault}: {cause.what.split(': ', 1)[-1]}" if said_too else f"{fault}; {cause.what}"
        return replace(cause, what=what, fix=fix)

    def _external_wheels(
        self, scenario: Scenario, interpreter: interpreters.Interpreter
    ) -> dict[str, Path]:
        """The scenario's ``[wheels]`` files, each pattern matching exactly one file."""
        if not scenario.wheel_files:
            return {}
        from harness.builder.supply import WheelFileError, resolve_wheel_file  # noqa: PLC0415

        built: Path | None = None

        def variable(name: str) -> str | None:
            nonlocal built
            if name == BUILT_WHEELS_VAR and not os.environ.get(name):
                if built is None:  # the catalogue's wheelhouse, built on first use
                    built = self.wheelhouse(interpreter).directory
                return str(built)
            return os.environ.get(name)

        try:
            return {
                wheel_id: resolve_wheel_file(pattern, scenario.directory, variable, wheel_id)
                for wheel_id, pattern in scenario.wheel_files.items()
            }
        except WheelFileError as error:
            raise CellFailedError(
                Cause(
                    "wheel",
                    str(error),
                    where=f"{scenario.path} [wheels] {error.wheel_id}",
                    fix=error.fix,
                )
            ) from None

    def _supply(self, scenario: Scenario, interpreter: interpreters.Interpreter) -> WheelSupply:
        """Who turns the scenario's wheel ids into files (the catalogue built if needed)."""
        from harness.builder.supply import (  # noqa: PLC0415
            WheelSupply,
            built_for,
            catalogue_wheel_ids,
            is_prefix_id,
            needs_catalogue,
        )

        external = self._external_wheels(scenario, interpreter)
        ids = [i for install in scenario.installs for i in (*install.wheels, *install.sdists)]
        system = [scenario.system.prefix] if scenario.system is not None else []
        needed = needs_catalogue(external, ids, system=bool(system))
        # the catalogue's ids only: the supply names an unknown one, with the fix
        known = set(catalogue_wheel_ids())
        own = [
            i
            for install in scenario.installs
            for i in built_for(install.location, install.wheels, install.sdists)
            if i not in external and i in known
        ]
        own += [i for i in system if is_prefix_id(i)]
        wheelhouse = self.wheelhouse(interpreter, own) if needed else None
        return WheelSupply(wheelhouse, external, self.workdir, interpreter.executable)

    def _cell_dir(self, cell: Cell) -> Path:
        # a scenario item and its test_*.py checks may land on different xdist workers:
        # each worker makes its own copy of the cell
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        name = f"{cell.id}@{worker}" if worker else cell.id
        return self.run.cells / cell.scenario.name / name

    def _create(self, cell: Cell) -> CellEnvironment:
        scenario = cell.scenario
        interpreter = self.interpreter(cell.python)
        try:
            provider = registry.get(
                cell.layout, self.workdir, conda_packages=scenario.conda_packages
            )
        except registry.ProviderUnavailableError as error:
            raise CellFailedError(Cause("unavailable", str(error)), skip=True) from None
        supply = self._supply(scenario, interpreter)
        try:
            installs = tuple(
                supply.request(
                    install.location,
                    install.wheels,
                    deps=install.deps,
                    remove=install.remove,
                    mode=install.mode,
                    sdists=install.sdists,
                    build_isolation=install.build_isolation,
                )
                for install in scenario.installs
            )
            system = None
            if scenario.system is not None:
                prefix = supply.system_library_dir(scenario.system.prefix)
                system = platforms.prefix_library_dir(prefix, platforms.current())
        except LookupError as error:
            raise CellFailedError(
                Cause(
                    "wheel",
                    str(error),
                    where=f"{scenario.path} [[install]] wheels / [system] prefix",
                    fix="name a wheel id of the catalogue (`harness list --wheels`)",
                )
            ) from None
        spec = LayoutSpec(
            python=interpreter.executable,
            kind=cell.layout,
            installer=cell.installer,  # type: ignore[arg-type]  # validated by the schema
            installs=installs,
            system=system,
        )
        cell_dir = self._cell_dir(cell)
        if cell_dir.exists():
            shutil.rmtree(cell_dir)
        try:
            layout = make_layout(spec, cell_dir / "layout", workdir=self.workdir, provider=provider)
        except LocationUnavailableError as error:
            raise CellFailedError(Cause("unavailable", str(error)), skip=True) from None
        except LayoutError as error:
            raise CellFailedError(_layout_cause(error, cell_dir / "layout" / LOG_DIR)) from error
        env = resolve_env(scenario.env, layout.locations, str(scenario.path))
        probe_home = self.workdir.cache / "probe"
        if sandbox.active() is not None:  # where the probe's cache is read-only
            precompile_probe(probe_home, interpreter.executable)
        return CellEnvironment(
            cell=cell,
            layout=layout,
            cell_dir=cell_dir,
            env=env,
            probe_timeout=self.probe_timeout,
            probe_home=probe_home,
        )


def _log_text(log: str | None, limit: int = 1 << 16) -> str:
    """The end of a cause's log file (where installers say ``No space left on device``)."""
    if not log or not Path(log).is_file():
        return ""
    with Path(log).open("rb") as stream:
        stream.seek(max(0, Path(log).stat().st_size - limit))
        return stream.read().decode(errors="replace")


def _layout_cause(error: LayoutError, log_dir: Path) -> Cause:
    """A layout error's first line, the failed command, its log and a short tail."""
    first = str(error).splitlines()[0] if str(error) else "creating the layout failed"
    return Cause(
        "layout",
        first,
        where=error.command,
        fix="read the log; the command can be run again by hand in the cell directory",
        log=str(error.log) if error.log else (str(log_dir) if log_dir.is_dir() else None),
        details=error.tail[-8:],
    )


def _probe_cause(error: ProbeError, cell_dir: Path) -> Cause:
    timed_out = error.returncode is None and "did not finish" in str(error)
    stderr = error.stderr.strip().splitlines()
    return Cause(
        "timeout" if timed_out else "probe",
        str(error).splitlines()[0],
        where=str(cell_dir),
        fix=(
            "a step hangs (the processes below, at the timeout, say where); a longer "
            "--probe-timeout helps only a slow step"
            if timed_out
            else "the process died in a step (a crash in native code): the stderr says where"
        ),
        log=str(cell_dir / "scenario-spec.json"),
        details=(*stderr[-4:], *(f"at the timeout: {line}" for line in error.processes)),
    )
