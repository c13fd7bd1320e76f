"""The probe runs from its cached bytecode, and its process looks as it did as a script.

As a script (its package directory, run) the probe is compiled again in every cell; as the
package ``harness_probe`` in a directory of the work dir each interpreter compiles it once.
The control is the script run: the probed process's ``sys.path`` must be the same either
way (the probe's own directory is gone before any step runs, and ``-c`` leaves no current
directory behind).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness import sandbox
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


def test_the_probe_is_cached_under_pythondontwritebytecode(tmp_path: Path) -> None:
    """Every layout sets ``PYTHONDONTWRITEBYTECODE=1``: the probe's own bytecode is still
    written once, while the probed package keeps the setting (its steps see it on)."""
    home = tmp_path / "probe-home"
    env = {"PYTHONDONTWRITEBYTECODE": "1"}
    spec = ProbeSpec(
        steps=(
            ProbeStep(
                id="flag", call="builtins:eval", args=["__import__('sys').dont_write_bytecode"]
            ),
        )
    )
    first = probing.run_probe(
        _layout(tmp_path), spec, tmp_path / "c1", probe_home=home, extra_env=env
    )
    (directory,) = home.iterdir()
    tag = sys.implementation.cache_tag
    assert (directory / probing.PROBE_MODULE / "__pycache__" / f"__init__.{tag}.pyc").is_file()
    assert first.step("flag").value is True
    # control: a plain import under the same variable writes nothing
    plain = tmp_path / "plain"
    (plain / "pkg").mkdir(parents=True)
    (plain / "pkg" / "__init__.py").write_text("X = 1\n")
    subprocess.run(
        [sys.executable, "-c", "import pkg"],
        cwd=plain,
        env={**os.environ, **env},
        check=True,
    )
    assert not (plain / "pkg" / "__pycache__").exists()


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


def _bytecode(home: Path) -> dict[str, int]:
    """The probe's bytecode files under ``home`` for this interpreter, with their mtimes."""
    tag = sys.implementation.cache_tag
    return {p.name: p.stat().st_mtime_ns for p in home.rglob(f"*.{tag}.pyc")}


def test_a_sandboxed_probe_runs_from_bytecode_written_outside(tmp_path: Path) -> None:
    """In the sandbox the probe's directory is bound read-only, so the probe cannot cache
    its own bytecode there: the control's sandboxed runs leave none, and each compiled the
    probe again. Written beforehand by the trusted interpreter of the cell's version
    (``-I -S``, no ``.pth`` of any wheel), it is there for every sandboxed run, unchanged."""
    chosen, reason = sandbox.availability()
    if chosen is None:
        pytest.skip(f"no sandbox here: {reason}")
    real = Path(os.path.realpath(sys.executable))  # the installation's, bound in the sandbox
    layout = Layout(kind="plain", root=tmp_path, python=real, locations={})
    with sandbox.using("on"):
        control = tmp_path / "control-home"
        for index in range(2):
            probing.run_probe(layout, SPEC, tmp_path / f"c{index}", probe_home=control)
        assert _bytecode(control) == {}  # read-only: nothing was cached
        home = tmp_path / "home"
        probing.precompile_probe(home, real)
        written = _bytecode(home)
        assert {"__init__", "readers"} <= {name.split(".")[0] for name in written}
        evidence = probing.run_probe(layout, SPEC, tmp_path / "sandboxed", probe_home=home)
    assert _bytecode(home) == written
    assert str(home) in str(evidence.step("probe").value), "ran as harness_probe from home"
