"""Turn a cell into evidence: build wheels, create the layout, run the probe.

One :class:`CellRunner` lives per pytest process (per xdist worker). It builds the
wheelhouse once per interpreter (a file lock makes concurrent workers wait for the
first build instead of repeating it) and creates each cell's layout once, so the
scenario item and the scenario's own ``test_*.py`` checks share it. Templates and
the build cache are the builder's and the providers' own atomic caches.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness import evidence as evidence_module
from harness import interpreters, platforms
from harness.envs import paths
from harness.envs.base import InstallRequest, Layout
from harness.envs.layouts import LayoutSpec, make_layout
from harness.evidence import Evidence, ProbeSpec, ProbeStep
from harness.scenarios import providers
from harness.scenarios.cells import Cell
from harness.scenarios.filelock import locked
from harness.scenarios.observed import Observed, observe
from harness.scenarios.schema import Scenario
from harness.workdir import WorkDir

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{location:([^{}]+)\}")


class BuildFailedError(RuntimeError):
    """The wheel matrix could not be built for an interpreter (the cell fails, naming why)."""


class CellUnavailableError(RuntimeError):
    """The cell cannot run here (missing interpreter or tool); the message names what."""


def probe_spec(scenario: Scenario) -> ProbeSpec:
    """The probe spec of a scenario's steps, symbols and identity functions."""
    return spec_from_json(scenario.probe_spec())


def spec_from_json(spec: Mapping[str, Any]) -> ProbeSpec:
    """A :class:`ProbeSpec` from the JSON form (docs/architecture.md)."""
    steps = [
        ProbeStep(
            id=str(step["id"]),
            import_=step.get("import"),
            call=step.get("call"),
            args=tuple(step.get("args") or ()),
            kwargs=dict(step.get("kwargs") or {}),
        )
        for step in spec.get("steps") or ()
    ]
    return ProbeSpec(
        steps=steps,
        symbols=tuple(spec.get("symbols") or ()),
        identity_functions=tuple(spec.get("identity_functions") or ()),
    )


@dataclass
class CellEnvironment:
    """A ready layout for one cell plus the variables the scenario adds at process start."""

    cell: Cell
    layout: Layout
    cell_dir: Path
    env: dict[str, str]
    _evidence: Evidence | None = field(default=None, repr=False)
    _runs: int = 0

    def evidence(self) -> Evidence:
        """The evidence of the scenario's own steps (probed once, then reused)."""
        if self._evidence is None:
            self._evidence = self.run_probe(probe_spec(self.cell.scenario), name="scenario")
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
            spec = spec_from_json(spec)
        env = dict(self.env)
        env.update(extra_env or {})
        self._runs += 1
        return evidence_module.run_probe(
            self.layout,
            spec,
            self.cell_dir,
            name=name or f"probe{self._runs}",
            extra_env=env,
            ld_debug=ld_debug,
        )

    def observe(self, evidence: Evidence) -> Observed:
        return observe(evidence, self.layout.locations, self.layout.extra_dirs)


def resolve_env(
    template: Mapping[str, str], locations: Mapping[str, Path], source: str
) -> dict[str, str]:
    """Replace ``{location:LABEL}`` with the location's directory (``{{``/``}}`` are braces)."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) in ("{{", "}}"):
            return match.group(0)[0]
        label = match.group(1)
        if label not in locations:
            known = ", ".join(sorted(locations))
            raise KeyError(f"{source}: env placeholder {{location:{label}}} unknown here ({known})")
        return str(locations[label])

    return {name: _PLACEHOLDER.sub(replace, value) for name, value in template.items()}


PREBUILT_WHEELHOUSE_VAR = "HARNESS_WHEELHOUSE"
"""A directory of ``<python tag>/`` wheelhouses (``harness build`` output) to use instead of building."""


class CellRunner:
    """Builds, creates and probes cells; caches per process."""

    def __init__(self, workdir: WorkDir) -> None:
        self.workdir = workdir
        self._wheelhouses: dict[str, Any] = {}
        self._build_failures: dict[str, str] = {}
        self._environments: dict[str, CellEnvironment] = {}

    def interpreter(self, version: str) -> interpreters.Interpreter:
        try:
            return interpreters.find(version)
        except interpreters.InterpreterNotFoundError as error:
            raise CellUnavailableError(str(error)) from None

    def wheelhouse(self, interpreter: interpreters.Interpreter) -> Any:
        """The built wheel matrix for ``interpreter`` (built at most once per session)."""
        failure = self._build_failures.get(interpreter.tag)
        if failure is not None:
            raise BuildFailedError(failure)  # do not rebuild for every cell of the session
        cached = self._wheelhouses.get(interpreter.tag)
        if cached is None:
            # the builder pulls in the toolchain probes; only running cells need it
            from harness.builder import build_all  # noqa: PLC0415
            from harness.builder.wheelhouse import Wheelhouse  # noqa: PLC0415

            prebuilt = os.environ.get(PREBUILT_WHEELHOUSE_VAR)
            try:
                if prebuilt:
                    # CI: wheels built once per OS (build.yml) and handed to the test jobs
                    cached = Wheelhouse.load(Path(prebuilt) / interpreter.tag)
                else:
                    with locked(self.workdir.tmp / f"build-{interpreter.tag}.lock"):
                        cached = build_all(self.workdir, interpreter)
            except Exception as error:
                message = f"building the wheels for {interpreter.tag} failed: {error}"
                self._build_failures[interpreter.tag] = message
                raise BuildFailedError(message) from error
            self._wheelhouses[interpreter.tag] = cached
        return cached

    def environment(self, cell: Cell) -> CellEnvironment:
        """The cell's layout, created on first use in a fresh cell directory."""
        key = f"{cell.scenario.path}::{cell.id}"
        ready = self._environments.get(key)
        if ready is None:
            ready = self._create(cell)
            self._environments[key] = ready
        return ready

    def _create(self, cell: Cell) -> CellEnvironment:
        scenario = cell.scenario
        interpreter = self.interpreter(cell.python)
        provider = providers.get(
            cell.layout, cell.installer, self.workdir, conda_packages=scenario.conda_packages
        )
        wheelhouse = self.wheelhouse(interpreter)
        installs = tuple(
            InstallRequest(
                location=install.location,
                wheels=[wheelhouse.wheel(wheel_id) for wheel_id in install.wheels],
                deps=install.deps,
                remove=install.remove,
            )
            for install in scenario.installs
        )
        system = None
        if scenario.system is not None:
            prefix = wheelhouse.prefix(scenario.system.prefix)
            system = paths.prefix_library_dir(prefix, platforms.current())
        spec = LayoutSpec(
            python=interpreter.executable,
            kind=cell.layout,
            installer=cell.installer,  # type: ignore[arg-type]  # validated by the schema
            installs=installs,
            system=system,
        )
        # a scenario item and its test_*.py checks may land on different xdist workers:
        # each worker makes its own copy of the cell
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        cell_dir = (
            self.workdir.cells / scenario.name / (f"{cell.id}@{worker}" if worker else cell.id)
        )
        if cell_dir.exists():
            shutil.rmtree(cell_dir)
        layout = make_layout(spec, cell_dir / "layout", workdir=self.workdir, provider=provider)
        env = resolve_env(scenario.env, layout.locations, str(scenario.path))
        return CellEnvironment(cell=cell, layout=layout, cell_dir=cell_dir, env=env)
