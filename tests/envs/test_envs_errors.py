"""Bad input and failed installs give errors naming the location, wheel, command and log."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.envs.layout import LayoutError
from harness.envs.layouts import LayoutSpec, make_layout
from harness.installs import InstallRequest
from harness.logged import commands_run
from harness.vocabulary import Installer
from harness.workdir import WorkDir


def test_missing_wheel_is_named_before_anything_runs(
    python: Path, workdir: WorkDir, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere" / "demo_producer-1.0-py3-none-any.whl"
    spec = LayoutSpec(python=python, installs=(InstallRequest("target", [missing]),))
    before = commands_run()
    with pytest.raises(
        LayoutError, match=r"wheel file .*nowhere.* \(for location 'target'\) does not exist"
    ):
        make_layout(spec, tmp_path / "cell", workdir=workdir)
    assert commands_run() == before
    assert list(workdir.envs.iterdir()) == []


def test_unknown_location_label(
    python: Path, wheels: dict[str, Path], workdir: WorkDir, tmp_path: Path
) -> None:
    spec = LayoutSpec(
        python=python, installs=(InstallRequest("conda-lib", [wheels["demo_producer"]]),)
    )
    with pytest.raises(LayoutError, match="cannot install wheels into location 'conda-lib'"):
        make_layout(spec, tmp_path / "cell", workdir=workdir)


def test_a_cell_directory_is_never_reused(
    python: Path, shared_workdir: WorkDir, tmp_path: Path
) -> None:
    (tmp_path / "cell" / "venv").mkdir(parents=True)
    with pytest.raises(LayoutError, match="already holds venv"):
        make_layout(LayoutSpec(python=python), tmp_path / "cell", workdir=shared_workdir)


@pytest.mark.slow
@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_failed_install_names_location_wheel_command_and_log(
    installer: Installer, python: Path, workdir: WorkDir, tmp_path: Path
) -> None:
    broken = tmp_path / "broken" / "demo_producer-1.0-py3-none-any.whl"
    broken.parent.mkdir()
    broken.write_bytes(b"this is not a zip file")
    spec = LayoutSpec(
        python=python, installer=installer, installs=(InstallRequest("site", [broken]),)
    )
    cell = tmp_path / "cell"
    with pytest.raises(LayoutError) as caught:
        make_layout(spec, cell, workdir=workdir)
    message = str(caught.value)
    assert "into location 'site' failed" in message
    assert str(broken) in message
    assert "command: " in message and "install" in message
    log = Path(message.split("full log: ")[1].splitlines()[0])
    assert log.is_file() and cell / "logs" in log.parents
    assert "last " in message and message.rstrip().splitlines()[-1].strip() in log.read_text()
    # nothing half-made is cached or left behind
    assert list(workdir.envs.iterdir()) == []
    assert list(workdir.tmp.iterdir()) == []
