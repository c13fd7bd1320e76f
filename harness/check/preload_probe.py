"""Preloads found from evidence, not only from source text.

A producer whose package offers no ``loader``, no load function and no import the source
shows may still load its library when imported (an extension module imported in a way
``ast`` cannot follow, a plugin registry, ``importlib``). One probe, in one venv holding
the whole family, imports the top-level package(s) of every such producer and records
which of the producer's libraries the process then maps: if it maps them, ``import pkg``
is that producer's preload ("loads at import through <extension>").
"""

from __future__ import annotations

import dataclasses

from harness.check.family import Family
from harness.check.matrix import Placement, Probing, scenario
from harness.check.preloads import Preload
from harness.inspect import names
from harness.inspect.imports import import_packages
from harness.inspect.wheel import Wheel
from harness.scenarios.cell_runner import CellRunner
from harness.scenarios.cells import Cell
from harness.scenarios.verdict import CellFailedError
from harness.vocabulary import SITE
from harness.workdir import Run, WorkDir

PLACEMENT_NAME = "preload-probe"


def packages_of(wheel: Wheel) -> list[str]:
    """The wheel's outermost Python packages (``pkg``, or ``ns.pkg`` in a namespace)."""
    return import_packages(wheel)


def probe_preloads(family: Family, workdir: WorkDir, installer: str) -> Family:
    """``family`` with ``import pkg`` as the preload of each producer whose import maps
    its libraries (evidence of one probe); unchanged when every producer has one."""
    missing = {
        wheel.path: packages_of(wheel)
        for wheel in family.producers
        if family.preloads.get(wheel.path) is None
    }
    imports = tuple(dict.fromkeys(p for packages in missing.values() for p in packages))
    if not imports:
        return family
    placement = Placement(
        PLACEMENT_NAME, "import each producer without a preload", {SITE: family.wheels}
    )
    probing = Probing(imports=imports)
    # a run of its own, finished here: a run named by $HARNESS_RUN_ID (an earlier check's,
    # in this process) would keep its lock file open for as long as the caller lives
    runner = CellRunner(workdir, Run.new(workdir))
    cell = Cell(
        scenario(family, placement, probing, workdir.root / "check", installer),
        family.python,
        placement.kind,
        installer,
    )
    try:
        verdict = runner.run_cell(cell)
        if verdict.status not in ("passed", "failed"):
            return family  # no evidence (a missing interpreter is reported by the matrix)
        environment = runner.environment(cell)
        evidence = environment.evidence()
    except CellFailedError:
        return family
    finally:
        runner.run.finish(keep_cells=True)
    label_of = environment.layout.locator()
    mapped = {label_of(obj.path) for obj in evidence.loaded}
    preloads = dict(family.preloads)
    for wheel in family.producers:
        packages = missing.get(wheel.path)
        if not packages:
            continue
        libraries: list[str] = []
        extensions: list[str] = []
        for binary in wheel.binaries:
            installed = wheel.install_path(binary.path)
            if installed is None or (SITE, installed) not in mapped:
                continue
            (extensions if names.is_extension_module(binary) else libraries).append(installed)
        if libraries:
            holders = [*libraries, *extensions]
            module = next(
                (p for p in packages for h in holders if h.startswith(p.replace(".", "/") + "/")),
                packages[0],
            )
            preloads[wheel.path] = Preload(
                "import", module=module, via=extensions[0] if extensions else None
            )
    return dataclasses.replace(family, preloads=preloads)
