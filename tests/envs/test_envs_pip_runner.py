"""A pip acting on another interpreter runs as ``pip --python`` runs it, one process fewer.

``pip --python X install ...`` starts pip, which runs ``X <pip>/__pip-runner__.py`` with
the same arguments and waits for it. The harness starts that second process itself
(harness.envs.commands.pip_acting_on). Here X is a recording interpreter, a shell script
that writes down its arguments and then runs the real one. What pip runs is compared
with what the harness runs, and the two installs are compared file by file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.envs import commands, pipfinder
from harness.envs.layout import Layout
from harness.vocabulary import SITE

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the recording interpreter is sh")

_RECORDER = """#!/bin/sh
printf '%s\\n' "$@" > "{records}/$$"
exec "{python}" "$@"
"""


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON"))}


def _pip_sources(python: Path) -> Path:
    """The directory ``python`` imports pip from (a skip naming pip when it has none)."""
    found = subprocess.run(
        [str(python), "-c", "import os, pip; print(os.path.dirname(pip.__path__[0]))"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if found.returncode != 0:
        pytest.skip(f"{python} has no pip (its pip is the one compared): `{python} -m ensurepip`")
    return Path(found.stdout.strip())


def _recording_venv(base: Path, root: Path) -> tuple[Layout, Path]:
    """A venv without pip, whose interpreter is reached through a recording script."""
    venv = root / "venv"
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(venv)], check=True)
    records = root / "records"
    records.mkdir()
    recorder = venv / "bin" / "recording-python"
    recorder.write_text(_RECORDER.format(records=records, python=venv / "bin" / "python"))
    recorder.chmod(0o755)
    (site,) = venv.glob("lib/python*/site-packages")
    return Layout(kind="venv", root=root, python=recorder, locations={SITE: site}), records


def _runner_calls(records: Path) -> list[list[str]]:
    """The recorded argument lists that start a pip runner, and forget them."""
    calls = []
    for record in sorted(records.iterdir()):
        argv = record.read_text().splitlines()
        record.unlink()
        if argv and argv[0].endswith(commands.PIP_RUNNER):
            calls.append(argv)
    return calls


def _tree(root: Path) -> dict[str, bytes]:
    """Every file's bytes; bytecode by name only (its header holds the source's mtime)."""
    return {
        str(p.relative_to(root)): b"" if p.suffix == ".pyc" else p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _install(argv: list[str]) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, env=_env(), check=False)
    assert done.returncode == 0, f"{argv}\n{done.stdout}\n{done.stderr}"


def test_the_harness_starts_the_process_that_pip_python_starts(
    python: Path, wheels: dict[str, Path], tmp_path: Path
) -> None:
    _pip_sources(python)
    layout, records = _recording_venv(python, tmp_path)
    wheel = [wheels["demo_producer"]]
    spelled = [str(python), "-m", "pip", "--python", str(layout.python)]
    _install(commands.pip_install(spelled, wheel, target=tmp_path / "by-pip"))
    (by_pip,) = _runner_calls(records)

    harness_pip = pipfinder.layout_pip(layout)  # no pip in the venv: the base's pip
    assert harness_pip[0] == str(layout.python) and len(harness_pip) == 2, harness_pip
    _runner_calls(records)  # the probes
    _install(commands.pip_install(harness_pip, wheel, target=tmp_path / "by-harness"))
    (by_harness,) = _runner_calls(records)

    # the same copy of pip, the same arguments but --python (which pip's child ignores)
    assert by_harness[0] == by_pip[0] == harness_pip[1]
    at = by_pip.index("--python")
    expected = [*by_pip[:at], *by_pip[at + 2 :]]
    expected[expected.index(str(tmp_path / "by-pip"))] = str(tmp_path / "by-harness")
    assert by_harness == expected
    installed = _tree(tmp_path / "by-pip")
    assert any(name.endswith("RECORD") for name in installed), installed
    assert _tree(tmp_path / "by-harness") == installed

    # control: another pip (the harness's own) runs its own runner, which the comparison
    # tells apart
    own = [sys.executable, "-m", "pip", "--python", str(layout.python)]
    _install(commands.pip_install(own, wheel, target=tmp_path / "by-own-pip"))
    (by_own_pip,) = _runner_calls(records)
    assert by_own_pip[0] != by_pip[0]
    assert commands.foreign_pip(layout.python) == [str(layout.python), by_own_pip[0]]


def test_a_pip_without_a_runner_is_asked_with_python(python: Path, tmp_path: Path) -> None:
    """pip before 22.3 has no ``__pip-runner__.py`` (and no ``--python``: the command
    fails there as it would for a user); a pip in its own interpreter runs as ``-m pip``."""
    sources = _pip_sources(python)
    copy = tmp_path / "old" / "pip"
    shutil.copytree(sources / "pip", copy, ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / "venv" / "bin" / "python"
    with_runner = commands.pip_acting_on(python, sources, target)
    assert with_runner == [str(target), str((sources / "pip").resolve() / commands.PIP_RUNNER)]
    (copy / commands.PIP_RUNNER).unlink()
    old = commands.pip_acting_on(python, copy.parent, target)
    assert old == [str(python), "-m", "pip", "--python", str(target)]
    assert commands.pip_acting_on(python, sources, python) == [str(python), "-m", "pip"]
