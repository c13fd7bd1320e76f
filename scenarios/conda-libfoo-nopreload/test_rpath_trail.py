"""Which RPATH hands pyfoo_nopreload conda's copy: glibc's own trace says the executable's.

The extension has no RPATH and was loaded by ``dlopen`` (the import system), so for
its ``DT_NEEDED libfoo.so.1`` glibc searches the executable's ``DT_RPATH`` after the
extension's own (none): the first directory searched is ``$CONDA_PREFIX/lib``,
"RPATH from file .../bin/python", and the first file tried there is conda's copy.
"""

from __future__ import annotations

from harness.conda.ld_trace import first_search, same_file
from harness.scenarios.cell_runner import CellEnvironment
from harness.scenarios.probing import ProbeSpec


def test_conda_lib_comes_from_the_executables_rpath(
    scenario_environment: CellEnvironment,
) -> None:
    spec = ProbeSpec.from_scenario(scenario_environment.cell.scenario)
    evidence = scenario_environment.run_probe(spec, name="trail", ld_debug="libs")
    assert evidence.step("identity").value == "libfoo 1.0 conda"
    assert evidence.ld_debug is not None and evidence.ld_debug.text, evidence.ld_debug
    conda_lib = scenario_environment.layout.locations["conda-lib"]
    search = first_search(evidence.ld_debug.text, "libfoo.so.1")
    first = search.searched[0]
    assert [same_file(d, conda_lib) for d in first.directories] == [True], search
    assert first.from_rpath_of is not None, search
    assert same_file(first.from_rpath_of, scenario_environment.layout.python), search
    assert same_file(search.tried[0], conda_lib / "libfoo.so.1"), search
