"""Sdists of the catalogue's projects, and SLI014 on a wheel built from one (real builds).

The wheel of ``pyfoo-buildtree`` is built from its sdist without isolation, in a build
environment of our own named like pypa/build's (``build-env-*``), so the test can keep it
while checking that the wheel works, then delete it the way a frontend does: the same
wheel stops importing and ``harness lint`` reports the dangling RUNPATH (SLI014); while
the environment existed the rule had nothing to say (its negative control).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from harness import interpreters
from harness.builder import build_all
from harness.builder.catalogue import WHEELS_BY_ID
from harness.builder.sdists import build_sdist, requirements_dir
from harness.builder.wheelhouse import Wheelhouse
from harness.inspect import lint_wheels
from harness.tools import uv_executable
from harness.workdir import WorkDir

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="DT_RUNPATH of ELF builds (Linux)"),
    pytest.mark.skipif(shutil.which("cmake") is None, reason="the sdist builds need cmake"),
    pytest.mark.skipif(uv_executable() is None, reason="the sdist builds need uv"),
]

INPUTS = ("shared_lib_manager", "shared_lib_consumer", "libfoo")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[WorkDir, Wheelhouse]:
    workdir = WorkDir(tmp_path_factory.mktemp("sdist-workdir"))
    house = build_all(workdir, interpreters.find("current"), only=INPUTS)
    return workdir, house


def _sdist(workdir: WorkDir, house: Wheelhouse, wheel_id: str) -> Path:
    inputs = {WHEELS_BY_ID[i].dist: house.wheel(i) for i in ("libfoo", "shared_lib_manager")}
    return build_sdist(WHEELS_BY_ID[wheel_id], workdir, inputs)


def test_an_sdist_is_built_once_per_content_with_its_variant(
    built: tuple[WorkDir, Wheelhouse],
) -> None:
    workdir, house = built
    first = _sdist(workdir, house, "pyfoo-buildtree")
    assert first.name == "pyfoo_buildtree-1.0.tar.gz"
    stamp = first.stat().st_mtime_ns
    assert _sdist(workdir, house, "pyfoo-buildtree") == first  # from the cache
    assert first.stat().st_mtime_ns == stamp
    with tarfile.open(first) as archive:
        pyproject = archive.extractfile("pyfoo_buildtree-1.0/pyproject.toml")
        assert pyproject is not None
        text = pyproject.read().decode()
    assert 'PYFOO_LINK_MODE = "buildtree"' in text  # the staged variant is what ships
    # another variant of the same project is another sdist
    assert _sdist(workdir, house, "pyfoo") != first


def _run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, check=False, timeout=600)


def test_lint_flags_a_wheel_whose_build_env_is_gone(
    built: tuple[WorkDir, Wheelhouse], tmp_path: Path
) -> None:
    workdir, house = built
    uv = str(uv_executable())
    python = interpreters.find("current").executable
    sdist = _sdist(workdir, house, "pyfoo-buildtree")
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    links = requirements_dir(workdir, ["scikit-build-core>=0.10"], python, version)
    # the build environment: backend and producer wheel, kept until we delete it
    env = tmp_path / "build-env-kept"
    assert _run([uv, "venv", "-q", "--python", str(python), str(env)]).returncode == 0
    done = _run(
        [uv, "pip", "install", "-q", "--python", str(env / "bin" / "python"), "--offline"]
        + ["--no-index", "--find-links", str(links), "scikit-build-core>=0.10"]
        + [str(house.wheel(i)) for i in INPUTS]
    )
    assert done.returncode == 0, done.stderr
    out = tmp_path / "dist"
    build = [uv, "build", "--wheel", "--no-build-isolation", "--offline"]
    done = _run(
        [*build, "--python", str(env / "bin" / "python"), "--out-dir", str(out), str(sdist)]
    )
    assert done.returncode == 0, done.stderr
    (wheel,) = out.glob("*.whl")
    # a fresh venv with the wheel, the producer and the loaders: it imports while the
    # build environment exists (the RUNPATH finds libfoo there) ...
    cell = tmp_path / "cell"
    assert _run([uv, "venv", "-q", "--python", str(python), str(cell)]).returncode == 0
    done = _run(
        [uv, "pip", "install", "-q", "--python", str(cell / "bin" / "python"), "--offline"]
        + ["--no-index", "--no-deps", str(wheel)]
        + [str(house.wheel(i)) for i in INPUTS]
    )
    assert done.returncode == 0, done.stderr
    importing = [str(cell / "bin" / "python"), "-c", "import pyfoo_buildtree"]
    assert _run(importing).returncode == 0
    assert [f.rule for f in lint_wheels([wheel], select=["SLI014"])] == []
    # ... and not once it is gone, which the lint now reports
    shutil.rmtree(env)
    failed = _run(importing)
    assert failed.returncode != 0
    assert "libfoo.so.1: cannot open shared object file" in failed.stderr
    findings = lint_wheels([wheel], select=["SLI014"])
    assert [(f.rule, f.file.rsplit("/", 1)[0]) for f in findings] == [("SLI014", "pyfoo_buildtree")]
    assert str(env / "lib") in findings[0].detail
