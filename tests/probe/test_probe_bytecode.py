"""The probe runs from its cached bytecode, and its process looks as it did as a script.

As a script (its package directory, run) the probe is compiled again in every cell; as the
package ``harness_probe`` in a directory of the work dir each interpreter compiles it once.
The control is the script run: the probed process's ``sys.path`` must be the same either
way (the probe's own directory is gone before any step runs, and ``-c`` leaves no current
directory behind).
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
    cache = directory / probing.PROBE_MODULE / "__pycache__"
    tag = sys.implementation.cache_tag
    bytecode = [cache / f"{name}.{tag}.pyc" for name in ("__init__", "readers")]
    assert all(b.is_file() for b in bytecode), sorted(p.name for p in directory.rglob("*"))
    written = [b.stat().st_mtime_ns for b in bytecode]
    second = probing.run_probe(layout, SPEC, tmp_path / "cell2", probe_home=home)

    assert [b.stat().st_mtime_ns for b in bytecode] == written, "the second probe compiled it"
    for evidence in (first, second):
        assert str(directory) in str(evidence.step("probe").value), "ran as harness_probe"


def test_the_probed_sys_path_is_the_scripts(tmp_path: Path) -> None:
    layout = _layout(tmp_path)
    as_module = probing.run_probe(layout, SPEC, tmp_path / "a", probe_home=tmp_path / "home")
    as_script = probing.run_probe(layout, SPEC, tmp_path / "b")

    # control: the script run loads the package from the harness, not from the work dir
    assert str(probing.PROBE_SCRIPT) in str(as_script.step("probe").value)
    assert str(tmp_path / "home") in str(as_module.step("probe").value)
    module_path = as_module.step("path").value
    assert isinstance(module_path, list)
    assert module_path == as_script.step("path").value
    assert str(tmp_path / "home") not in str(module_path)
    assert "" not in module_path
