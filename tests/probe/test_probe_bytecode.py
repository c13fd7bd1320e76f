"""The probe runs from its cached bytecode, and its process looks as it did as a script.

As a script the probe is compiled again in every cell; as the module ``harness_probe`` in
a directory of the work dir each interpreter compiles it once. The control is the script
run: the probed process's ``sys.path`` must be the same either way (the probe's own
directory is gone before any step runs, and ``-c`` leaves no current directory behind).
"""

from __future__ import annotations

import sys
from pathlib import Path

from harness.envs.layout import Layout
from harness.scenarios import probing
from harness.scenarios.probing import ProbeSpec, ProbeStep

SPEC = ProbeSpec(
    steps=(
        ProbeStep(id="path", call="sys:path.copy"),
        ProbeStep(id="probe", call="sys:modules.get", args=["harness_probe"]),
    )
)


def _layout(root: Path) -> Layout:
    return Layout(kind="plain", root=root, python=Path(sys.executable), locations={})


def test_each_interpreter_compiles_the_probe_once(tmp_path: Path) -> None:
    home = tmp_path / "probe-home"
    layout = _layout(tmp_path)

    first = probing.run_probe(layout, SPEC, tmp_path / "cell1", probe_home=home)
    (directory,) = home.iterdir()
    bytecode = directory / "__pycache__" / f"harness_probe.{sys.implementation.cache_tag}.pyc"
    assert bytecode.is_file(), sorted(p.name for p in directory.rglob("*"))
    written = bytecode.stat().st_mtime_ns
    second = probing.run_probe(layout, SPEC, tmp_path / "cell2", probe_home=home)

    assert bytecode.stat().st_mtime_ns == written, "the second probe compiled it again"
    for evidence in (first, second):
        assert str(directory) in str(evidence.step("probe").value), "ran as harness_probe"


def test_the_probed_sys_path_is_the_scripts(tmp_path: Path) -> None:
    layout = _layout(tmp_path)
    as_module = probing.run_probe(layout, SPEC, tmp_path / "a", probe_home=tmp_path / "home")
    as_script = probing.run_probe(layout, SPEC, tmp_path / "b")

    assert as_script.step("probe").value is None, "control: the script runs as __main__"
    module_path = as_module.step("path").value
    assert isinstance(module_path, list)
    assert module_path == as_script.step("path").value
    assert str(tmp_path / "home") not in str(module_path)
    assert "" not in module_path
