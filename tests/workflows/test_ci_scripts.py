"""The two helper scripts the workflows run: build order + isolation pins, skip check."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "scripts"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"ci_{name}", SCRIPTS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


pytest.importorskip("tomllib", reason="build_wheels.py needs Python >= 3.11 (tomllib)")
check_report = load("check_report")
build_wheels = load("build_wheels")


def write_report(tmp_path: Path, cells: object) -> Path:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(cells), encoding="utf-8")
    return path


def cell(
    status: str, platforms: list[str] | None, scenario: str = "venv-basic"
) -> dict[str, object]:
    return {"scenario": scenario, "python": "3.13", "status": status, "platforms": platforms}


def test_a_green_report_passes(tmp_path: Path) -> None:
    report = write_report(tmp_path, {"cells": [cell("passed", ["linux", "macos"])]})
    assert check_report.main(["--os", "linux", str(report)]) == 0


def test_a_skip_on_a_declared_os_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = write_report(
        tmp_path, [cell("passed", ["linux"]), cell("skipped", ["linux", "windows"], "user-site")]
    )
    assert check_report.main(["--os", "windows", str(report)]) == 1
    assert "user-site" in capsys.readouterr().err


def test_a_skip_on_an_undeclared_os_is_fine(tmp_path: Path) -> None:
    report = write_report(
        tmp_path,
        [
            cell("passed", ["windows"]),
            cell("skipped", ["linux"]),
            cell("not-applicable", ["macos"]),
        ],
    )
    assert check_report.main(["--os", "windows", str(report)]) == 0


def test_not_applicable_on_a_declared_os_fails(tmp_path: Path) -> None:
    report = write_report(tmp_path, [cell("passed", ["linux"]), cell("not-applicable", ["linux"])])
    assert check_report.main(["--os", "linux", str(report)]) == 1


def test_not_applicable_narrowed_by_loaders_or_libc_is_fine(tmp_path: Path) -> None:
    """A native cell of a loader the scenario does not list, a glibc-only cell on musl:
    real verdicts of the harness, accepted; the same status without the key still fails."""
    from harness.scenarios import parse
    from harness.scenarios.cells import Selection, expand
    from harness.scenarios.verdict import not_applicable

    root = Path(__file__).resolve().parents[2] / "scenarios"
    scenario = parse.load(root / "native-musl-preload-fails" / parse.SCENARIO_FILE)
    glibc_cell = expand(scenario, Selection(installers=("glibc",)))[0]
    verdict = not_applicable(glibc_cell)
    assert verdict is not None and verdict.cause is not None
    assert verdict.cause.where == "loaders"
    narrowed = [
        verdict.to_json(),
        {**cell("not-applicable", ["linux"], "musl-only"), "cause": {"where": "libc"}},
    ]
    report = write_report(tmp_path, {"cells": [cell("passed", ["linux"]), *narrowed]})
    assert check_report.main(["--os", "linux", str(report)]) == 0
    unexplained = {**cell("not-applicable", ["linux"]), "cause": {"where": "platforms"}}
    report = write_report(tmp_path, {"cells": [*narrowed, unexplained]})
    assert check_report.main(["--os", "linux", str(report)]) == 1


def test_the_harness_report_format_is_read(tmp_path: Path) -> None:
    """The shape harness.report writes: the verdicts under ``cells``."""
    from harness import report as harness_report
    from harness.scenarios.verdict import Cause, CellVerdict

    facts = {"scenario": "venv-basic", "python": "3.13", "layout": "venv", "installer": "uv"}
    cells = [
        CellVerdict(**facts, platforms=["linux", "macos"], status="passed"),
        CellVerdict(
            **{**facts, "scenario": "windows-only"}, platforms=["windows"], status="not-applicable"
        ),
    ]
    path = tmp_path / "report.json"
    path.write_text(json.dumps(harness_report.document(cells)), encoding="utf-8")
    assert check_report.main(["--os", "linux", str(path)]) == 0
    skipped = CellVerdict(
        **{**facts, "scenario": "skipped-one"},
        platforms=["linux"],
        status="skipped",
        cause=Cause("unavailable", "no uv"),
    )
    path.write_text(json.dumps(harness_report.document([*cells, skipped])), encoding="utf-8")
    assert check_report.main(["--os", "linux", str(path)]) == 1
    errored = CellVerdict(
        **{**facts, "scenario": "errored-one"},
        platforms=["linux"],
        status="error",
        cause=Cause("build", "x"),
    )
    path.write_text(json.dumps(harness_report.document([*cells, errored])), encoding="utf-8")
    assert check_report.main(["--os", "linux", str(path)]) == 1


def test_no_platforms_means_every_os(tmp_path: Path) -> None:
    report = write_report(tmp_path, [cell("passed", ["macos"]), cell("skipped", None)])
    assert check_report.main(["--os", "macos", str(report)]) == 1


def test_a_report_with_nothing_for_this_os_fails(tmp_path: Path) -> None:
    report = write_report(tmp_path, [cell("passed", ["linux"])])
    assert check_report.main(["--os", "macos", str(report)]) == 1


@pytest.mark.parametrize("content", ["{not json", '{"cells": [{"status": "maybe"}]}', "{}"])
def test_a_malformed_report_is_an_error_naming_the_file(
    tmp_path: Path, content: str, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.json"
    report.write_text(content, encoding="utf-8")
    assert check_report.main(["--os", "linux", str(report)]) == 2
    assert str(report) in capsys.readouterr().err


def test_a_missing_report_is_an_error(tmp_path: Path) -> None:
    assert check_report.main(["--os", "linux", str(tmp_path / "absent.json")]) == 2


def make_project(root: Path, folder: str, name: str, requires: list[str], native: bool) -> None:
    directory = root / "wheels-src" / folder
    directory.mkdir(parents=True)
    text = f'[build-system]\nrequires = {json.dumps(requires)}\n[project]\nname = "{name}"\n'
    if native:
        text += '[tool.cibuildwheel]\nbuild = "cp312-*"\n'
    (directory / "pyproject.toml").write_text(text, encoding="utf-8")


def test_producers_are_built_before_their_consumers(tmp_path: Path) -> None:
    make_project(tmp_path, "a_consumer", "pyfoo", ["scikit-build-core", "libfoo>=1"], True)
    make_project(tmp_path, "b_chain", "pybar", ["libbar", "libfoo"], True)
    make_project(tmp_path, "c_bar", "libbar", ["libfoo==1.0"], True)
    make_project(tmp_path, "d_producer", "libfoo", ["shared_lib_manager"], True)
    make_project(tmp_path, "e_loader", "shared-lib-manager", ["hatchling"], False)
    order = [
        p.name for p in build_wheels.build_order(build_wheels.discover(tmp_path / "wheels-src"))
    ]
    assert order.index("shared-lib-manager") < order.index("libfoo")
    assert order.index("libfoo") < order.index("libbar") < order.index("pybar")
    assert order.index("libfoo") < order.index("pyfoo")


def test_a_dependency_cycle_is_reported(tmp_path: Path) -> None:
    make_project(tmp_path, "a", "liba", ["libb"], True)
    make_project(tmp_path, "b", "libb", ["liba"], True)
    with pytest.raises(SystemExit, match="cycle"):
        build_wheels.build_order(build_wheels.discover(tmp_path / "wheels-src"))


def test_malformed_pyproject_names_the_file(tmp_path: Path) -> None:
    directory = tmp_path / "wheels-src" / "bad"
    directory.mkdir(parents=True)
    (directory / "pyproject.toml").write_text("[project\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"bad[/\\]pyproject.toml"):
        build_wheels.discover(tmp_path / "wheels-src")


def test_built_producers_are_pinned_to_their_files(tmp_path: Path) -> None:
    wheelhouse = tmp_path / "wheelhouse"
    wheelhouse.mkdir()
    (wheelhouse / "libfoo-1.0-py3-none-manylinux_2_17_x86_64.whl").touch()
    (wheelhouse / "pyfoo-1.0-cp39-cp39-manylinux_2_17_x86_64.whl").touch()
    (wheelhouse / "pyfoo-1.0-cp313-cp313-manylinux_2_17_x86_64.whl").touch()
    pins = build_wheels.constraints(wheelhouse, tmp_path).splitlines()
    # One file for libfoo: pinned to it. Two for pyfoo: no single file to pin.
    assert len(pins) == 1 and pins[0].startswith("libfoo @ file:///"), pins
    assert pins[0].endswith("libfoo-1.0-py3-none-manylinux_2_17_x86_64.whl")
    if sys.platform.startswith("linux"):
        assert pins[0] == (
            "libfoo @ file:///project/wheelhouse/libfoo-1.0-py3-none-manylinux_2_17_x86_64.whl"
        )


def test_cibuildwheel_environment_keeps_the_projects_own(tmp_path: Path) -> None:
    make_project(tmp_path, "p", "pyfoo", ["libfoo"], True)
    pyproject = tmp_path / "wheels-src" / "p" / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8") + 'environment = { CFLAGS = "-O2 -g" }\n',
        encoding="utf-8",
    )
    (project,) = build_wheels.discover(tmp_path / "wheels-src")
    wheelhouse = tmp_path / "wheelhouse"
    wheelhouse.mkdir()
    env = build_wheels.cibuildwheel_env(project, wheelhouse, tmp_path, "cp39-*")
    key = f"CIBW_ENVIRONMENT_{build_wheels.platform_key().upper()}"
    assert env[key].startswith("CFLAGS='-O2 -g' "), env[key]
    assert "PIP_FIND_LINKS=" in env[key] and "PIP_CONSTRAINT=" in env[key]
    # The project chose its own build selector (cp312-* in make_project): kept.
    assert env.get("CIBW_BUILD") != "cp39-*"


def test_cibuildwheel_parses_the_environment_we_hand_it(tmp_path: Path) -> None:
    """The string goes through cibuildwheel's own bash-like parser, as in CI."""
    environment = pytest.importorskip("cibuildwheel.environment", reason="cibuildwheel missing")
    make_project(tmp_path, "p", "pyfoo", ["libfoo"], True)
    (project,) = build_wheels.discover(tmp_path / "wheels-src")
    wheelhouse = tmp_path / "wheelhouse"
    wheelhouse.mkdir()
    (wheelhouse / "libfoo-1.0-py3-none-any.whl").touch()
    env = build_wheels.cibuildwheel_env(project, wheelhouse, tmp_path, "cp39-*")
    key = f"CIBW_ENVIRONMENT_{build_wheels.platform_key().upper()}"
    parsed = environment.parse_environment(env[key]).as_dictionary({"PATH": "/bin"})
    constraint_file = parsed["PIP_CONSTRAINT"]
    assert parsed["UV_BUILD_CONSTRAINT"] == constraint_file
    assert parsed["PIP_FIND_LINKS"] == constraint_file.rsplit("/", 1)[0]
    pins = (wheelhouse / "constraints.txt").read_text(encoding="utf-8")
    assert pins.startswith("libfoo @ file:///") and "libfoo-1.0-py3-none-any.whl" in pins


def test_an_error_cell_on_a_declared_os_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Schema 2's ``error``: the cell could not produce evidence (build, layout, probe)."""
    report = write_report(
        tmp_path,
        {"schema": 2, "cells": [cell("passed", ["linux"]), cell("error", ["linux"], "abi-break")]},
    )
    assert check_report.main(["--os", "linux", str(report)]) == 1
    assert "error: abi-break" in capsys.readouterr().err


def test_the_default_cibuildwheel_selection_is_the_matrix_pythons() -> None:
    assert build_wheels.default_build({"HARNESS_PYTHONS": "3.9,3.13"}) == "cp39-* cp313-*"
    assert build_wheels.default_build({"HARNESS_PYTHONS": " 3.10 "}) == "cp310-*"
    assert build_wheels.default_build({}) == build_wheels.DEFAULT_BUILD
    with pytest.raises(SystemExit, match="HARNESS_PYTHONS"):
        build_wheels.default_build({"HARNESS_PYTHONS": "oldest"})


def test_a_project_without_a_build_selector_gets_the_matrix_pythons(tmp_path: Path) -> None:
    make_project(tmp_path, "p", "pyfoo", ["libfoo"], True)
    pyproject = tmp_path / "wheels-src" / "p" / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8").replace('build = "cp312-*"\n', ""), encoding="utf-8"
    )
    (project,) = build_wheels.discover(tmp_path / "wheels-src")
    wheelhouse = tmp_path / "wheelhouse"
    wheelhouse.mkdir()
    env = build_wheels.cibuildwheel_env(project, wheelhouse, tmp_path, "cp39-* cp313-*")
    assert env["CIBW_BUILD"] == "cp39-* cp313-*"
