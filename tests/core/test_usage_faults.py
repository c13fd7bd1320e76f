"""Every usage fault of every subcommand: one line (two at most), exit 2, no traceback.

Each case runs the real ``harness`` (``python -m harness.cli``) in an empty directory
outside the checkout with ``$HARNESS_PROJECT_ROOT`` unset, as a maintainer who installed
the tool would. The faults: no checkout for a command that builds the catalogue, an
unusable work dir, an unknown scenario, a bad option value. Afterwards the directory is
still empty and no work dir was made: nothing is left behind.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.cli import COMMANDS

SCENARIO = """\
schema = 1
description = "A scenario of my own: its wheels are named under [wheels]."
platforms = ["linux", "macos", "windows"]
layouts = ["venv"]

[wheels]
producer = "dist/libfoo-*.whl"

[[install]]
location = "site"
wheels = ["producer"]

[[steps]]
import = "libfoo"
"""

CATALOGUE_SCENARIO = """\
schema = 1
description = "A scenario naming a catalogue wheel id (it needs the checkout)."
platforms = ["linux", "macos", "windows"]
layouts = ["venv"]

[[install]]
location = "site"
wheels = ["libfoo"]

[[steps]]
import = "libfoo"
"""


# (command, why it is a fault, the expected words); {scenarios}, {catalogue}, {wheel} and
# {unusable} (a work dir under a regular file) are filled in below
CASES: list[tuple[str, str, str]] = [
    # outside a checkout: what builds the catalogue says so
    ("build", "outside a checkout", "needs a checkout"),
    ("list", "outside a checkout", "needs a checkout"),
    ("run", "outside a checkout", "needs a checkout"),
    ("run some-scenario", "outside a checkout", "needs a checkout"),
    ("conda channel", "outside a checkout", "needs a checkout"),
    ("conda prefix {tmp}/p --package libfoo=1", "outside a checkout", "wheels-src/libfoo"),
    ("run --scenarios {catalogue}", "catalogue id outside a checkout", "'libfoo'"),
    # an unusable work dir, for every command that writes into it
    ("--workdir {unusable} build", "unusable work dir", "work dir"),
    ("--workdir {unusable} run --scenarios {scenarios}", "unusable work dir", "work dir"),
    ("--workdir {unusable} check {wheel}", "unusable work dir", "work dir"),
    ("--workdir {unusable} conda channel", "unusable work dir", "work dir"),
    # an unknown scenario, a scenarios directory without scenarios
    ("run --scenarios {scenarios} no-such-scenario", "unknown scenario", "unknown scenario"),
    ("run --scenarios {tmp}/nowhere", "no such directory", "no such directory"),
    ("list --scenarios {tmp}/nowhere", "no such directory", "no such directory"),
    ("list --scenarios {tmp}", "no scenarios", "no <name>/scenario.toml"),
    # bad option values
    ("", "no command", "required"),
    ("frobnicate", "unknown command", "invalid choice"),
    ("build --python three", "bad --python", "--python"),
    ("build --jobs many", "bad --jobs", "--jobs"),
    ("list --scenarios {scenarios} --layout vnev", "bad --layout", "--layout"),
    ("list --scenarios {scenarios} --python latest", "bad --python", "--python"),
    ("list --scenarios {scenarios} --installer poetry", "bad --installer", "--installer"),
    ("list --scenarios {scenarios} --location nowhere", "bad --location", "--location"),
    ("run --scenarios {scenarios} -n lots", "bad -n", "-n"),
    ("run --scenarios {scenarios} --layout vnev", "bad --layout", "--layout"),
    ("run --scenarios {scenarios} --probe-timeout 0", "bad --probe-timeout", "--probe-timeout"),
    ("run --scenarios {scenarios} --probe-timeout soon", "bad --probe-timeout", "--probe-timeout"),
    ("lint", "no wheels", "wheel"),
    ("lint --select SLI999 {wheel}", "bad --select", "SLI999"),
    ("lint {tmp}/missing.whl", "missing wheel", "missing.whl"),
    ("conda", "no action", "required"),
    ("conda channel --python three", "bad --python", "three"),
    ("conda prefix {tmp}/p --backend nope", "bad --backend", "--backend"),
    ("report", "no action", "required"),
    ("report merge {tmp}/missing.json", "no -o", "--output"),
    ("report merge {tmp}/missing.json -o {tmp}/out", "missing report", "missing.json"),
    ("check", "no wheels", "required"),
    ("check {tmp}/missing.whl", "missing wheel", "missing.whl"),
    ("check {wheel} --installer poetry", "bad --installer", "--installer"),
    ("check {wheel} --jobs many", "bad --jobs", "--jobs"),
    ("check {wheel} --python three", "bad --python", "three"),
    ("check {wheel} --probe-timeout -1", "bad --probe-timeout", "--probe-timeout"),
]


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A scenarios directory of one's own, one naming a catalogue id, a wheel file."""
    root = tmp_path_factory.mktemp("own")
    own = root / "scenarios" / "mine"
    own.mkdir(parents=True)
    (own / "scenario.toml").write_text(SCENARIO)
    catalogue = root / "catalogue" / "theirs"
    catalogue.mkdir(parents=True)
    (catalogue / "scenario.toml").write_text(CATALOGUE_SCENARIO)
    wheel = root / "demo-1.0-py3-none-any.whl"
    wheel.write_bytes(b"not a zip file")
    (root / "a-file").write_text("a work dir cannot be made under a file\n")
    return {
        "scenarios": own.parent,
        "catalogue": catalogue.parent,
        "wheel": wheel,
        "unusable": root / "a-file" / "workdir",
    }


def harness_outside(words: list[str], cwd: Path, workdir: Path) -> subprocess.CompletedProcess[str]:
    """``harness WORDS`` as an installed tool runs it: outside the checkout, no root set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARNESS_")}
    env["HARNESS_WORKDIR"] = str(workdir)
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", *words],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_every_subcommand_is_walked() -> None:
    walked = {case[0].replace("--workdir {unusable} ", "").split(" ")[0] for case in CASES}
    assert set(COMMANDS) <= walked, f"no usage-fault case for {set(COMMANDS) - walked}"


@pytest.mark.parametrize(("command", "fault", "words"), CASES, ids=[c[0] or "-" for c in CASES])
def test_a_usage_fault_is_one_line_and_exit_2(
    command: str, fault: str, words: str, places: dict[str, Path], tmp_path: Path
) -> None:
    here = tmp_path / "empty"
    here.mkdir()
    workdir = tmp_path / "wd"
    line = command.format(tmp=tmp_path, **places)
    result = harness_outside(line.split(), here, workdir)
    output = (result.stdout + result.stderr).strip().splitlines()
    shown = "\n".join(output)
    assert result.returncode == 2, f"{fault}: exit {result.returncode}\n{shown}"
    assert "Traceback" not in shown, shown
    assert 1 <= len(output) <= 2, f"{fault}: {len(output)} lines\n{shown}"
    assert words in shown, shown
    assert not list(here.iterdir()), f"{fault}: left {list(here.iterdir())} behind"
    assert not workdir.exists(), f"{fault}: made the work dir {workdir}"


@pytest.mark.skipif(sys.platform != "linux", reason="/proc: Linux only")
def test_a_work_dir_nothing_can_be_made_in(tmp_path: Path) -> None:
    """A directory that exists but takes no new entries (as root, too: /proc)."""
    result = harness_outside(["--workdir", "/proc/harness-wd", "build"], tmp_path, tmp_path / "wd")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "/proc/harness-wd cannot be made" in lines[0], result.stderr


def test_the_control_without_a_fault_is_not_exit_2(places: dict[str, Path], tmp_path: Path) -> None:
    """The walk's negative control: the same kind of command, well formed, outside the
    checkout, passes (so exit 2 above is the fault's, not the surroundings')."""
    here = tmp_path / "empty"
    here.mkdir()
    result = harness_outside(
        ["list", "--scenarios", str(places["scenarios"]), "--python", "3.12"],
        here,
        tmp_path / "wd",
    )
    assert result.returncode == 0, result.stderr
    assert "mine[cp312-venv-uv]" in result.stdout
