"""Negative control beside ld-library-path-shadow: the consumer without preloading first.

Nothing is loaded for pyfoo_nopreload yet, so the loader searches, and
LD_LIBRARY_PATH (before the default directories) yields the system build. pyfoo's
preload then opens the wheel's file by absolute path: glibc maps it as a second
object although its SONAME is already loaded (a dlopen by a new path is not matched
by SONAME), and pyfoo's own DT_NEEDED is answered by the first object with that
SONAME: the system copy. Two copies, both consumers bound to the wrong one.
"""

from __future__ import annotations

from collections.abc import Callable

from harness.evidence import Evidence
from harness.scenarios.cell_runner import CellEnvironment

NOPRELOAD_FIRST = {
    "steps": [
        {"id": "import-nopreload", "import": "pyfoo_nopreload"},
        {"id": "nopreload-identity", "call": "pyfoo_nopreload.identity", "args": [], "kwargs": {}},
        {"id": "import-preloading", "import": "pyfoo"},
        {"id": "preloading-identity", "call": "pyfoo.identity", "args": [], "kwargs": {}},
    ],
    "symbols": ["foo_identity"],
    "identity_functions": ["foo_identity"],
}


def test_first_loaded_wins_when_nothing_preloads_first(
    run_probe: Callable[..., Evidence], scenario_environment: CellEnvironment
) -> None:
    evidence = run_probe(NOPRELOAD_FIRST)
    assert [step.ok for step in evidence.steps] == [True, True, True, True], evidence.steps
    assert evidence.step("nopreload-identity").value == "libfoo 1.0 system"
    assert evidence.step("preloading-identity").value == "libfoo 1.0 system"
    observed = scenario_environment.observe(evidence)
    origins = sorted(copy.origin for copy in observed.copies_of("libfoo"))
    assert origins == ["site:libfoo/lib/libfoo.so.1", "system:libfoo.so.1"], origins
