"""No libfoo.so.2 in the process, although conda's copy is there and findable.

The scenario's ``copies = 1`` already counts every major version; this check names
the wrong major explicitly, and its positive control makes the absence meaningful:
the same process *can* load ``$CONDA_PREFIX/lib/libfoo.so.2`` by its bare name (the
DT_RPATH search reaches the prefix's lib/), it just never has a reason to.
"""

from __future__ import annotations

from harness.scenarios.cell_runner import CellEnvironment
from harness.scenarios.observed import Observed

WRONG_MAJOR = "libfoo.so.2"


def test_conda_provides_only_the_other_major(scenario_environment: CellEnvironment) -> None:
    conda_lib = scenario_environment.layout.locations["conda-lib"]
    assert (conda_lib / WRONG_MAJOR).is_file()
    assert not (conda_lib / "libfoo.so.1").exists()


def test_nothing_loaded_the_wrong_major(scenario_observed: Observed) -> None:
    names = [copy.path.rsplit("/", 1)[-1] for copy in scenario_observed.copies_of("libfoo")]
    assert names == ["libfoo.so.1"]
    assert [copy.label for copy in scenario_observed.copies_of("libfoo")] == ["site"]


def test_conda_libfoo2_is_findable_by_the_prefix_python(
    scenario_environment: CellEnvironment,
) -> None:
    """Positive control: a bare-name load of libfoo.so.2 in this layout gets conda's file."""
    spec = {
        "steps": [
            {"id": "import", "import": "pyfoo"},
            {"id": "load-so2", "call": "ctypes.CDLL", "args": [WRONG_MAJOR], "kwargs": {}},
        ],
        "symbols": [],
        "identity_functions": ["foo_identity"],
    }
    evidence = scenario_environment.run_probe(spec, name="so2-control")
    assert [step.ok for step in evidence.steps] == [True, True], evidence.steps
    observed = scenario_environment.observe(evidence)
    found = {
        copy.origin: copy.identities.get("foo_identity") for copy in observed.copies_of("libfoo")
    }
    assert found == {
        "site:libfoo/lib/libfoo.so.1": "libfoo 1.0 wheel",
        "conda-lib:libfoo.so.2": "libfoo 2.0 conda",
    }
