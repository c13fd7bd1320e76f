"""Control beside preload-linker-script: the file the script names is the right one.

Same layout, same wheels, the producer fixed the way the error message says: before
pyfoo is imported, ``libfoo.loader`` is replaced by a loader declaring lib/libfoo.so.1
(the file named by the SONAME). pyfoo's load_library_module("libfoo") then loads that,
and pyfoo's DT_NEEDED libfoo.so.1 is answered by it: one libfoo, from site, not global.
So the scenario's failure comes from the declared file alone.
"""

from __future__ import annotations

from collections.abc import Callable

from harness.evidence import Evidence
from harness.scenarios.cell_runner import CellEnvironment

DECLARE_SONAME_FILE = {
    "steps": [
        {"id": "load-soname-file", "call": "soname_control.load", "args": [], "kwargs": {}},
        {"id": "import", "import": "pyfoo"},
        {"id": "identity", "call": "pyfoo.identity", "args": [], "kwargs": {}},
    ],
    "symbols": ["foo_identity"],
    "identity_functions": ["foo_identity"],
}

CONTROL_MODULE = '''\
"""The producer's fix, applied in process: libfoo declares the file its SONAME names."""
import os

import libfoo
from shared_lib_manager import LibraryLoader, PlatformLibrary


def load():
    lib_dir = os.path.join(os.path.dirname(libfoo.__file__), "lib")
    library = PlatformLibrary(Linux=os.path.join(lib_dir, "libfoo.so.1"))
    libfoo.loader = LibraryLoader({"libfoo": library})
    return libfoo.loader.load()["libfoo"].source
'''


def test_declaring_the_soname_file_loads_and_serves_pyfoo(
    run_probe: Callable[..., Evidence], scenario_environment: CellEnvironment
) -> None:
    module_dir = scenario_environment.cell_dir / "control-module"
    module_dir.mkdir(exist_ok=True)
    (module_dir / "soname_control.py").write_text(CONTROL_MODULE, encoding="utf-8")
    evidence = run_probe(DECLARE_SONAME_FILE, {"PYTHONPATH": str(module_dir)})
    assert [step.ok for step in evidence.steps] == [True, True, True], evidence.steps
    assert evidence.step("load-soname-file").value == "wheel"
    assert evidence.step("identity").value == "libfoo 1.0 wheel"
    observed = scenario_environment.observe(evidence)
    assert [copy.origin for copy in observed.copies_of("libfoo")] == ["site:libfoo/lib/libfoo.so.1"]
    assert not evidence.symbol("foo_identity").is_global
