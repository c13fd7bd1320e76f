"""Control beside producer-broken-system-fallback: without the variable the loader fails.

The system copy stays on LD_LIBRARY_PATH, but with PREFER_LIBFOO_SYSTEM_LIBRARY=0 the
loader opens only the wheel's declared path, which is missing: LibraryLoadError, no
copy loaded. The search path alone does not rescue a broken producer (the preload
fails before the extension's DT_NEEDED is ever resolved), so the variable is what makes
the scenario pass.
"""

from __future__ import annotations

from collections.abc import Callable

from harness.evidence import Evidence
from harness.scenarios.cell_runner import CellEnvironment

IMPORT_ONLY = {
    "steps": [{"id": "import", "import": "pyfoo"}],
    "symbols": [],
    "identity_functions": ["foo_identity"],
}


def test_without_the_variable_the_broken_wheel_fails(
    run_probe: Callable[..., Evidence], scenario_environment: CellEnvironment
) -> None:
    evidence = run_probe(IMPORT_ONLY, {"PREFER_LIBFOO_SYSTEM_LIBRARY": "0"})
    step = evidence.step("import")
    assert not step.ok
    assert step.error is not None
    assert step.error.type == "LibraryLoadError", step.error
    assert "PREFER_LIBFOO_SYSTEM_LIBRARY is not true" in step.error.message
    assert "the library file is missing although the installed distribution libfoo==1.0" in (
        step.error.message
    )
    assert scenario_environment.observe(evidence).copies_of("libfoo") == []
