"""Importing either module only defines things: no heavy imports, no loading."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from loader_testlib import CONSUMER_DIR, MANAGER_DIR, clean_env

# __future__ too: `from __future__ import annotations` imports it (a few hundred µs cold).
HEAVY = ["ctypes", "logging", "pathlib", "typing", "platform", "importlib.util", "threading"]
HEAVY += ["__future__", "shared_lib_manager_diagnostics", "re", "zipfile"]


@pytest.mark.parametrize("module", ["shared_lib_manager", "shared_lib_consumer"])
def test_import_pulls_in_nothing_heavy(module: str) -> None:
    code = (
        "import json, sys\n"
        f"sys.path[:0] = {[str(MANAGER_DIR), str(CONSUMER_DIR)]!r}\n"
        f"before = set(sys.modules)\nimport {module}\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", code],
        env=clean_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    added = json.loads(result.stdout)
    assert module in added
    assert not set(HEAVY) & set(added), added


def test_constructing_a_loader_loads_nothing() -> None:
    import shared_lib_manager as slm

    loader = slm.LibraryLoader(
        {
            "libnothere": slm.PlatformLibrary(
                Linux="/nonexistent/libnothere.so.1", default=lambda: "/x/y.so"
            )
        }
    )
    assert loader.loaded == {}
