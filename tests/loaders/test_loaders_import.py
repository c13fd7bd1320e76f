"""Importing either module only defines things: no heavy imports, no loading; a load
imports only ``_ctypes``, and ``ctypes`` comes with the first use of ``handle``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from loader_testlib import CONSUMER_DIR, LINUX_ONLY, MANAGER_DIR, build_dep, clean_env

# __future__ too: `from __future__ import annotations` imports it (a few hundred µs cold).
HEAVY = ["ctypes", "logging", "pathlib", "typing", "platform", "importlib.util", "threading"]
HEAVY += ["__future__", "shared_lib_manager_diagnostics", "re", "zipfile", "_ctypes"]


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


LAZY_HANDLE = """
import json, os, sys
sys.path[:0] = [sys.argv[2]]
from shared_lib_manager import LibraryLoader, PlatformLibrary
record = LibraryLoader({"libdep": PlatformLibrary(Linux=sys.argv[1])}).load()["libdep"]
after_load = sorted(m for m in ("ctypes", "_ctypes", "shared_lib_manager_diagnostics") if m in sys.modules)
maps = open("/proc/self/maps").read()
handle = record.handle
import ctypes
again = ctypes.CDLL(sys.argv[1], mode=os.RTLD_NOLOAD | os.RTLD_LOCAL)
print(json.dumps({
    "after_load": after_load,
    "mapped_before_handle": os.path.realpath(sys.argv[1]) in maps,
    "same_object": record.handle is handle,
    "is_cdll": isinstance(handle, ctypes.CDLL),
    "value": handle.dep_value(),
    "same_dlopen_handle": handle._handle == again._handle,
}))
"""


@LINUX_ONLY
def test_a_load_maps_the_library_without_ctypes_and_the_handle_wraps_that_load(
    tmp_path: Path,
) -> None:
    """``load()`` opens the file through ``_ctypes`` alone; ``handle`` is a ``CDLL`` made
    once from the same ``dlopen`` handle (RTLD_NOLOAD finds the very same one)."""
    dep = build_dep(tmp_path, "lazy")
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", LAZY_HANDLE, str(dep), str(MANAGER_DIR)],
        env=clean_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    seen = json.loads(result.stdout)
    assert seen["after_load"] == ["_ctypes"], "a successful load imports ctypes or the companion"
    assert seen["mapped_before_handle"], "the library is loaded before anyone asks for a handle"
    assert seen == {**seen, "same_object": True, "is_cdll": True, "value": 41}
    assert seen["same_dlopen_handle"], "handle wraps the load's own dlopen handle"
