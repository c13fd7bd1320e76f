"""Children started through ``harness.dies_with_parent``: the ``setpriv`` + shell start
is used only where nothing can tell it from the ``preexec_fn`` one.

- Both kinds die with a SIGKILLed parent; a child started plainly survives it (control).
- The shell's check kills a child whose parent is not the harness (its parent died
  before the request took effect); with the harness as parent it runs (control).
- A command that cannot start raises what ``subprocess`` raises without the wrapper;
  forced through the wrapper, the same command ends with the shell's status instead.
- The wrapped command keeps its pid, its parent and its arguments.
- ``LD_*`` variables keep the ``preexec_fn``: the loader's debug output names only the
  command; forced through the wrapper, it names setpriv and the shell too.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reliability_testlib import PROJECT, alive, children, harness_env, wait_for

from harness import dies_with_parent

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's"),
    pytest.mark.skipif(
        shutil.which("setpriv") is None, reason="needs setpriv (util-linux) on PATH"
    ),
]

SLEEP = shutil.which("sleep") or "/bin/sleep"

DRIVER = """\
import json, os, subprocess, sys, time
from harness import dies_with_parent
command, extra, plain = json.loads(sys.argv[1])
env = {**os.environ, **extra}
args, preexec = (command, None) if plain else dies_with_parent.popen_args(command, env)
subprocess.Popen(args, env=env, preexec_fn=preexec)
print("plain" if plain else "wrapper" if preexec is None else "preexec", flush=True)
time.sleep(600)
"""


def _forced(command: list[str], parent: int | None = None) -> list[str]:
    """``command`` through the wrapper whatever it is (for the controls)."""
    setpriv = shutil.which("setpriv")
    assert setpriv is not None
    return dies_with_parent.wrapped(command, setpriv, os.getpid() if parent is None else parent)


@pytest.mark.parametrize(
    ("command", "extra", "plain", "kind", "dies"),
    [
        ([SLEEP, "300"], {}, False, "wrapper", True),
        (["sleep", "300"], {}, False, "wrapper", True),
        ([SLEEP, "300"], {"LD_BIND_NOW": "1"}, False, "preexec", True),
        ([SLEEP, "300"], {}, True, "plain", False),  # control: nothing asks for the kill
    ],
    ids=["absolute", "on-path", "loader-variable", "control-plain"],
)
def test_the_child_dies_with_its_sigkilled_parent(
    command: list[str], extra: dict[str, str], plain: bool, kind: str, dies: bool
) -> None:
    driver = subprocess.Popen(
        [sys.executable, "-c", DRIVER, json.dumps([command, extra, plain])],
        cwd=PROJECT, env=harness_env(), stdout=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    child = 0
    try:
        assert driver.stdout is not None
        assert driver.stdout.readline().strip() == kind
        (child,) = wait_for("the child", lambda: children(driver.pid), timeout=60)  # type: ignore[misc]
        wait_for(
            "the child's exec of sleep",
            lambda: Path(f"/proc/{child}/cmdline").read_bytes().startswith(command[0].encode()),
            timeout=60,
        )
        driver.kill()
        driver.wait()
        started = time.monotonic()
        while alive(child) and time.monotonic() - started < (5 if dies else 1):
            time.sleep(0.01)
        assert alive(child) is not dies, (
            f"child {child}: alive {alive(child)} after its parent died"
        )
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(driver.pid, signal.SIGKILL)
        if child:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)


def test_the_shell_kills_a_child_whose_parent_is_not_the_harness() -> None:
    """As when the harness died before setpriv's request: the child is reparented, so
    its parent is not the pid the harness passed."""
    orphan = subprocess.run(
        _forced(["/bin/echo", "ran"], parent=1), capture_output=True, text=True, check=False
    )
    assert orphan.returncode == -signal.SIGKILL
    assert orphan.stdout == ""
    control = subprocess.run(
        _forced(["/bin/echo", "ran"]), capture_output=True, text=True, check=False
    )
    assert (control.returncode, control.stdout) == (0, "ran\n")


def _unstartable(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "gone").symlink_to(tmp_path / "nowhere")
    (tmp_path / "dir").mkdir()
    shutil.copy(SLEEP, tmp_path / "not-executable")
    (tmp_path / "not-executable").chmod(0o644)
    (tmp_path / "garbage").write_bytes(b"\x00\x01 not a program\n")
    (tmp_path / "garbage").chmod(0o755)
    (tmp_path / "orphan-script").write_text("#!/nonexistent/python\nprint('hi')\n")
    (tmp_path / "orphan-script").chmod(0o755)
    names = ["missing", "gone", "dir", "not-executable", "garbage", "orphan-script"]
    return {**{name: str(tmp_path / name) for name in names}, "not-on-path": "no-such-tool-x9"}


def _raised(args: list[str], preexec: object = None) -> tuple[str, int | None] | None:
    try:
        subprocess.run(args, preexec_fn=preexec, capture_output=True, check=False)  # type: ignore[arg-type]
    except OSError as error:
        return type(error).__name__, error.errno
    return None


def test_a_command_that_cannot_start_raises_what_subprocess_raises(tmp_path: Path) -> None:
    env = dict(os.environ)
    for name, program in _unstartable(tmp_path).items():
        expected = _raised([program])
        assert expected is not None, name
        args, preexec = dies_with_parent.popen_args([program], env)
        assert (args, preexec is not None) == ([program], True), name
        assert _raised(args, preexec) == expected, name
    # control: through the wrapper, a missing file and a file that is no program start
    # "fine" and end with the shell's status (or run as a shell script)
    missing = subprocess.run(_forced([str(tmp_path / "missing")]), capture_output=True, check=False)
    assert missing.returncode == 127
    garbage = subprocess.run(_forced([str(tmp_path / "garbage")]), capture_output=True, check=False)
    assert garbage.returncode != 0
    assert _raised(_forced([str(tmp_path / "garbage")])) is None


def test_a_wrapped_command_keeps_its_pid_parent_and_arguments(tmp_path: Path) -> None:
    script = tmp_path / "report"
    script.write_text('#!/bin/sh\necho "$$ $PPID $0 $*"\n')
    script.chmod(0o755)
    for command in ([str(script), "a b", "c"], [dies_with_parent.SHELL, "-c", 'echo "$$ $PPID $0 $*"', str(script), "a b", "c"]):  # fmt: skip
        args, preexec = dies_with_parent.popen_args(command, dict(os.environ))
        assert preexec is None and args[-len(command) :] == command
        process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        out, _ = process.communicate()
        assert out == f"{process.pid} {os.getpid()} {script} a b c\n"


def test_loader_variables_keep_the_preexec_fn(tmp_path: Path) -> None:
    true = shutil.which("true") or "/bin/true"

    def programs(args: list[str], preexec: object, tag: str) -> list[str]:
        output = tmp_path / tag
        env = {**os.environ, "LD_DEBUG": "libs", "LD_DEBUG_OUTPUT": str(output)}
        subprocess.run(args, env=env, preexec_fn=preexec, check=True)  # type: ignore[arg-type]
        lines = "".join(p.read_text() for p in tmp_path.glob(f"{tag}.*")).splitlines()
        return [line.split("initialize program: ")[1] for line in lines if "initialize program: " in line]  # fmt: skip

    env = {**os.environ, "LD_DEBUG": "libs"}
    args, preexec = dies_with_parent.popen_args([true], env)
    assert args == [true] and preexec is not None
    assert programs(args, preexec, "kept") == [true]
    # control: through the wrapper, setpriv and the shell are in the evidence too
    forced = programs(_forced([true]), None, "forced")
    assert len(forced) == 3 and forced[-1] == true and forced[1] == dies_with_parent.SHELL
