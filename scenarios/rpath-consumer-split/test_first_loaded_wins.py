"""Custom check beside rpath-consumer-split: the order of imports decides.

Same layout as the scenario, other order: once pyfoo has preloaded libfoo from the
target directory, the RPATH consumer's DT_NEEDED libfoo.so.1 is answered from the
already-loaded object (glibc matches the SONAME; dyld the install name) and its
import succeeds. Failure mode 6 of LOADER-FACTS ("first loaded wins"), proved with
evidence: one copy, from target, and the RPATH consumer bound to it.
"""

from __future__ import annotations

from collections.abc import Callable

from harness.evidence import Evidence
from harness.scenarios.cell_runner import CellEnvironment

REVERSED = {
    "steps": [
        {"id": "preloading-first", "import": "pyfoo"},
        {"id": "rpath-second", "import": "pyfoo_rpath"},
        {"id": "rpath-identity", "call": "pyfoo_rpath.identity", "args": [], "kwargs": {}},
    ],
    "symbols": ["foo_identity"],
    "identity_functions": ["foo_identity"],
}


def test_rpath_consumer_works_after_the_preloading_one(
    run_probe: Callable[..., Evidence], scenario_environment: CellEnvironment
) -> None:
    evidence = run_probe(REVERSED)
    assert [step.ok for step in evidence.steps] == [True, True, True], evidence.steps
    assert evidence.step("rpath-identity").value == "libfoo 1.0 wheel"
    observed = scenario_environment.observe(evidence)
    assert [copy.origin.split(":")[0] for copy in observed.copies_of("libfoo")] == ["target"]
    assert not evidence.symbol("foo_identity").is_global


def test_scenario_order_fails_first(scenario_evidence: Evidence) -> None:
    """The scenario's own order (RPATH consumer first) is the negative control."""
    assert scenario_evidence.step("import-rpath-consumer").ok is False
    assert scenario_evidence.step("import-preloading-consumer").ok is True
