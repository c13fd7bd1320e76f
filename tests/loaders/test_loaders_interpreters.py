"""The loader packages import and work on every CPython 3.9+ on this machine."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from loader_testlib import build_dep, build_user, evidence, run_python

from harness import interpreters

WORK = """
import shared_lib_consumer, shared_lib_manager
from shared_lib_manager import LibraryLoader, PlatformLibrary
dep, user = sys.argv[1:3]
loader = LibraryLoader({"libdep": PlatformLibrary(Linux=dep)})
record = loader.load()["libdep"]
emit(version="%d.%d" % sys.version_info[:2], source=record.source, path=record.path,
     value=ctypes.CDLL(user).user_value(), absent=shared_lib_consumer.load_library_module("nope_x"),
     again=loader.load()["libdep"] is record)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="builds ELF libraries with gcc")
@pytest.mark.parametrize("version", ["3.9", "3.10", "3.11", "3.12", "3.13"])
def test_works_on_interpreter(version: str, tmp_path: Path) -> None:
    try:
        python = interpreters.find(version)
    except interpreters.InterpreterNotFoundError as error:
        pytest.skip(f"CPython {version} not on this machine: {error}")
    dep = build_dep(tmp_path / "wheel", "wheel")
    user = build_user(tmp_path / "consumer", dep)

    code = f"sys.argv[1:] = {[str(dep), str(user)]!r}" + WORK
    seen = evidence(run_python(code, python=str(python.executable)))

    assert seen == {
        "version": version,
        "source": "wheel",
        "path": str(dep),
        "value": 42,
        "absent": None,
        "again": True,
    }
