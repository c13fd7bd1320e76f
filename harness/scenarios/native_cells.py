"""Native cells: the C probe of :mod:`harness.native` run with one loader, judged like any cell.

A native cell has no interpreter and installs nothing: its "layout" is the loader's native
build (probe, producer, copy, consumers; built once per content key and reused) and its
locations are the build's directories (``producer``, ``copy``, ``consumer``,
``consumer-rpath``, ``bundled``). The scenario's ``load``/``call`` steps become a
:class:`~harness.native.NativeSpec`; the evidence is judged by the same expectations
as every other cell, after Wine's Windows paths are mapped back to host files.

One :class:`NativeCells` lives in each :class:`~harness.scenarios.cell_runner.CellRunner`: it
starts the wine server on the first Wine cell and stops it in :meth:`close` (at the end
of the pytest session; pytest-xdist workers each hold a shared lock on the prefix and
the last one to leave stops the server, see :mod:`harness.native.wine`).
"""

from __future__ import annotations

import atexit
import shutil
from pathlib import Path

from harness.evidence import ProbeError
from harness.native import NativeSpec, NativeStep, run_native, wine
from harness.native import build as native_build
from harness.native.probe_run import SPEC_FILE
from harness.scenarios.cells import Cell
from harness.scenarios.observed import observe
from harness.scenarios.probing import fill_locations
from harness.scenarios.verdict import Cause, CellFailedError, CellVerdict, Stopwatch, judge
from harness.workdir import WorkDir


class NativeCells:
    """Runs native cells for one :class:`CellRunner`; owns the run's Wine session."""

    def __init__(self, workdir: WorkDir, *, probe_timeout: float = 120) -> None:
        self.workdir = workdir
        self.probe_timeout = probe_timeout
        self._session: wine.WineSession | None = None

    def run_cell(self, cell: Cell, verdict: CellVerdict, cell_dir: Path) -> CellVerdict:
        """Fill ``verdict`` from the native probe's evidence, or with the cause it has none."""
        clock = Stopwatch()
        loader = cell.installer
        try:
            built = self._build(loader)
            session = self._wine_session() if built.pe else None
            clock.lap("layout")
            if cell_dir.exists():
                shutil.rmtree(cell_dir)
            spec = self._spec(cell, built)
            env = self._env(cell, built)
            evidence = run_native(
                loader,
                spec,
                self.workdir,
                cell_dir=cell_dir,
                session=session,
                extra_env=env,
                timeout=self.probe_timeout,
            )
            clock.lap("probe")
        except CellFailedError as stop:
            verdict.status = "skipped" if stop.skip else "error"
            verdict.cause = stop.cause
        except ProbeError as error:
            verdict.status = "error"
            verdict.cause = _probe_cause(error, loader, cell_dir)
        else:
            prefix = session.prefix if session is not None else None
            observed = observe(
                evidence,
                built.locations,
                host_path=(lambda path: wine.to_host(path, prefix)) if built.pe else None,
            )
            judge(cell, observed, verdict)
        verdict.timings = clock.timings
        verdict.duration = clock.total()
        return verdict

    def close(self) -> None:
        """Leave the Wine session (the last process on the prefix stops the server)."""
        session, self._session = self._session, None
        if session is not None:
            session.stop()

    def _build(self, loader: str) -> native_build.NativeBuild:
        missing = native_build.missing_compiler(loader)
        if missing is None and native_build.toolchain(loader).pe:
            missing = wine.missing_tool()
        if missing is not None:
            raise CellFailedError(
                Cause(
                    "unavailable",
                    str(missing),
                    fix=f"install it (Debian: apt-get install {missing.package})",
                ),
                skip=True,
            )
        try:
            return native_build.build(loader, self.workdir)
        except native_build.NativeBuildError as error:
            lines = str(error).splitlines()
            raise CellFailedError(
                Cause(
                    "build",
                    f"the {loader} native build failed: {lines[0]}",
                    where="harness/native/build.py",
                    fix="read the compiler output below; the command can be run by hand",
                    details=tuple(lines[1:][-8:]),
                )
            ) from None

    def _wine_session(self) -> wine.WineSession:
        if self._session is None:
            try:
                session = wine.WineSession(self.workdir).start()
            except wine.WineError as error:
                raise CellFailedError(
                    Cause(
                        "layout",
                        f"the Wine prefix or server could not be made: {error}",
                        where=str(self.workdir.envs / "wine"),
                        fix="read the log it names; removing the prefix directory recreates it",
                    )
                ) from None
            atexit.register(session.stop)  # close() is the normal way; this covers a crash
            self._session = session
        return self._session

    def _spec(self, cell: Cell, built: native_build.NativeBuild) -> NativeSpec:
        scenario = cell.scenario
        steps: list[NativeStep] = []
        try:
            for step in scenario.steps:
                if step.action == "load":
                    target = step.target
                    if "{" in target:
                        target = str(
                            fill_locations(
                                target, built.locations, f"{scenario.path} steps {step.id}"
                            )
                        )
                    steps.append(NativeStep(step.id, load=target, mode=step.mode))
                else:
                    steps.append(NativeStep(step.id, call=step.target, library=step.library))
            functions = [library.identity_function for library in scenario.libraries]
            return NativeSpec(
                steps=steps,
                symbols=scenario.symbols.names,
                identity_functions=tuple(dict.fromkeys(functions)),
            )
        except (KeyError, ValueError) as error:
            raise CellFailedError(
                Cause(
                    "scenario",
                    str(error.args[0] if error.args else error),
                    where=str(scenario.path),
                    fix=f"load a library the {cell.installer} build has (docs/scenario-format.md)",
                )
            ) from None

    def _env(self, cell: Cell, built: native_build.NativeBuild) -> dict[str, str]:
        try:
            env = fill_locations(cell.scenario.env, built.locations, str(cell.scenario.path))
            return {str(name): str(value) for name, value in env.items()}
        except KeyError as error:
            raise CellFailedError(
                Cause("scenario", str(error.args[0]), where=str(cell.scenario.path))
            ) from None


def _probe_cause(error: ProbeError, loader: str, cell_dir: Path) -> Cause:
    timed_out = error.returncode is None and "did not finish" in str(error)
    return Cause(
        "timeout" if timed_out else "probe",
        str(error).splitlines()[0],
        where=str(cell_dir),
        fix=(
            f"a step hangs under {loader}: run the probe with the spec in the cell by hand"
            if timed_out
            else f"the {loader} native probe died in a step: its stderr says where"
        ),
        log=str(cell_dir / SPEC_FILE),
        details=tuple(error.stderr.strip().splitlines()[-8:]),
    )
