"""The consumer built from source follows whichever libfoo.so.1 is loaded first.

Conda's copy loaded (by path) before ``import pyfoo``: pyfoo's preload still loads the
wheel's file by its path, a second object with the same SONAME, but glibc answers the
extension's ``DT_NEEDED libfoo.so.1`` with the first loaded object of that name, conda's.
The scenario's own order (preload first) is the control: there the wheel's copy answers.
"""

from __future__ import annotations

from collections.abc import Callable

from harness.envs.layout import Layout
from harness.evidence import Evidence
from harness.scenarios.cell_runner import CellEnvironment
from harness.scenarios.source_evidence import check_clean_build


def test_conda_copy_loaded_first_answers_the_source_built_consumer(
    run_probe: Callable[..., Evidence], scenario_environment: CellEnvironment
) -> None:
    layout: Layout = scenario_environment.layout
    check_clean_build(layout, "pyfoo", linked_from=None)
    conda_first = {
        "steps": [
            {"id": "conda-first", "load": str(layout.locations["conda-lib"] / "libfoo.so.1")},
            {"id": "import", "import": "pyfoo"},
            {"id": "identity", "call": "pyfoo.identity", "args": [], "kwargs": {}},
        ],
        "symbols": ["foo_identity"],
        "identity_functions": ["foo_identity"],
    }
    evidence = run_probe(conda_first)
    assert [step.ok for step in evidence.steps] == [True, True, True], evidence.steps
    assert evidence.step("identity").value == "libfoo 1.0 conda"
    observed = scenario_environment.observe(evidence)
    origins = sorted(copy.label for copy in observed.copies_of("libfoo"))
    assert origins == ["conda-lib", "site"], origins  # the wheel's preload made a second copy


def test_scenario_order_binds_the_wheel(scenario_evidence: Evidence) -> None:
    assert scenario_evidence.step("identity").value == "libfoo 1.0 wheel"
