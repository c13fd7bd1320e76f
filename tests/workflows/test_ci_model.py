"""The CI, read statically, would show results on its first run (issue 15).

Each check runs on the repository and on ``fixtures/before-issue-15``, a copy of the CI
as it was when the review found its eight problems. A check that found one of them
must fail on that copy; a check the old CI already passed fails on a mutated copy of
today's CI instead. So no check here is one that cannot fail.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from types import ModuleType
from typing import Any

import ci_model
import pytest

ROOT = Path(__file__).resolve().parents[2]
BEFORE = Path(__file__).resolve().parent / "fixtures" / "before-issue-15"
SCENARIOS = ROOT / "scenarios"


def copy_ci(tmp_path: Path, source: Path = ROOT) -> Path:
    """The CI files of ``source`` (workflows, scripts, tox.ini, docs/ci.md, tables)."""
    target = tmp_path / "ci"
    shutil.copytree(source / ".github", target / ".github")
    (target / "docs").mkdir(parents=True)
    shutil.copy2(source / "docs" / "ci.md", target / "docs" / "ci.md")
    shutil.copy2(source / "tox.ini", target / "tox.ini")
    for pyproject in (source / "wheels-src").glob("*/pyproject.toml"):
        (target / "wheels-src" / pyproject.parent.name).mkdir(parents=True)
        shutil.copy2(pyproject, target / "wheels-src" / pyproject.parent.name / pyproject.name)
    return target


def mutate(root: Path, workflow: str, old: str, new: str) -> None:
    path = root / ".github" / "workflows" / workflow
    text = path.read_text(encoding="utf-8")
    assert old in text, (workflow, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_the_fixture_is_the_ci_before_the_fixes() -> None:
    text = (BEFORE / ".github" / "workflows" / "test.yml").read_text(encoding="utf-8")
    assert "needs: build" in text and "setup-micromamba@v2.0.4" in text


# --- review items 2 (job graph), 6 (conda on Intel macOS), 1/5/7 (caches), 5 (node24) ---


def test_test_jobs_do_not_wait_for_the_release_build() -> None:
    assert ci_model.graph_problems(ROOT) == []


def test_negative_control_the_old_test_jobs_needed_the_whole_build_workflow() -> None:
    problems = ci_model.graph_problems(BEFORE)
    assert any("test.yml:venv needs build" in p and "optional" in p for p in problems), problems
    assert any("test.yml:conda needs build" in p and "cancelled" in p for p in problems), problems


def test_every_runner_with_a_declared_scenario_runs_its_layout() -> None:
    assert ci_model.coverage_problems(ROOT, SCENARIOS) == []


def test_negative_control_the_old_conda_matrix_had_no_intel_mac() -> None:
    problems = ci_model.coverage_problems(BEFORE, SCENARIOS)
    conda = [p for p in problems if "no conda job" in p]
    assert len(conda) == 1 and "no conda job on macos-x86_64" in conda[0], problems
    assert "conda-wheels-only" in conda[0]
    # the old CI predates the native scenarios too
    assert [p for p in problems if p not in conda] == [
        p for p in problems if p.startswith("no native job on linux-x86_64")
    ]


def test_every_cache_is_a_folder_the_job_writes() -> None:
    assert ci_model.cache_problems(ROOT) == []


def test_negative_control_the_old_caches() -> None:
    problems = ci_model.cache_problems(BEFORE)
    # 1: setup-uv in the wheelhouse job, where nothing writes its folder.
    assert "build.yml:wheelhouse: caches uv, which no step of the job writes" in problems
    # 7: restore-keys on .harness/cache.
    assert any("restore-keys" in p and ".harness/cache" in p for p in problems), problems
    # 5: tox drops MAMBA_ROOT_PREFIX/CONDARC, so micromamba's package cache stays empty,
    # and the environment setup-micromamba creates is used by nothing.
    assert "test.yml:conda: caches conda packages, which no step of the job writes" in problems
    assert any("'harness-probe', which no step uses" in p for p in problems), problems


def test_every_action_is_pinned_to_a_full_version_on_node24() -> None:
    assert ci_model.pin_problems(ROOT) == []


def test_negative_control_the_old_setup_micromamba_ran_on_node20() -> None:
    problems = ci_model.pin_problems(BEFORE)
    node20 = [p for p in problems if "node20" in p]
    assert len(node20) == 1 and node20[0].startswith(".github/workflows/test.yml:"), problems
    assert node20[0].endswith("mamba-org/setup-micromamba@v2.0.4 runs on node20; v3 runs on node24")
    # and, since issue 26, every tag pin is a problem of its own
    assert all("not pinned to a full commit SHA" in p for p in problems if p not in node20)


def test_negative_control_an_action_on_a_moving_tag(tmp_path: Path) -> None:
    root = copy_ci(tmp_path)
    mutate(
        root,
        "checks.yml",
        "actions/checkout@8e8c483db84b4bee98b60c0593521ed34d9990e8 # v6.0.1",
        "actions/checkout@v6",
    )
    problems = ci_model.pin_problems(root)
    assert len(problems) == 3, problems
    assert all("actions/checkout@v6 is not pinned to a full commit SHA" in p for p in problems)


def test_tox_passes_setup_micromambas_variables_on() -> None:
    """The tox side of item 5, as tox itself reads tox.ini (not just the file's text)."""
    tox = shutil.which("tox")
    command = [tox] if tox else [sys.executable, "-m", "tox"]
    probe = subprocess.run([*command, "--version"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("tox not installed in this environment")
    done = subprocess.run(
        [*command, "config", "-e", "linux-conda", "-k", "pass_env", "--root", str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=ROOT,
    )
    for variable in ("MAMBA_ROOT_PREFIX", "CONDARC", "MAMBA_EXE"):
        assert re.search(rf"^\s*{variable}$", done.stdout, re.MULTILINE), done.stdout


# --- the rest of the job-graph checks: the old CI passed them, so mutations fail them ---


def test_every_matrix_cell_maps_to_a_tox_env_with_its_pythons() -> None:
    assert ci_model.matrix_problems(ROOT) == []
    assert ci_model.matrix_problems(BEFORE) == []


def test_negative_control_a_matrix_os_without_a_tox_env(tmp_path: Path) -> None:
    root = copy_ci(tmp_path)
    mutate(root, "test.yml", "{ id: windows-amd64, runner: windows-2025, os: windows }",
           "{ id: windows-amd64, runner: windows-2025, os: win }")  # fmt: skip
    problems = ci_model.matrix_problems(root)
    assert (
        "test.yml:windows-amd64/venv [windows-amd64]: tox env win-venv not in tox.ini" in problems
    ), problems


def test_negative_control_a_python_the_job_does_not_install(tmp_path: Path) -> None:
    root = copy_ci(tmp_path)
    mutate(root, "os.yml", 'uv python install "${versions[@]}" 3.13', "uv python install 3.9 3.13")
    problems = ci_model.matrix_problems(root)
    assert "test.yml:linux-x86_64/venv: HARNESS_PYTHONS ['3.14'] not installed" in problems, (
        problems
    )


def test_artifact_names_are_unique_and_every_download_has_an_upload() -> None:
    assert ci_model.artifact_problems(ROOT) == []


def test_negative_control_two_cells_upload_the_same_artifact(tmp_path: Path) -> None:
    root = copy_ci(tmp_path)
    mutate(
        root,
        "os.yml",
        "name: report-conda-${{ inputs.id }}",
        "name: report-venv-${{ inputs.id }}",
    )
    problems = ci_model.artifact_problems(root)
    assert any(
        "artifact 'report-venv-linux-x86_64' by test.yml:linux-x86_64/venv" in p for p in problems
    ), problems


def test_negative_control_a_download_nobody_uploads(tmp_path: Path) -> None:
    root = copy_ci(tmp_path)
    mutate(root, "os.yml", "name: wheelhouse-${{ inputs.id }}\n          path: .harness",
           "name: wheels-${{ inputs.id }}\n          path: .harness")  # fmt: skip
    problems = ci_model.artifact_problems(root)
    assert any("downloads 'wheelhouse-macos-x86_64'" in p for p in problems), problems


def test_every_script_a_workflow_runs_exists() -> None:
    assert ci_model.script_problems(ROOT) == []


def test_negative_control_a_missing_script(tmp_path: Path) -> None:
    root = copy_ci(tmp_path)
    (root / ".github" / "workflows" / "scripts" / "check_report.py").unlink()
    problems = ci_model.script_problems(root)
    assert any("check_report.py, which does not exist" in p for p in problems), problems


# --- review item 8: docs/ci.md's table is the CI ---


def test_docs_table_is_the_ci() -> None:
    assert ci_model.docs_problems(ROOT) == []


def test_negative_control_the_old_docs_had_no_true_table() -> None:
    assert ci_model.docs_problems(BEFORE) != []


def test_negative_control_docs_that_contradict_the_workflows(tmp_path: Path) -> None:
    root = copy_ci(tmp_path)
    mutate(root, "test.yml", "  macos-x86_64:\n    uses: ./.github/workflows/os.yml\n"
           "    with: { id: macos-x86_64, runner: macos-15-intel, os: macos }\n\n", "")  # fmt: skip
    problems = ci_model.docs_problems(root)
    assert any("`conda`" in p and "which is not the CI" in p for p in problems), problems


# --- review items 3 and 4: what cibuildwheel builds, with which tools ---


def load_script(root: Path, name: str) -> ModuleType:
    path = root / ".github" / "workflows" / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"ci_{name}_{abs(hash(root))}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


cibuildwheel = pytest.importorskip("cibuildwheel", reason="cibuildwheel (a test extra) missing")
cibuildwheel_main = importlib.import_module("cibuildwheel.__main__").main
PLATFORM = {"ubuntu": "linux", "macos": "macos", "windows": "windows"}


def platform_tag(platform: str, archs: str, *, musl: bool = False) -> str:
    """cibuildwheel's identifier suffix for one arch on ``platform`` (musllinux or not)."""
    return {
        "linux": f"musllinux_{archs}" if musl else f"manylinux_{archs}",
        "macos": f"macosx_{archs}",
        "windows": f"win_{archs.lower()}",
    }[platform]


def is_py3_none(data: dict[str, Any]) -> bool:
    return data.get("tool", {}).get("scikit-build", {}).get("wheel", {}).get("py-api") == "py3"


def build_selector(step_run: str, module: ModuleType, env: dict[str, str]) -> str:
    """The ``--build`` the workflow step passes, or the script's own default."""
    words = shlex.split(step_run)
    if "--build" in words:
        return words[words.index("--build") + 1]
    if hasattr(module, "default_build"):
        return str(module.default_build(env))
    return str(module.DEFAULT_BUILD)


def print_build_identifiers(
    argv: list[str], env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> list[str]:
    """``cibuildwheel ARGV``'s output under exactly ``env``, run in this process: its own
    command-line entry point with its own argument and environment parsing, without a
    0.3 s interpreter start for each of the 30 projects and cells."""
    out, err = io.StringIO(), io.StringIO()
    with monkeypatch.context() as patch:
        patch.setattr(sys, "argv", ["cibuildwheel", *argv])
        for name in list(os.environ):
            patch.delenv(name)
        for name, value in env.items():
            patch.setenv(name, value)
        with redirect_stdout(out), redirect_stderr(err), pytest.raises(SystemExit) as done:
            cibuildwheel_main()
    assert done.value.code == 0, err.getvalue()
    return out.getvalue().split()


def cibuildwheel_cells(root: Path) -> list[tuple[ci_model.Job, dict[str, Any], str]]:
    found = []
    for job in ci_model.jobs(root).values():
        for step_run in job.runs(r"build_wheels\.py"):
            found += [(job, cell, step_run) for cell in job.cells()]
    return found


def print_identifiers(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[tuple[str, str], tuple[list[str], list[str]]]:
    """``(cell, project) -> (identifiers, intended)`` for every cibuildwheel cell.

    The environment is the workflow's: its env and the cell's (CIBW_ARCHS), then what
    build_wheels.py (the checkout's own copy) adds for the project (CIBW_BUILD ...).
    """
    work = copy_ci(tmp_path / root.name, root)
    module = load_script(work, "build_wheels")
    for name in list(os.environ):
        if name.startswith("CIBW_"):
            monkeypatch.delenv(name)
    calls = {}
    for job, cell, step_run in cibuildwheel_cells(work):
        env = {k: job.expand(v, cell) for k, v in job.env.items()}
        platform = PLATFORM[job.runner(cell).split("-")[0]]
        with monkeypatch.context() as patch:
            for key, value in env.items():
                patch.setenv(key, value)
            build = build_selector(step_run, module, env)
            wheelhouse = work / "wheelhouse"
            wheelhouse.mkdir(exist_ok=True)
            for folder, data in ci_model.native_projects(work).items():
                project = module.read_project(work / "wheels-src" / folder / "pyproject.toml")
                project_env = module.cibuildwheel_env(project, wheelhouse, work, build)
                musl = "*-manylinux_*" in env.get("CIBW_SKIP", "")
                tag = platform_tag(platform, env["CIBW_ARCHS"], musl=musl)
                if is_py3_none(data):
                    intended = ["cp312-" + tag]  # the one build a py3-none wheel needs
                else:
                    intended = [f"cp{v.replace('.', '')}-{tag}" for v in ci_model.pythons(job)]
                argv = ["--print-build-identifiers", "--platform", platform]
                calls[(job.cell_id(cell), folder)] = (
                    [*argv, str(work / "wheels-src" / folder)], project_env, intended
                )  # fmt: skip

    results = [
        (print_build_identifiers(argv, env, monkeypatch), intended)
        for argv, env, intended in calls.values()
    ]
    return dict(zip(calls, results))


def test_cibuildwheel_builds_exactly_the_intended_identifiers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = print_identifiers(ROOT, tmp_path, monkeypatch)
    assert len({cell for cell, _ in results}) == 5, results
    wrong = {key: got for key, (got, intended) in results.items() if got != intended}
    assert wrong == {}
    consumers = sum(len(got) for (_, p), (got, _) in results.items() if p.startswith("py"))
    assert consumers == 30  # 3 consumers x 2 CPythons x (4 runners + musllinux)
    assert results[("linux-musl-x86_64", "pyfoo")][0] == [
        "cp39-musllinux_x86_64",
        "cp314-musllinux_x86_64",
    ]


def test_negative_control_the_old_consumers_built_every_cpython(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = print_identifiers(BEFORE, tmp_path, monkeypatch)
    consumers = sum(len(got) for (_, p), (got, _) in results.items() if p.startswith("py"))
    assert consumers == 60  # cp39..cp313: the CIBW_BUILD of the workflow never applied
    got, intended = results[("linux-x86_64", "pyfoo")]
    assert intended == ["cp39-manylinux_x86_64", "cp313-manylinux_x86_64"]
    assert "cp311-manylinux_x86_64" in got


def test_the_workflow_pins_the_tested_cibuildwheel_major_version() -> None:
    jobs = [j for j in ci_model.jobs(ROOT).values() if j.runs(r"cibuildwheel==")]
    assert len(jobs) == 2, "the release build and its musllinux build"
    pins = {p for j in jobs for p in re.findall(r"cibuildwheel==([\d.]+)", " ".join(j.runs("")))}
    (pin,) = pins  # one pin for both jobs
    installed = cibuildwheel.__version__
    assert pin.split(".")[0] == installed.split(".")[0], (pin, installed)


def cibuildwheel_pins() -> set[str]:
    """Every distribution cibuildwheel pins in its own constraint files."""
    resources = Path(cibuildwheel.__file__).parent / "resources"
    pins = set()
    for path in resources.glob("constraints*.txt"):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", line)
            if match:
                pins.add(match.group(1).lower().replace("_", "-"))
    return pins


def before_build_problems(root: Path) -> list[str]:
    """A before-build that installs a tool cibuildwheel pins replaces the pinned one."""
    pins = cibuildwheel_pins()
    problems = []
    for folder, data in ci_model.native_projects(root).items():
        table = data["tool"]["cibuildwheel"]
        for platform in ("", "linux", "macos", "windows"):
            options = table.get(platform, {}) if platform else table
            command = options.get("before-build", "")
            commands = command if isinstance(command, list) else [command]
            for text in commands:
                for match in re.finditer(r"pip install ([^;&|]+)", text):
                    for name in match.group(1).split():
                        bare = re.split(r"[<>=!~\[]", name)[0].lower()
                        if bare in pins:
                            problems.append(
                                f"wheels-src/{folder}: before-build {text!r} replaces the "
                                f"{bare} cibuildwheel pins"
                            )
    return problems


def test_no_before_build_replaces_a_tool_cibuildwheel_pins() -> None:
    assert "delvewheel" in cibuildwheel_pins()
    assert before_build_problems(ROOT) == []


def test_negative_control_the_old_before_build_installed_an_unpinned_delvewheel() -> None:
    problems = before_build_problems(BEFORE)
    assert len(problems) == 6 and all("delvewheel" in p for p in problems), problems
