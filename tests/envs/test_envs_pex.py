"""The ``pex`` location's own parts; the PEX behaviour itself is proved by the scenarios
pex-preload, pex-warm-preload and pex-rpath (real ``pex``, real wheels)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipapp
from pathlib import Path

import pytest

from harness.envs.layout import Layout
from harness.envs.location import LocationUnavailableError
from harness.envs.locations import pex_app
from harness.installs import InstallRequest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the PEX launcher is a sh script")


def _app(root: Path) -> tuple[Path, Path]:
    """A venv-like interpreter link and a real zipapp in ``root/pex``, plus the launcher."""
    python = root / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.symlink_to(sys.executable)
    source = root / "src"
    source.mkdir()
    (source / "__main__.py").write_text("import sys; print(sys.argv[1:])\n", encoding="utf-8")
    directory = root / pex_app.PEX_DIR
    directory.mkdir()
    zipapp.create_archive(source, directory / pex_app.APP)
    launcher = directory / pex_app.LAUNCHER
    launcher.write_text(pex_app.launcher_script(python, directory), encoding="utf-8")
    launcher.chmod(0o755)
    return python, launcher


def test_the_launcher_runs_the_app_from_a_copy_of_the_layout(tmp_path: Path) -> None:
    _, launcher = _app(tmp_path / "made")
    text = launcher.read_text(encoding="utf-8")
    assert str(tmp_path) not in text  # relative paths only: templates are copied per cell
    copy = tmp_path / "cell"
    shutil.copytree(tmp_path / "made", copy, symlinks=True)
    shutil.rmtree(tmp_path / "made")  # negative control: nothing of the original is left
    done = subprocess.run(
        [str(copy / pex_app.PEX_DIR / pex_app.LAUNCHER), "a", "b c"],
        capture_output=True, text=True, check=False, env={"PATH": os.environ["PATH"]},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['a', 'b c']"


def test_a_missing_pex_tool_is_a_skip_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pex_app.tools, "find", lambda name, path=None: None)
    layout = Layout("venv", tmp_path, Path(sys.executable), {})
    request = InstallRequest(pex_app.LOCATION.label, [tmp_path / "x-1.0-py3-none-any.whl"])
    with pytest.raises(LocationUnavailableError, match="needs the `pex` tool"):
        pex_app.LOCATION.install(layout, request, "uv", lambda *a, **k: "")
