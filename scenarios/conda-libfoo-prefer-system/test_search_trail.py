"""Why prefer_system finds conda's copy: glibc's own trace of the bare-name search.

``ctypes.CDLL("libfoo.so.1")`` calls ``dlopen`` from ``_ctypes`` (lib-dynload). glibc
searches the ``DT_RPATH`` of that calling object and of the objects that loaded it,
then the executable's ``DT_RPATH`` -- but only while the caller has no ``DT_RUNPATH``
-- and only then ``LD_LIBRARY_PATH``, the cache and the system directories.

1. In the prefix as made, ``_ctypes`` carries ``DT_RPATH $ORIGIN/../..`` (the local
   python package keeps the source's RPATH that way, relocated as conda-build
   relocates RPATHs): the trace shows ``$CONDA_PREFIX/lib`` searched first, "RPATH from file
   .../_ctypes...so". (Where ``_ctypes`` has no RPATH, the executable's is expected.)
2. A copy of the prefix whose ``_ctypes`` has no RPATH at all: the executable's
   ``DT_RPATH $ORIGIN/../lib`` finds the same file ("RPATH from file .../python").
3. Negative control: ``_ctypes`` with a ``DT_RUNPATH`` switches every RPATH off; the
   bare name is not found in the prefix and the loader falls back to the wheel's file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from harness.conda import elf
from harness.conda.ld_trace import LibrarySearch, first_search, same_file
from harness.evidence import Evidence
from harness.scenarios.cell_runner import CellEnvironment
from harness.scenarios.probing import ProbeSpec

LIBRARY = "libfoo.so.1"
PREFER = (
    "import shared_lib_consumer as c; "
    "print(c.load_library_module('libfoo', prefer_system=True)['libfoo'].source)"
)


def _trace(evidence: Evidence) -> str:
    assert evidence.ld_debug is not None and evidence.ld_debug.text, evidence.ld_debug
    return evidence.ld_debug.text


def test_conda_lib_is_searched_first_through_the_callers_rpath(
    scenario_environment: CellEnvironment,
) -> None:
    spec = ProbeSpec.from_scenario(scenario_environment.cell.scenario)
    evidence = scenario_environment.run_probe(spec, name="trail", ld_debug="libs")
    assert evidence.step("identity").value == "libfoo 1.0 conda"
    conda_lib = scenario_environment.layout.locations["conda-lib"]
    search = first_search(_trace(evidence), LIBRARY)
    # Which DT_RPATH answers follows from _ctypes's own dynamic section: its RPATH when
    # it has one (as in the local python package), else the
    # executable's; a DT_RUNPATH would switch both off (the last test).
    (ctypes_module,) = conda_lib.glob("python3.*/lib-dynload/_ctypes.cpython-*.so")
    facts = elf.read(ctypes_module)
    assert elf.search_path(facts, "DT_RUNPATH") == [], facts
    owner = "/lib-dynload/_ctypes." if elf.search_path(facts, "DT_RPATH") else "/bin/python"
    _assert_found_first_through_rpath_of(search, conda_lib, owner)


def _assert_found_first_through_rpath_of(search: LibrarySearch, lib_dir: Path, owner: str) -> None:
    """The first directory searched is ``lib_dir``, by the DT_RPATH of a file matching ``owner``,
    and the first file tried there is the library."""
    first = search.searched[0]
    assert [same_file(d, lib_dir) for d in first.directories] == [True], search
    assert first.from_rpath_of is not None and owner in first.from_rpath_of, search
    assert same_file(search.tried[0], lib_dir / LIBRARY), search


def _variant(scenario_environment: CellEnvironment, name: str) -> tuple[Path, Path]:
    """A hard-linked copy of the cell's prefix with its own (unshared) ``_ctypes`` file."""
    prefix = scenario_environment.layout.locations["conda-lib"].parent
    copy = scenario_environment.cell_dir / name
    if copy.exists():
        shutil.rmtree(copy)
    subprocess.run(["cp", "-al", str(prefix), str(copy)], check=True)
    (ctypes_module,) = copy.glob("lib/python3.*/lib-dynload/_ctypes.cpython-*.so")
    private = ctypes_module.with_name("private.so")
    shutil.copy2(ctypes_module, private)
    private.replace(ctypes_module)  # a new inode: the template's file is left alone
    return copy, ctypes_module


def _run(prefix: Path, trace_dir: Path) -> tuple[str, str]:
    """``(how libfoo's loader says it loaded libfoo, glibc's trace)`` from the prefix's python."""
    if trace_dir.exists():
        shutil.rmtree(trace_dir)
    trace_dir.mkdir(parents=True)
    trace = trace_dir / "ld"
    env = {
        "PATH": f"{prefix / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "CONDA_PREFIX": str(prefix),
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "LD_DEBUG": "libs",
        "LD_DEBUG_OUTPUT": str(trace),
    }
    done = subprocess.run(
        [str(prefix / "bin" / "python"), "-c", PREFER],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    (written,) = trace.parent.glob(trace.name + ".*")
    return done.stdout.strip(), written.read_text(errors="replace")


@pytest.mark.skipif(shutil.which("patchelf") is None, reason="patchelf is not on PATH")
def test_executable_rpath_is_the_fallback_and_runpath_switches_it_off(
    scenario_environment: CellEnvironment,
) -> None:
    prefix, ctypes_module = _variant(scenario_environment, "variant-prefix")
    subprocess.run(["patchelf", "--remove-rpath", str(ctypes_module)], check=True)
    source, trace = _run(prefix, prefix.parent / "trace-no-rpath")
    search = first_search(trace, LIBRARY)
    assert source == "system", search
    _assert_found_first_through_rpath_of(search, prefix / "lib", "/bin/python")

    # An existing, empty directory, so glibc lists the RUNPATH search in its trace.
    empty = prefix.parent / "empty-runpath-dir"
    empty.mkdir(exist_ok=True)
    subprocess.run(["patchelf", "--set-rpath", str(empty), str(ctypes_module)], check=True)
    source, trace = _run(prefix, prefix.parent / "trace-runpath")
    search = first_search(trace, LIBRARY)
    assert source == "wheel-fallback", search
    assert all(path.from_rpath_of is None for path in search.searched), search
    assert any(
        path.reason.startswith("RUNPATH from file") and "/_ctypes." in path.reason
        for path in search.searched
    ), search
    searched = [d for path in search.searched for d in path.directories]
    assert not any(same_file(d, prefix / "lib") for d in searched), search
