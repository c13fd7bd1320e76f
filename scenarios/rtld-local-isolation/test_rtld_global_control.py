"""Negative control beside rtld-local-isolation: what RTLD_GLOBAL would do on Linux.

glibc resolves a symbol reference in the global scope (the executable, its
dependencies, every RTLD_GLOBAL object) before the referencing object's own
dependencies. With libclasha opened RTLD_GLOBAL, pyclashb's reference to
clash_value() is answered by libclasha although pyclashb's DT_NEEDED names
libclashb: the interposition that the loader packages' RTLD_LOCAL prevents.
macOS (two-level namespace) and Windows (imports name their DLL) do not interpose
this way, so the control is Linux-only.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from harness import platforms
from harness.evidence import Evidence
from harness.scenarios.cell_runner import CellEnvironment


@pytest.mark.skipif(
    platforms.current().name != "linux",
    reason="ELF global-scope interposition is glibc's rule; dyld and Windows bind per library",
)
def test_rtld_global_producer_interposes_on_the_other_consumer(
    run_probe: Callable[..., Evidence], scenario_environment: CellEnvironment
) -> None:
    site = scenario_environment.layout.location("site")
    libclasha = str(site / "libclasha" / "lib" / "libclasha.so.1")
    evidence = run_probe(
        {
            "steps": [
                {"id": "global-a", "call": "ctypes.CDLL", "args": [libclasha, os.RTLD_GLOBAL]},
                {"id": "import-b", "import": "pyclashb"},
                {"id": "value-b", "call": "pyclashb.value", "args": [], "kwargs": {}},
            ],
            "symbols": ["clash_value"],
            "identity_functions": [],
        }
    )
    assert [step.ok for step in evidence.steps] == [True, True, True], evidence.steps
    assert evidence.step("value-b").value == "a"  # pyclashb answered by libclasha
    assert evidence.symbol("clash_value").is_global
