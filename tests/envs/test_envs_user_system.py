"""The ``user`` location (isolated PYTHONUSERBASE) and the ``system`` library directory."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from envs_testlib import where

from harness import platforms
from harness.envs.layouts import LayoutSpec, make_layout
from harness.installs import InstallRequest
from harness.vocabulary import Installer
from harness.workdir import WorkDir

pytestmark = pytest.mark.slow
P, C = "demo_producer", "demo_consumer"


@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_user_site_is_visible_only_with_its_userbase(
    installer: Installer, python: Path, wheels: dict[str, Path], workdir: WorkDir, tmp_path: Path
) -> None:
    spec = LayoutSpec(
        python=python, installer=installer, installs=(InstallRequest("user", [wheels[P]]),)
    )
    layout = make_layout(spec, tmp_path / "cell", workdir=workdir)
    assert where(layout, P) == {P: "user:demo_producer/__init__.py"}
    assert layout.env["PYTHONUSERBASE"] == str(tmp_path / "cell" / "user")
    assert "PYTHONNOUSERSITE" not in layout.process_env()
    # negative control: another (empty) user base hides it
    other = tmp_path / "other-userbase"
    other.mkdir()
    assert where(layout, P, extra_env={"PYTHONUSERBASE": str(other)})[P].startswith("ImportError")


def test_layout_without_user_location_ignores_a_populated_userbase(
    python: Path, wheels: dict[str, Path], shared_workdir: WorkDir, tmp_path: Path
) -> None:
    with_user = LayoutSpec(python=python, installs=(InstallRequest("user", [wheels[P]]),))
    user_layout = make_layout(with_user, tmp_path / "user-cell", workdir=shared_workdir)
    plain = make_layout(LayoutSpec(python=python), tmp_path / "plain", workdir=shared_workdir)
    assert plain.process_env()["PYTHONNOUSERSITE"] == "1"
    found = where(plain, P, extra_env={"PYTHONUSERBASE": user_layout.env["PYTHONUSERBASE"]})
    assert found[P].startswith("ImportError"), found


@pytest.mark.parametrize("split", [("user", "site"), ("site", "user")], ids=["P-user", "P-site"])
def test_split_between_user_and_site(
    split: tuple[str, str],
    python: Path,
    wheels: dict[str, Path],
    shared_workdir: WorkDir,
    tmp_path: Path,
) -> None:
    producer_at, consumer_at = split
    spec = LayoutSpec(
        python=python,
        installs=(
            InstallRequest(producer_at, [wheels[P]]),
            InstallRequest(consumer_at, [wheels[C]]),
        ),
    )
    layout = make_layout(spec, tmp_path / "cell", workdir=shared_workdir)
    assert where(layout, C, P) == {
        P: f"{producer_at}:demo_producer/__init__.py",
        C: f"{consumer_at}:demo_consumer/__init__.py",
    }


@pytest.fixture(scope="module")
def system_libs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding a real ``libx.so.1`` (SONAME ``libx.so.1``) built with gcc."""
    if platforms.current().name != "linux":
        pytest.skip("the system-library test builds an ELF library; needs Linux")
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc is not installed")
    src = tmp_path_factory.mktemp("libx-src") / "x.c"
    src.write_text('const char *x_identity(void) { return "libx 1.0 system"; }\n')
    lib = tmp_path_factory.mktemp("system-prefix") / "lib"
    lib.mkdir()
    argv = [
        gcc,
        "-shared",
        "-fPIC",
        "-Wl,-soname,libx.so.1",
        "-o",
        str(lib / "libx.so.1"),
        str(src),
    ]
    subprocess.run(argv, check=True, capture_output=True)
    return lib


_LOAD_X = """\
import ctypes, json, os, sys
if len(sys.argv) > 1:
    os.environ["LD_LIBRARY_PATH"] = sys.argv[1]  # too late: read at process start
out = {"search": os.environ.get("LD_LIBRARY_PATH", "")}
try:
    lib = ctypes.CDLL("libx.so.1")
    lib.x_identity.restype = ctypes.c_char_p
    out["identity"] = lib.x_identity().decode()
    with open("/proc/self/maps") as maps:
        out["paths"] = sorted({l.split()[-1] for l in maps if l.rstrip().endswith("libx.so.1")})
except OSError as exc:
    out["error"] = str(exc)
print(json.dumps(out))
"""


def test_system_dir_is_on_the_library_path_at_process_start(
    python: Path, system_libs: Path, shared_workdir: WorkDir, tmp_path: Path
) -> None:
    layout = make_layout(
        LayoutSpec(python=python, system=system_libs), tmp_path / "cell", workdir=shared_workdir
    )
    system = layout.location("system")
    done = layout.run(["-c", _LOAD_X])
    evidence = json.loads(done.stdout)
    assert evidence["search"].split(":")[0] == str(system)
    assert evidence["identity"] == "libx 1.0 system"
    assert [layout.label_of(p) for p in evidence["paths"]] == [("system", "libx.so.1")]


def test_system_library_not_found_without_the_start_variable(
    python: Path, system_libs: Path, shared_workdir: WorkDir, tmp_path: Path
) -> None:
    layout = make_layout(
        LayoutSpec(python=python, system=system_libs), tmp_path / "cell", workdir=shared_workdir
    )
    system = str(layout.location("system"))
    # negative control: the same process started without it, setting it from Python instead
    done = layout.run(["-c", _LOAD_X, system], extra_env={"LD_LIBRARY_PATH": ""})
    evidence = json.loads(done.stdout)
    assert "libx.so.1" in evidence["error"], evidence
    # and a layout without a system location cannot load it at all
    plain = make_layout(LayoutSpec(python=python), tmp_path / "plain", workdir=shared_workdir)
    assert "error" in json.loads(plain.run(["-c", _LOAD_X]).stdout)


@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_nothing_is_written_outside_the_cell_and_work_dir(
    installer: Installer,
    python: Path,
    wheels: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home, temp = tmp_path / "home", tmp_path / "temp"
    home.mkdir()
    temp.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("TMPDIR", str(temp))
    spec = LayoutSpec(
        python=python,
        installer=installer,
        installs=(InstallRequest("user", [wheels[P]]), InstallRequest("target", [wheels[C]])),
    )
    layout = make_layout(spec, tmp_path / "cell", workdir=WorkDir(tmp_path / "work"))
    assert where(layout, P, C) == {
        P: "user:demo_producer/__init__.py",
        C: "target:demo_consumer/__init__.py",
    }
    assert list(home.iterdir()) == []
    assert list(temp.iterdir()) == []
