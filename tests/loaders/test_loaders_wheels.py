"""Both loader packages build as pure wheels holding exactly their one module."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from loader_testlib import ROOT


@pytest.mark.slow
@pytest.mark.parametrize(
    ("project", "dist"),
    [("shared_lib_manager", "shared-lib-manager"), ("shared_lib_consumer", "shared-lib-consumer")],
)
def test_pip_wheel_builds(tmp_path: Path, project: str, dist: str) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            str(ROOT / "wheels-src" / project),
            "-w",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )

    (wheel,) = tmp_path.glob("*.whl")
    assert wheel.name == f"{project}-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(f"{project}-0.1.0.dist-info/METADATA").decode()
        module = archive.read(f"{project}.py")
    assert [n for n in names if not n.startswith(f"{project}-0.1.0.dist-info/")] == [
        f"{project}.py"
    ]
    assert module == (ROOT / "wheels-src" / project / f"{project}.py").read_bytes()
    assert f"Name: {dist}\n" in metadata
    assert "Version: 0.1.0\n" in metadata
    assert "Requires-Python: >=3.9\n" in metadata
    assert "Requires-Dist" not in metadata
