"""`harness list` and `harness run` argument handling (no building)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import pytest
from scenario_testlib import VALID

from harness import cli, project
from harness.scenarios import list_command, run_command
from harness.usage import UsageError


def _args(module: object, argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workdir", default=None)
    module.add_arguments(parser)  # type: ignore[attr-defined]
    return parser.parse_args(argv)


def test_split_positionals() -> None:
    assert run_command.split_positionals(["a", "b", "-x", "c"]) == (["a", "b"], ["-x", "c"])
    assert run_command.split_positionals(["a"]) == (["a"], [])


def test_run_builds_the_pytest_command_line(write_scenario: Callable[[str, str], Path]) -> None:
    root = write_scenario("venv-basic", VALID).parent.parent
    args = _args(
        run_command,
        ["--scenarios", str(root), "--python", "3.9,3.13", "--layout", "venv", "-k", "target",
         "-n", "2", "--workdir", "/w", "venv-basic", "--", "-x", "--tb=short"],
    )  # fmt: skip
    command = run_command.pytest_arguments(args)
    assert command[0] == str(root / "venv-basic")
    assert "--import-mode=importlib" in command
    text = " ".join(command)
    assert (
        "--python 3.9,3.13 --layout venv --harness-workdir /w -o cache_dir=/w/pytest-cache "
        f"-c /w/{run_command.OWN_CONFIG} --rootdir {root} --confcutdir {root} "
        f"-W ignore:{run_command.ALREADY_IMPORTED}:pytest.PytestAssertRewriteWarning "
        "-k target -n 2 --dist loadgroup -x --tb=short" in text
    )  # pytest's cache in the work dir, never beside a scenario directory of one's own;
    # a directory outside the checkout: no pytest configuration or conftest.py around it


def test_run_keeps_the_checkouts_pytest_configuration_for_its_scenarios() -> None:
    """The control: the checkout's own scenarios keep the repository's configuration."""
    root = project.scenarios_dir()
    args = _args(run_command, ["--scenarios", str(root), "venv-basic"])
    command = run_command.pytest_arguments(args)
    assert "-c" not in command and "--confcutdir" not in command


def test_run_defaults_to_the_whole_directory(write_scenario: Callable[[str, str], Path]) -> None:
    root = write_scenario("venv-basic", VALID).parent.parent
    command = run_command.pytest_arguments(_args(run_command, ["--scenarios", str(root)]))
    assert command[0] == str(root)
    # cells run on every core by default (pytest-xdist is a test dependency here) ...
    assert command[command.index("-n") + 1] == "auto"


def _workers(root: Path, *words: str) -> str | None:
    command = run_command.pytest_arguments(_args(run_command, ["--scenarios", str(root), *words]))
    return command[command.index("-n") + 1] if "-n" in command else None


def test_run_starts_no_more_workers_than_cells(
    write_scenario: Callable[[str, str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker with no cell to run only imports pytest and the harness and collects the
    matrix: on eight cores, two cells get two workers, and one cell runs in this process.
    The controls: with as many cells as cores, and where pytest-xdist's own variable
    says what ``auto`` means, the count is left to pytest-xdist."""
    root = write_scenario("venv-basic", VALID).parent.parent  # cells: uv and pip
    monkeypatch.delenv(run_command.AUTO_WORKERS_VAR, raising=False)
    monkeypatch.setattr(run_command, "usable_cores", lambda: 8)
    assert _workers(root, "--python", "3.12") == "2"
    assert _workers(root, "--python", "3.12", "--installer", "uv") is None
    assert _workers(root, "--python", "3.12", "-n", "auto") == "auto"  # as asked
    assert _workers(root, "--python", "3.9,3.10,3.11,3.12") == "auto"  # 8 cells, 8 cores
    monkeypatch.setenv(run_command.AUTO_WORKERS_VAR, "3")
    assert _workers(root, "--python", "3.12") == "auto"


def test_run_in_one_process_with_n_0(write_scenario: Callable[[str, str], Path]) -> None:
    root = write_scenario("venv-basic", VALID).parent.parent
    args = _args(run_command, ["--scenarios", str(root), "-n", "0"])
    assert "-n" not in run_command.pytest_arguments(args)


def test_run_rejects_unknown_scenario_names(write_scenario: Callable[[str, str], Path]) -> None:
    root = write_scenario("venv-basic", VALID).parent.parent
    with pytest.raises(UsageError, match=r"unknown scenario 'venv-basik'.*known: venv-basic"):
        run_command.pytest_arguments(_args(run_command, ["--scenarios", str(root), "venv-basik"]))


def test_list_prints_cells_and_fails_on_malformed(
    write_scenario: Callable[[str, str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_scenario("venv-basic", VALID).parent.parent
    assert (
        list_command.run(_args(list_command, ["--scenarios", str(root), "--python", "3.12"])) == 0
    )
    out = capsys.readouterr().out
    assert "venv-basic[cp312-venv-uv]" in out and "venv-basic[cp312-venv-pip]" in out
    write_scenario("broken", "schema = 1\n")
    assert list_command.run(_args(list_command, ["--scenarios", str(root)])) == 1
    err = capsys.readouterr().err
    assert "broken/scenario.toml: key `description`: is missing" in err


def test_pytest_options_after_dashes_follow_options_after_the_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`harness run NAME --python X -- PYTEST_ARGS`, the documented form: argparse alone
    refuses it (the control: the words after `--` would be more scenario names, after an
    option stood between), so the command line hands them to pytest itself."""
    words = ["run", "venv-basic", "--python", "current", "-n", "0", "-k", "selects-no-cell"]
    words += ["--", "-q", "--co"]
    with pytest.raises(SystemExit) as refused:
        cli.build_parser("run").parse_args(["--workdir", str(tmp_path / "w"), *words])
    assert refused.value.code == 2  # the control
    assert "unrecognized arguments: -- -q --co" in capsys.readouterr().err
    status = cli.main(["--workdir", str(tmp_path / "work"), *words])
    err = capsys.readouterr().err
    assert status == pytest.ExitCode.NO_TESTS_COLLECTED, err
    assert "unrecognized" not in err
    assert err.splitlines()[0].endswith("-q --co")  # the pytest command line, printed
