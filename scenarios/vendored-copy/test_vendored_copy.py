"""Custom checks beside vendored-copy: which two copies, and which consumer uses which.

The scenario file can say "two copies of libfoo from site, both reporting libfoo 1.0
wheel"; it cannot say "one at site:libfoo/lib/..., one at site:pyfoo_vendored.libs/...,
and each extension bound to a different one". Both copies are the same build, so the
identity strings cannot tell them apart: the binding is proved with glibc's own trace
(``LD_DEBUG=bindings``: "binding file <consumer> to <library>: normal symbol
`foo_identity'") and the SONAMEs the probe read from the loaded objects.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.evidence import Evidence
from harness.inspect import elf
from harness.scenarios.cell_runner import CellEnvironment
from harness.scenarios.observed import Observed
from harness.scenarios.probing import ProbeSpec

WHEEL_COPY = "site:libfoo/lib/libfoo.so.1"
PRIVATE_COPY = re.compile(r"site:pyfoo_vendored\.libs/(libfoo-[0-9a-f]{8}\.so\.1)")
BINDING = re.compile(
    r"binding file (?P<consumer>.+?) \[\d+\] to (?P<library>.+?) \[\d+\]: "
    r"normal symbol `(?P<symbol>[^']+)'"
)


def _copies(observed: Observed) -> dict[str, Any]:
    return {copy.origin: copy for copy in observed.copies_of("libfoo")}


def test_two_copies_the_wheels_and_the_private_one(
    scenario_evidence: Evidence, scenario_observed: Observed
) -> None:
    copies = _copies(scenario_observed)
    assert len(copies) == 2, sorted(copies)
    assert WHEEL_COPY in copies, sorted(copies)
    (private,) = [origin for origin in copies if PRIVATE_COPY.fullmatch(origin)]
    private_match = PRIVATE_COPY.fullmatch(private)
    assert private_match is not None
    # SONAMEs read from the loaded files by the harness's one ELF reader
    sonames = {
        scenario_observed.origin(obj.path): elf.read(obj.path, Path(obj.path).read_bytes())
        .slices[0]
        .own_name
        for obj in scenario_evidence.loaded
        if obj.path in {copy.path for copy in copies.values()}
    }
    # the loader keys them apart: the private copy carries its mangled name as SONAME
    assert sonames == {WHEEL_COPY: "libfoo.so.1", private: private_match.group(1)}
    for origin, copy in copies.items():
        assert copy.identities == {"foo_identity": "libfoo 1.0 wheel"}, origin


def _bindings(evidence: Evidence, observed: Observed, symbol: str) -> dict[str, str]:
    """Extension origin -> origin of the library glibc bound ``symbol`` to."""
    assert evidence.ld_debug is not None and evidence.ld_debug.text, evidence.ld_debug
    found: dict[str, str] = {}
    for match in BINDING.finditer(evidence.ld_debug.text):
        if match["symbol"] != symbol or "/_pyfoo." not in match["consumer"]:
            continue
        consumer = observed.origin(_real(observed, match["consumer"]))
        found[consumer] = observed.origin(_real(observed, match["library"]))
    return found


def _real(observed: Observed, traced: str) -> str:
    """The loaded object's path for a traced one (glibc prints RPATH-joined ``dir/../x``)."""
    real = str(Path(traced).resolve())
    return next((obj.path for obj in observed.loaded if obj.path == real), traced)


def test_each_extension_is_bound_to_its_own_copy(scenario_environment: CellEnvironment) -> None:
    spec = ProbeSpec.from_scenario(scenario_environment.cell.scenario)
    evidence = scenario_environment.run_probe(spec, name="bindings", ld_debug="bindings")
    assert all(step.ok for step in evidence.steps), evidence.steps
    observed = scenario_environment.observe(evidence)
    bound = _bindings(evidence, observed, "foo_identity")
    pyfoo = next(origin for origin in bound if origin.startswith("site:pyfoo/_pyfoo."))
    vendored = next(origin for origin in bound if origin.startswith("site:pyfoo_vendored/"))
    assert bound[pyfoo] == WHEEL_COPY, bound
    assert PRIVATE_COPY.fullmatch(bound[vendored]), bound


def test_import_order_does_not_merge_the_copies(run_probe: Callable[..., Evidence]) -> None:
    """Unlike a same-SONAME copy (first loaded wins, rpath-consumer-split), the private copy
    has its own SONAME: importing pyfoo_vendored first still ends with two copies."""
    evidence = run_probe(
        {
            "steps": [
                {"id": "vendored-first", "import": "pyfoo_vendored"},
                {"id": "pyfoo-second", "import": "pyfoo"},
            ],
            "symbols": [],
            "identity_functions": ["foo_identity"],
        }
    )
    assert [step.ok for step in evidence.steps] == [True, True], evidence.steps
    assert len(evidence.copies_of("foo")) == 2, evidence.loaded
    assert len(evidence.identities_from("foo_identity")) == 2
