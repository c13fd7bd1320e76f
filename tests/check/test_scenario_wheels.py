"""Scenarios that name wheels outside the catalogue (``[wheels]``), through the real runner."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from harness import interpreters, platforms
from harness.scenarios import parse
from harness.scenarios.cell_runner import CellRunner
from harness.scenarios.cells import Cell
from harness.scenarios.wheel_builds import PREBUILT_WHEELHOUSE_VAR
from harness.workdir import WorkDir

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(platforms.current().name != "linux", reason="Linux file names below"),
]

SCENARIO = """
schema = 1
description = "every wheel from a directory beside the scenario"
platforms = ["linux"]

[wheels]
manager = "dist/shared_lib_manager-*.whl"
consumer = "dist/shared_lib_consumer-*.whl"
producer = "dist/libfoo-*.whl"
extension = "{extension}"

[[install]]
location = "user"
wheels = ["manager", "producer"]

[[install]]
location = "site"
wheels = ["consumer", "extension"]

[[steps]]
load = "{{location:user}}/libfoo/lib/libfoo.so.1"

[[steps]]
import = "pyfoo"

[libraries.libfoo]
location = "user"
file = "libfoo/lib/libfoo.so.1"
"""


def test_outside_wheels_only_never_touch_the_catalogue(
    tmp_path: Path,
    family_dir: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dist = family_dir("libfoo", "pyfoo", name="scenarios/outside/dist")
    assert dist == tmp_path / "scenarios" / "outside" / "dist"
    # any use of the catalogue would now fail: the wheelhouse it points to does not exist
    monkeypatch.setenv(PREBUILT_WHEELHOUSE_VAR, str(tmp_path / "no-wheelhouse"))
    cell = Cell(
        parse.load(_write(tmp_path, "dist/pyfoo-1.0-*.whl")),
        interpreters.running_version(),
        "venv",
        "uv",
    )
    verdict = CellRunner(WorkDir()).run_cell(cell)
    assert verdict.status == "passed", verdict.diff or verdict.cause
    assert verdict.libraries["libfoo"] == ["user:libfoo/lib/libfoo.so.1"]


def _write(tmp_path: Path, extension: str) -> Path:
    path = tmp_path / "scenarios" / "outside" / "scenario.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(SCENARIO.format(extension=extension)), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("pattern", "what"),
    [("dist/pyfoo-9.9-*.whl", "matches no file"), ("dist/*.whl", "matches 4 files")],
)
def test_a_pattern_must_name_one_file(
    tmp_path: Path, family_dir: Callable[..., Path], pattern: str, what: str
) -> None:
    family_dir("libfoo", "pyfoo", name="scenarios/outside/dist")
    cell = Cell(parse.load(_write(tmp_path, pattern)), interpreters.running_version(), "venv", "uv")
    verdict = CellRunner(WorkDir()).run_cell(cell)
    assert verdict.status == "error"
    assert verdict.cause is not None and verdict.cause.kind == "wheel"
    assert what in verdict.cause.what
    assert verdict.cause.where is not None and verdict.cause.where.endswith("[wheels] extension")
