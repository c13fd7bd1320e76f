"""The standard matrix of layouts for a family, each cell an in-memory scenario.

Every layout places the family's wheels into locations (``site``, ``target``, ``user``)
and gets the same steps and expectations; the scenario machinery (``CellRunner.run_cell``)
then creates, probes and judges it exactly as it does for ``scenarios/*/scenario.toml``.
"""

from __future__ import annotations

import glob
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.check.family import Family, entry_points
from harness.check.needs import Needed, Needs
from harness.check.preloads import Preload
from harness.inspect.wheel import Wheel
from harness.scenarios.schema import (
    Install,
    LibraryExpectation,
    Scenario,
    Step,
    SymbolExpectations,
)
from harness.vocabulary import ALL_OS, SITE, TARGET, USER

SCENARIO_PREFIX = "check-"


@dataclass(frozen=True)
class Placement:
    """One layout of the matrix: which wheels go to which location."""

    name: str
    """``venv``, ``producer-target``, ``producer-target-libfoo``, ``consumer-user``..."""
    summary: str
    locations: dict[str, tuple[Wheel, ...]]
    """Location label -> wheels installed there (in the order given)."""
    kind: str = "venv"
    """The layout kind (``conda``: a conda prefix, wheels installed with its pip)."""
    conda_copies: bool = False
    """Another copy of each producer library goes into ``$CONDA_PREFIX/lib``."""
    skip_preloads: bool = False
    """The found (and ``--preload``) preloads do not run: what a bare load finds."""

    def location_of(self, wheel: Wheel) -> str:
        return next(label for label, wheels in self.locations.items() if wheel in wheels)


def _split(family: Family, moved: list[Wheel], label: str, name: str, summary: str) -> Placement:
    rest = tuple(w for w in family.wheels if w not in moved)
    return Placement(name, summary, {label: tuple(moved), SITE: rest})


def conda_placements(family: Family, probing: Probing) -> list[Placement]:
    """Every wheel in a conda prefix whose ``lib`` holds another copy of each producer
    library (python's ``DT_RPATH $ORIGIN/../lib`` finds it), with the preloads and, when
    the steps dlopen libraries, without them."""
    result = [
        Placement(
            "conda",
            "every wheel in a conda prefix, another copy of each producer library in "
            "$CONDA_PREFIX/lib",
            {SITE: family.wheels},
            kind="conda",
            conda_copies=True,
        )
    ]
    if probing.loads and probing.preloads:
        result.append(
            Placement(
                "conda-no-preload",
                "as conda, the loads without the producers' preloads",
                {SITE: family.wheels},
                kind="conda",
                conda_copies=True,
                skip_preloads=True,
            )
        )
    return result


def placements(family: Family) -> list[Placement]:
    """The standard matrix: one venv, each producer in --target, the consumers in
    --target, the producers in the user site, the consumers in the user site."""
    everything = Placement("venv", "every wheel in one venv's site-packages", {SITE: family.wheels})
    result = [everything]
    producer_side = family.closure(family.producers)
    consumer_side = [w for w in family.wheels if w not in producer_side]
    several = len(family.producers) > 1
    for producer in family.producers:
        moved = family.closure([producer])
        suffix = f"-{producer.dist}" if several else ""
        result.append(
            _split(
                family,
                moved,
                TARGET,
                f"producer-target{suffix}",
                f"{producer.dist} (+ its requirements) in a --target dir, the rest in the venv",
            )
        )
    if consumer_side:
        result.append(
            _split(
                family,
                consumer_side,
                TARGET,
                "consumer-target",
                "the consumers in a --target dir, the producers in the venv",
            )
        )
    result.append(
        _split(
            family,
            producer_side,
            USER,
            "producer-user",
            "the producers in the user site, the rest in the venv",
        )
    )
    if consumer_side:
        result.append(
            _split(
                family,
                consumer_side,
                USER,
                "consumer-user",
                "the consumers in the user site, the producers in the venv",
            )
        )
    return result


@dataclass(frozen=True)
class Probing:
    """What every cell does and expects: steps, expected libraries, symbol samples."""

    imports: tuple[str, ...] = ()
    loads: tuple[str, ...] = ()
    """Install paths of files to dlopen (``nvidia/cusparse/lib/libcusparse.so.12``)."""
    preloads: tuple[Preload, ...] = ()
    preload_always: bool = False
    """``--preload`` given: preload before every cell's steps, imports included."""
    strict_symbols: bool = False


def owner(family: Family, install_path: str) -> Wheel:
    for wheel in family.wheels:
        for member in wheel.members:
            if wheel.install_path(member) == install_path:
                return wheel
    raise LookupError(install_path)


def default_probing(
    family: Family,
    *,
    imports: Sequence[str],
    loads: Sequence[str],
    preloads: Sequence[Preload],
    strict_symbols: bool,
) -> Probing:
    """The steps of every cell: the given ones, else the consumers' linking binaries."""
    if not imports and not loads:
        for kind, target, wheel in entry_points(family):
            if kind == "import":
                imports = (*imports, target)
                continue
            # a plain library inside a Python package: real use imports the package first
            package = target.split("/", 1)[0]
            if f"{package}/__init__.py" in wheel.texts and package not in imports:
                imports = (*imports, package)
            loads = (*loads, target)
    given = bool(preloads)
    if not given:
        preloads = [p for p in family.preloads.values() if p is not None]
    return Probing(
        imports=tuple(imports),
        loads=tuple(loads),
        preloads=tuple(preloads),
        preload_always=given,
        strict_symbols=strict_symbols,
    )


def _preload_steps(probing: Probing) -> list[Step]:
    steps = []
    for preload in probing.preloads:
        if preload.call is not None:
            steps.append(Step(id=f"preload:{preload.call}", action="call", target=preload.call))
        elif preload.module is not None:
            steps.append(
                Step(id=f"preload:{preload.module}", action="import", target=preload.module)
            )
    return steps


def _steps(family: Family, placement: Placement, probing: Probing) -> list[Step]:
    """``--preload`` first when given; then the imports, which must preload by themselves
    (the consumer's own package code is what is tested); then, for the loads, the found
    preloads (a bare dlopen has no package code that could preload) and the loads."""
    preload = not placement.skip_preloads
    steps: list[Step] = _preload_steps(probing) if preload and probing.preload_always else []
    for module in probing.imports:
        steps.append(Step(id=f"import:{module}", action="import", target=module))
    if preload and probing.loads and not probing.preload_always:
        steps += _preload_steps(probing)
    for path in probing.loads:
        label = placement.location_of(owner(family, path))
        steps.append(
            Step(
                id=f"load:{path.rsplit('/', 1)[-1]}",
                action="load",
                target=f"{{location:{label}}}/{path}",
            )
        )
    return steps


def cell_needs(family: Family, placement: Placement, probing: Probing) -> Needs:
    """What the cell's steps need in this placement (each wheel in its location)."""
    locations = {w.path: label for label, wheels in placement.locations.items() for w in wheels}
    return Needs(family.wheels, locations, probing.imports, probing.loads)


def expected_libraries(
    family: Family, placement: Placement, probing: Probing
) -> list[LibraryExpectation]:
    """Each library the steps need: one copy, from the file that answers it in its wheel's
    location. A name several wheels ship (or two files counted as one library) is expected
    once from wherever it comes; the cell then says which copy was used."""
    by_name: dict[str, list[Needed]] = {}
    for needed in cell_needs(family, placement, probing).libraries():
        by_name.setdefault(needed.name, []).append(needed)
    expected = []
    for name, found in by_name.items():
        one = found[0]
        exact = len(found) == 1 and not one.ambiguous and one.install_path is not None
        expected.append(
            LibraryExpectation(
                name=name,
                copies=1,
                location=placement.location_of(one.wheel) if exact else None,
                file=one.install_path if exact else None,
                identity_function="",
            )
        )
    return expected


def scenario(
    family: Family, placement: Placement, probing: Probing, root: Path, installer: str
) -> Scenario:
    """The in-memory scenario of one cell of the matrix."""
    name = f"{SCENARIO_PREFIX}{placement.name}"
    ids = {wheel.path: f"{wheel.dist}-{wheel.version}" for wheel in family.wheels}
    installs = tuple(
        Install(location=label, wheels=tuple(ids[w.path] for w in wheels))
        for label, wheels in placement.locations.items()
        if wheels
    )
    samples = {lib.file_name: lib.samples for lib in family.libraries if lib.samples}
    return Scenario(
        name=name,
        path=root / name / "scenario.toml",
        description=f"harness check: {placement.summary}.",
        platforms=ALL_OS,
        layouts=(placement.kind,),
        installers=(installer,),
        installs=installs,
        system=None,
        env={},
        steps=tuple(_steps(family, placement, probing)),
        libraries=tuple(expected_libraries(family, placement, probing)),
        symbols=SymbolExpectations(
            samples=samples,
            local_libraries=tuple(samples) if probing.strict_symbols else (),
        ),
        wheel_files={ids[w.path]: glob.escape(str(w.path)) for w in family.wheels},
    )
