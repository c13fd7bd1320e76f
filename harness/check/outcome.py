"""A ``harness check`` cell's outcome, causes and fixes: the probe's evidence read together
with the static picture (the one resolver ``harness lint`` uses).

- *nothing exercised*: the steps loaded no binary of any consumer; the cell names the
  binaries never loaded and the ``--load`` / ``--import`` that would exercise them;
- a cause and a fix for every failed step (rpath into another wheel's location, wheel
  data outside every package, a bare-name ``dlopen``/``CDLL``, a SONAME mismatch, a
  library nothing preloaded) and for two copies of one library;
- *environment*: the only thing missing is a system library that no wheel ships;
- for a name several wheels ship, which copy the process used.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from harness.check.family import Family
from harness.check.matrix import Placement, Probing, cell_needs
from harness.check.needs import Needs, counted_name, shared_names
from harness.evidence import Evidence, StepOutcome
from harness.inspect import names
from harness.inspect.binary import NAME_FIELD
from harness.inspect.imports import module_name
from harness.inspect.loader_check import load_calls
from harness.inspect.resolve import Provider, Resolution, Resolver, rpath_anchor
from harness.inspect.wheel import Wheel
from harness.scenarios.verdict import CellVerdict, StepCause

Locate = Callable[[str], tuple[str, str] | None]
"""An evidence path -> ``(location label, relative path)`` in the cell's layout."""

_MISSING = re.compile(
    r"([\w.+@/-]+?\.(?:so(?:\.[\w.]+)?|dylib|dll))\b[^\n]*?"
    r"(?:cannot open shared object file|image not found|no such file|not found|"
    r"could not be found|error loading shared library)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CellFacts:
    """What one cell is, for judging it: the family, where each wheel went, what ran."""

    family: Family
    locations: dict[str, tuple[Wheel, ...]]
    needs: Needs

    def location_of(self, wheel: Wheel) -> str:
        return next(label for label, wheels in self.locations.items() if wheel in wheels)


def facts(family: Family, placement: Placement, probing: Probing) -> CellFacts:
    return CellFacts(family, placement.locations, cell_needs(family, placement, probing))


def missing_library(message: str) -> str | None:
    """The library a loader error names (``libfoo.so.1: cannot open shared object file``)."""
    found = _MISSING.search(message)
    return posixpath.basename(found.group(1)) if found else None


def missing_libraries(message: str) -> list[str]:
    """Every library a loader error names, in order (a search that tried several paths)."""
    found = (posixpath.basename(m.group(1)) for m in _MISSING.finditer(message))
    return list(dict.fromkeys(found))


def _searched(message: str, library: str) -> str:
    """`` at .../lib/libx.so.1`` when the error shows the path tried, else nothing."""
    found = re.search(r"(/[^\s:'\"]*/" + re.escape(library) + r")(?![\w.])", message)
    if found is None:
        return ""
    return " at …/" + "/".join(found.group(1).split("/")[-3:])


def _data_shipping(facts: CellFacts, library: str) -> tuple[Wheel, str] | None:
    """The wheel that ships ``library`` (file name or SONAME) as wheel data, and the member."""
    for wheel in facts.family.wheels:
        for binary in wheel.binaries:
            if wheel.install_path(binary.path) is not None:
                continue
            own = {s.own_name for s in binary.slices if s.own_name}
            if library == binary.file_name or library in own:
                return wheel, binary.path
    return None


def searched_wheel_data(facts: CellFacts, step: StepOutcome, message: str) -> StepCause | None:
    """A package's own code searched prefixes by path (the error shows the path tried) for
    a library another wheel ships as wheel data (``<prefix>/lib``) that is in another
    location's prefix."""
    for library in missing_libraries(message):
        shipped = _data_shipping(facts, library)
        if shipped is None or not _searched(message, library):
            continue  # a DT_NEEDED entry's error shows no path: the rpath causes judge it
        owner, member = shipped
        there = facts.location_of(owner)
        consumers = [w.dist for w in facts.family.consumers if w is not owner]
        return StepCause(
            "wheel-data",
            step.id,
            f"{library} of {owner.dist} is wheel data ({member}), installed into <prefix>/lib "
            f"of the location {owner.dist} is in ({there}); the step looked for it by "
            f"path{_searched(message, library)} and not there: a search of <prefix>/lib "
            "finds it only in the prefix it was installed into",
            f"install {owner.dist} into the environment's own prefix (not --target), or ship "
            f"the library inside a package of {owner.dist} and load it by that package's path",
            wheels=(owner.dist, *consumers),
            files=(member,),
        )
    return None


def _mapped(evidence: Evidence, locate: Locate) -> dict[tuple[str, str], str]:
    """(label, relative path) -> evidence path of every object loaded from the layout."""
    found: dict[tuple[str, str], str] = {}
    for obj in evidence.loaded:
        where = locate(obj.path)
        if where is not None:
            found[where] = obj.path
    return found


def _binaries_of(facts: CellFacts, wheel: Wheel) -> list[tuple[str, str]]:
    """(label, install path) of each binary of ``wheel`` in this cell."""
    label = facts.location_of(wheel)
    return [
        (label, path)
        for binary in wheel.binaries
        if (path := wheel.install_path(binary.path)) is not None
    ]


def unexercised_consumers(
    facts: CellFacts, evidence: Evidence, locate: Locate
) -> list[tuple[Wheel, str]] | None:
    """The consumers' binaries when none of them was loaded; ``None`` when one was, or when
    the consumers ship no binary (a pure-Python consumer is exercised by its import)."""
    mapped = _mapped(evidence, locate)
    never: list[tuple[Wheel, str]] = []
    for consumer in facts.family.consumers:
        for label, path in _binaries_of(facts, consumer):
            if (label, path) in mapped:
                return None
            never.append((consumer, path))
    return never or None


def exercise_hint(wheel: Wheel, install_path: str) -> str:
    binary = next(b for b in wheel.binaries if wheel.install_path(b.path) == install_path)
    if names.is_extension_module(binary):
        return f"--import {module_name(install_path)}"
    return f"--load {install_path}"


def bare_name_calls(wheels: Sequence[Wheel], library: str) -> list[str]:
    """``pkg/mod.py line N: CDLL('libx.so.1')`` for each load call by that bare name; in a
    module whose load call takes a variable, the line holding the name (python-magic's
    loader yields ``'libmagic.so.1'`` to ``ctypes.CDLL(lib)``), after the direct calls."""
    found: list[str] = []
    indirect: list[str] = []
    for wheel in wheels:
        for member, source in sorted(wheel.texts.items()):
            if library not in source:
                continue
            calls = load_calls(source, library)
            if calls is None:
                continue
            found += [
                f"{member} line {line}: {called}({library!r}) of {wheel.dist}"
                for called, line in calls.direct
            ]
            if not calls.direct and calls.other and calls.bare:
                called, line = calls.other[0]
                indirect.append(
                    f"{member} line {calls.bare[0]}: {library!r}, loaded by {called}() on line "
                    f"{line}, of {wheel.dist}"
                )
    return found + indirect


def _needing(facts: CellFacts, library: str) -> list[Resolution]:
    """The entries asking for ``library``: those of another wheel's binary first (the
    consumer's), then the library's own wheel (whose binaries the consumer never reached)."""
    compared = library.lower()
    found = [
        r
        for r in facts.needs.resolutions()
        if names.base_name(r.dependency.name).lower() == compared
    ]
    return sorted(found, key=lambda r: r.provider is not None and r.provider.wheel is r.wheel)


def _rpath_words(resolution: Resolution) -> str:
    entries = [
        f"{e.kind} {e.value!r}"
        for e in resolution.arch_slice.rpaths
        if rpath_anchor(resolution.binary, e.value) is not None
    ]
    return ", ".join(entries) or "its own directory"


def _preload_words(facts: CellFacts, owner: Wheel) -> str:
    preload = facts.family.preloads.get(owner.path)
    return preload.describe() if preload is not None else "none found: --preload MODULE[:FUNCTION]"


def _named_bare(facts: CellFacts) -> str | None:
    """A producer library the family's sources load by bare name, for an error that names
    no file (python-magic: ``failed to find libmagic``)."""
    for wheel in facts.family.producers:
        for binary in wheel.binaries:
            if names.is_extension_module(binary):
                continue
            own = next((s.own_name for s in binary.slices if s.own_name), binary.file_name)
            if bare_name_calls(facts.family.wheels, own):
                return own
    return None


def step_cause(facts: CellFacts, step: StepOutcome) -> StepCause:
    """Why one failed step failed, with the fix, from its error and the static picture."""
    message = step.error.message if step.error is not None else ""
    library = missing_library(message) or _named_bare(facts)
    if library is None:
        return StepCause(
            "unexplained",
            step.id,
            f"{step.error.type if step.error else 'error'}: {message}"[:300],
            "read the step's error and traceback in report.json (harness check -v)",
        )
    searched = searched_wheel_data(facts, step, message)
    if searched is not None:
        return searched
    needing = _needing(facts, library)
    if not needing:
        return _needed_by_none(facts, step, library, message)
    resolution = needing[0]
    consumer = f"{resolution.binary.file_name} ({resolution.wheel.dist})"
    provider = resolution.provider
    if provider is None:
        return _provided_by_none(facts, step, library, resolution, consumer)
    owner = provider.wheel
    shared = Resolver(facts.family.wheels).resolve(
        resolution.wheel, resolution.binary, resolution.arch_slice, resolution.dependency
    )
    shared_provider = shared.provider
    if provider.installed is None:
        return _wheel_data(facts, step, library, resolution, shared_provider)
    if (
        shared_provider is not None
        and shared_provider.reached
        and owner is not resolution.wheel
        and not provider.reached
    ):
        here, there = facts.location_of(resolution.wheel), facts.location_of(owner)
        return StepCause(
            "rpath-other-location",
            step.id,
            f"{_rpath_words(resolution)} of {consumer} reaches {provider.installed} "
            f"({owner.dist}) only in one shared directory; here {resolution.wheel.dist} is in "
            f"{here}, {owner.dist} in {there}",
            f"preload it ({_preload_words(facts, owner)}) before the consumer loads, or "
            "install both into one location",
            wheels=(resolution.wheel.dist, owner.dist),
            files=(resolution.binary.path, provider.installed),
        )
    how = _preload_words(facts, owner)
    return StepCause(
        "not-preloaded",
        step.id,
        f"{library} of {owner.dist} ({provider.installed}) was not loaded before {consumer} "
        f"needed it, and no rpath of it reaches that file in this layout (preload: {how})",
        f"preload {owner.dist} before the consumer (its loader, load function or the import "
        "that loads it; --preload MODULE[:FUNCTION]) or give the consumer an rpath to it",
        wheels=(resolution.wheel.dist, owner.dist),
        files=(provider.installed,),
    )


def _data_suffix(member: str) -> str | None:
    """``/lib/mpich/libucs.so.0`` for ``mpich-5.0.2.data/data/lib/mpich/libucs.so.0``: how a
    wheel-data file ends wherever its prefix is (the venv, a ``--target``, the user base)."""
    first, _, rest = member.partition("/")
    scheme, _, inside = rest.partition("/")
    return f"/{inside}" if first.endswith(".data") and scheme == "data" and inside else None


def _data_copies_used(
    facts: CellFacts, evidence: Evidence, locate: Locate, cell_root: Path
) -> set[tuple[str, str]]:
    """(dist, member) of the wheel-data files the process loaded from inside the cell."""
    inside = [
        obj.path
        for obj in evidence.loaded
        if locate(obj.path) is None and PurePosixPath(obj.path).is_relative_to(cell_root.as_posix())
    ]
    found = set()
    for wheel in facts.family.wheels:
        for binary in wheel.binaries:
            suffix = _data_suffix(binary.path)
            if suffix and any(path.endswith(suffix) for path in inside):
                found.add((wheel.dist, binary.path))
    return found


def _needed_by_none(facts: CellFacts, step: StepOutcome, library: str, message: str) -> StepCause:
    """``library`` is missing but no binary the steps need asks for it."""
    calls = bare_name_calls(facts.family.wheels, library)
    if calls:
        return StepCause(
            "bare-name",
            step.id,
            f"{calls[0]} loads {library} by bare name: it works only if something loaded "
            "that SONAME first (glibc answers a bare name from the loaded list), and "
            "here nothing did",
            f"load the producer's file by path first (import the producer, or call its "
            f"preload), or have the consumer open the producer's path instead of {library!r}",
            files=tuple(calls),
        )
    return StepCause(
        "unexplained",
        step.id,
        f"{library} is not found and no binary the steps need asks for it: {message}"[:300],
        "find what loads it (LD_DEBUG=libs) and ship it in a wheel the consumer requires",
    )


def _provided_by_none(
    facts: CellFacts, step: StepOutcome, library: str, resolution: Resolution, consumer: str
) -> StepCause:
    """No wheel of the family ships ``library`` under that name."""
    stem = names.library_stem(library)
    near = [
        (wheel, binary)
        for wheel in facts.family.wheels
        for binary in wheel.binaries
        if not names.is_extension_module(binary) and names.library_stem(binary.file_name) == stem
    ]
    if near:
        wheel, binary = near[0]
        own = next((s.own_name for s in binary.slices if s.own_name), None)
        return StepCause(
            "soname-mismatch",
            step.id,
            f"{consumer} asks for {library}, but {wheel.dist} ships {binary.path} whose "
            f"{NAME_FIELD[binary.format]} is {own!r}: the names differ, so neither a "
            "preload nor a search finds it",
            f"rebuild {resolution.wheel.dist} against the library {wheel.dist} ships (or "
            f"give that library the {NAME_FIELD[binary.format]} {library!r})",
            wheels=(resolution.wheel.dist, wheel.dist),
            files=(binary.path,),
        )
    return StepCause(
        "environment",
        step.id,
        f"{library}, needed by {consumer}, is a system library no wheel of the family "
        "ships; the machine does not have it (the environment, not interop)",
        f"install {library} on the system (the distribution's package), or ship it in a wheel",
        wheels=(resolution.wheel.dist,),
    )


def _wheel_data(
    facts: CellFacts,
    step: StepOutcome,
    library: str,
    resolution: Resolution,
    shared_provider: Provider | None,
) -> StepCause:
    """The provider of ``library`` is wheel data, installed into ``<prefix>/lib``."""
    provider = resolution.provider
    assert provider is not None
    owner = provider.wheel
    consumer = f"{resolution.binary.file_name} ({resolution.wheel.dist})"
    here, there = facts.location_of(resolution.wheel), facts.location_of(owner)
    if shared_provider is not None and shared_provider.reached:
        why = (
            f"{_rpath_words(resolution)} of {consumer} reaches it only when both wheels are "
            f"installed into one prefix; here {resolution.wheel.dist} is in {here}, "
            f"{owner.dist} in {there}"
        )
        fix = "install both into one prefix"
    else:
        why = (
            "no loader searches there (only a conda python's DT_RPATH $ORIGIN/../lib "
            f"does), so {consumer} cannot find it"
        )
        fix = "set an rpath that reaches <prefix>/lib"
    return StepCause(
        "wheel-data",
        step.id,
        f"{library} of {owner.dist} is wheel data ({provider.binary.path}), installed into "
        f"<prefix>/lib outside every package; {why}",
        f"ship the library inside a package of {owner.dist} and preload it by path, or {fix}",
        wheels=(owner.dist, resolution.wheel.dist),
        files=(provider.binary.path,),
    )


def copies(
    facts: CellFacts, evidence: Evidence, locate: Locate, cell_root: Path | None = None
) -> tuple[list[StepCause], dict[str, str]]:
    """Two loaded files counted as one library (a cause each), and for every name several
    wheels ship, the copy the process used (a wheel-data copy by where it lands in its
    prefix: ``data:lib/mpich/libucs.so.0``)."""
    owners: dict[tuple[str, str], Wheel] = {}
    for wheel in facts.family.wheels:
        for key in _binaries_of(facts, wheel):
            owners[key] = wheel
    loaded: dict[str, list[tuple[str, Wheel]]] = {}
    mapped = _mapped(evidence, locate)
    for (label, path), _evidence_path in mapped.items():
        owner = owners.get((label, path))
        if owner is None:
            continue
        binary = next((b for b in owner.binaries if owner.install_path(b.path) == path), None)
        if binary is None or names.is_extension_module(binary):
            continue
        loaded.setdefault(counted_name(posixpath.basename(path)), []).append(
            (f"{label}:{path}", owner)
        )
    causes = []
    for name, found in loaded.items():
        if len(found) > 1:
            shown = [f"{origin} ({wheel.dist})" for origin, wheel in found]
            causes.append(
                StepCause(
                    "two-copies",
                    "",
                    f"two copies of {name} in one process: {' and '.join(shown)}",
                    "leave the library to one wheel (auditwheel --exclude, delocate --exclude, "
                    "delvewheel --no-dll) and preload that one",
                    wheels=tuple(dict.fromkeys(w.dist for _, w in found)),
                    files=tuple(origin for origin, _ in found),
                )
            )
    used: dict[str, str] = {}
    data = _data_copies_used(facts, evidence, locate, cell_root) if cell_root else set()
    for own, shipped in shared_names(facts.family.wheels).items():
        chosen = [
            f"{facts.location_of(wheel)}:{path} ({wheel.dist})"
            for wheel, path in shipped
            if (facts.location_of(wheel), path) in mapped
        ] + [
            f"data:{(_data_suffix(path) or path).lstrip('/')} ({wheel.dist})"
            for wheel, path in shipped
            if (wheel.dist, path) in data
        ]
        used[own] = ", ".join(chosen) or "none loaded"
    return causes, used


def system_copies(
    facts: CellFacts, evidence: Evidence, locate: Locate, cell_root: Path
) -> list[StepCause]:
    """A library a producer ships under its own name (not a repair tool's mangled copy) that
    the process loaded from outside the cell — the machine's copy — while the producer's
    file stayed unloaded, and the family's sources load that name bare: the step worked
    because the system's search answered the ``CDLL``, not because of the family."""
    mapped = _mapped(evidence, locate)
    shipped: dict[str, tuple[Wheel, str, str]] = {}
    for wheel in facts.family.producers:
        for binary in wheel.binaries:
            installed = wheel.install_path(binary.path)
            if names.is_extension_module(binary) or installed is None:
                continue
            if names.unmangled(binary.file_name) != binary.file_name:
                continue  # a private copy by design
            label = facts.location_of(wheel)
            if (label, installed) in mapped:
                continue
            own = next((s.own_name for s in binary.slices if s.own_name), binary.file_name)
            shipped.setdefault(counted_name(binary.file_name), (wheel, installed, own))
    causes = []
    for obj in evidence.loaded:
        path = PurePosixPath(obj.path)
        if locate(obj.path) is not None or path.is_relative_to(cell_root.as_posix()):
            continue
        found = shipped.pop(counted_name(path.name), None)
        if found is None:
            continue
        wheel, installed, own = found
        calls = bare_name_calls(facts.family.wheels, own)
        if not calls:
            continue  # nothing of the family asks for it by name (python's own zlib loads libz)
        how = f" ({calls[0]})"
        causes.append(
            StepCause(
                "environment",
                "",
                f"{own} was loaded from the machine ({obj.path}), not from {wheel.dist} "
                f"({installed}), which nothing loaded: the name was answered by the "
                f"system's search{how}; without that copy the load fails",
                f"load {wheel.dist}'s file first (its preload: "
                f"{_preload_words(facts, wheel)}), so that the name is answered by it",
                wheels=(wheel.dist,),
                files=(obj.path, installed, *calls),
            )
        )
    return causes


def judge(
    facts: CellFacts,
    verdict: CellVerdict,
    evidence: Evidence | None,
    locate: Locate,
    *,
    allow_unexercised: bool = False,
    cell_root: Path | None = None,
) -> CellVerdict:
    """Fill the check's own fields of ``verdict`` (outcome, causes, copies, and the
    producers' libraries no step needs and the process did not load: not exercised)."""
    verdict.not_exercised = facts.needs.not_exercised(facts.family.producers)
    if verdict.status not in ("passed", "failed") or evidence is None:
        verdict.outcome = verdict.status
        return verdict
    loaded_names = {posixpath.basename(obj.path) for obj in evidence.loaded}
    verdict.not_exercised = [
        path for path in verdict.not_exercised if posixpath.basename(path) not in loaded_names
    ]
    twice, verdict.copies_used = copies(facts, evidence, locate, cell_root)
    causes = [step_cause(facts, step) for step in evidence.steps if not step.ok]
    machine = system_copies(facts, evidence, locate, cell_root) if cell_root else []
    verdict.causes = causes + twice + machine
    if machine and verdict.status == "passed":
        verdict.status = "failed"  # it proved the machine, not the family (outcome below)
    never = unexercised_consumers(facts, evidence, locate)
    if verdict.status == "passed" and never is not None:
        verdict.outcome = "nothing-exercised"
        shown = ", ".join(path for _, path in never[:4]) + (" ..." if len(never) > 4 else "")
        hints = list(dict.fromkeys(exercise_hint(w, p) for w, p in never))[:3]
        verdict.causes.append(
            StepCause(
                "nothing-exercised",
                "",
                f"the steps loaded no binary of any consumer ({shown} never loaded): the pass "
                "proves nothing about them",
                f"name what real use loads: {' '.join(hints)}"
                + ("" if allow_unexercised else "; or pass --allow-unexercised"),
                wheels=tuple(dict.fromkeys(w.dist for w, _ in never)),
                files=tuple(p for _, p in never),
            )
        )
        if not allow_unexercised:
            verdict.status = "failed"
        return verdict
    if verdict.status == "passed":
        verdict.outcome = "passed"
    elif verdict.causes and all(c.kind == "environment" for c in verdict.causes):
        verdict.outcome = "environment"
    else:
        verdict.outcome = "failed"
    return verdict


def first_cause(verdict: CellVerdict) -> StepCause | None:
    return verdict.causes[0] if verdict.causes else None
