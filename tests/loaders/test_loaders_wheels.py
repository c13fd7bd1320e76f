"""Both loader packages build as pure wheels holding exactly their modules (the manager's two)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from loader_testlib import ROOT


@pytest.mark.slow
@pytest.mark.parametrize(
    ("project", "dist", "version", "modules"),
    [
        (
            "shared_lib_manager",
            "shared-lib-manager",
            "0.3.0",
            ["shared_lib_manager.py", "shared_lib_manager_diagnostics.py"],
        ),
        ("shared_lib_consumer", "shared-lib-consumer", "0.1.0", ["shared_lib_consumer.py"]),
    ],
)
def test_pip_wheel_builds(
    tmp_path: Path, project: str, dist: str, version: str, modules: list[str]
) -> None:
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
    assert wheel.name == f"{project}-{version}-py3-none-any.whl"
    info = f"{project}-{version}.dist-info/"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(f"{info}METADATA").decode()
        contents = {name: archive.read(name) for name in modules}
    assert sorted(n for n in names if not n.startswith(info)) == modules
    for name, content in contents.items():
        assert content == (ROOT / "wheels-src" / project / name).read_bytes()
    assert f"Name: {dist}\n" in metadata
    assert f"Version: {version}\n" in metadata
    assert "Requires-Python: >=3.9\n" in metadata
    assert "Requires-Dist" not in metadata
