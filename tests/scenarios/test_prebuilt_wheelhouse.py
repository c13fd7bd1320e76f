"""The runner's prebuilt wheelhouse (``HARNESS_WHEELHOUSE=<dir>``, ``<dir>/<python tag>/index.json``).

CI builds the wheels once per OS and hands them to the test jobs: a cell must then
install exactly those files and build nothing. The prebuilt ``shared_lib_manager`` here
carries a marker function no real build has, so the probe's evidence shows which wheel
was installed; the work directory's build cache shows that nothing was built.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scenario_testlib import pure_wheel

from harness import interpreters, platforms
from harness.builder import Wheelhouse
from harness.builder.wheelhouse import WheelEntry
from harness.hashing import file_sha256
from harness.scenarios import parse
from harness.scenarios.cell_runner import CellRunner
from harness.scenarios.cells import Cell, Selection, expand
from harness.scenarios.verdict import CellFailedError
from harness.scenarios.wheel_builds import PREBUILT_WHEELHOUSE_VAR
from harness.workdir import WorkDir

pytestmark = pytest.mark.slow  # creates a venv

MARKER = "shared_lib_manager from the prebuilt wheelhouse"

SCENARIO = """\
schema = 1
description = "A cell that installs a wheel of the prebuilt wheelhouse."
platforms = ["linux", "macos", "windows"]
layouts = ["venv"]
installers = ["uv"]

[[install]]
location = "site"
wheels = ["shared_lib_manager"]

[[steps]]
id = "import"
import = "shared_lib_manager"

[[steps]]
id = "marker"
call = "shared_lib_manager.prebuilt_marker"
expect = { value = "shared_lib_manager from the prebuilt wheelhouse" }
"""


def _prebuilt(root: Path, tag: str) -> Path:
    house = Wheelhouse(root / tag, tag, platforms.current().name)
    house.directory.mkdir(parents=True)
    source = f"def prebuilt_marker():\n    return {MARKER!r}\n"
    wheel = pure_wheel(
        house.directory, "shared-lib-manager", "shared_lib_manager", source, version="0.1.0"
    )
    house.wheels["shared_lib_manager"] = WheelEntry(
        file=wheel.name,
        dist="shared-lib-manager",
        version="0.1.0",
        role="loader",
        sha256=file_sha256(wheel),
    )
    house.write()
    return root


def _cell(tmp_path: Path) -> Cell:
    path = tmp_path / "scenarios" / "prebuilt" / parse.SCENARIO_FILE
    path.parent.mkdir(parents=True)
    path.write_text(SCENARIO, encoding="utf-8")
    (cell,) = expand(parse.load(path), Selection())
    return cell


def _built_anything(workdir: WorkDir) -> list[Path]:
    """Build products and build logs the builder would have left in the work directory."""
    root = workdir.root
    found = [*(root / "cache" / "wheels").glob("*"), *(root / "cache" / "prefixes").glob("*")]
    found += [*(root / "logs" / "build").glob("*"), *(root / "wheelhouse").glob("*")]
    return found


def test_a_cell_uses_the_prebuilt_wheels_and_builds_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cell = _cell(tmp_path)
    tag = interpreters.find(cell.python).tag
    monkeypatch.setenv(PREBUILT_WHEELHOUSE_VAR, str(_prebuilt(tmp_path / "prebuilt", tag)))
    workdir = WorkDir(tmp_path / "work")

    environment = CellRunner(workdir).environment(cell)
    evidence = environment.evidence()

    assert evidence.step("import").ok, evidence.step("import").error
    assert evidence.step("marker").value == MARKER
    imported = evidence.step("import").module_file
    assert imported is not None
    assert environment.layout.label_of(imported) == ("site", "shared_lib_manager/__init__.py")
    assert _built_anything(workdir) == []


def test_a_wrong_prebuilt_directory_names_the_path_and_harness_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cell = _cell(tmp_path)
    tag = interpreters.find(cell.python).tag
    wrong = tmp_path / "no-wheelhouse-here"
    (wrong / tag).mkdir(parents=True)
    monkeypatch.setenv(PREBUILT_WHEELHOUSE_VAR, str(wrong))
    workdir = WorkDir(tmp_path / "work")

    with pytest.raises(CellFailedError) as raised:
        CellRunner(workdir).environment(cell)

    message = str(raised.value)
    assert str(wrong / tag / "index.json") in message
    assert "harness build" in message
    assert _built_anything(workdir) == []
