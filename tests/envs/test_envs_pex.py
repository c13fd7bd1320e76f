"""The ``pex`` location's own parts; the PEX behaviour itself is proved by the scenarios
pex-preload, pex-warm-preload and pex-rpath (real ``pex``, real wheels)."""

from __future__ import annotations

import json
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


def test_an_interpreter_outside_the_layout_is_named_by_its_absolute_path(
    tmp_path: Path,
) -> None:
    directory = tmp_path / "made" / pex_app.PEX_DIR
    _, inside = _app(tmp_path / "made")
    base = Path(os.path.realpath(sys.executable))
    text = pex_app.launcher_script(base, directory)
    assert str(base) in text and str(tmp_path) not in text
    inside.write_text(text, encoding="utf-8")
    copy = tmp_path / "cell"
    shutil.copytree(tmp_path / "made", copy, symlinks=True)
    shutil.rmtree(tmp_path / "made")
    done = subprocess.run(
        [str(copy / pex_app.PEX_DIR / pex_app.LAUNCHER), "x"],
        capture_output=True, text=True, check=False, env={"PATH": os.environ["PATH"]},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['x']"


_WHERE = "import json, sys; print(json.dumps([sys.executable, sys.prefix, sys.path]))"


@pytest.mark.skipif(
    sys.platform != "linux",
    reason="PEX's re-execution into the venv's base was measured on Linux; elsewhere the "
    "pex scenarios of the OS matrix run the launcher",
)
def test_pex_runs_a_venvs_app_under_the_venvs_base_so_the_launcher_starts_there(
    tmp_path: Path,
) -> None:
    """What the launcher relies on, measured on real PEX: started by a venv's
    interpreter, the app ends up in the same process as when started by the base the
    launcher names; the control (the venv's interpreter without the app) is another."""
    pex = pex_app.tools.find("pex")
    if pex is None:
        pytest.skip("needs the `pex` tool: `pip install pex` (the test extras include it)")
    base = Path(os.path.realpath(sys.executable))
    venv = tmp_path / "venv"
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    assert pex_app.base_interpreter(python) == base
    app = tmp_path / pex_app.APP
    subprocess.run(
        [str(pex), "--no-pypi", "--python", str(python), "-o", str(app)],
        check=True, capture_output=True,
    )  # fmt: skip
    env = {"PATH": os.environ["PATH"], "PEX_ROOT": str(tmp_path / "cache"), "PEX_INTERPRETER": "1"}

    def where(*argv: str) -> list[object]:
        done = subprocess.run(
            [*argv, "-c", _WHERE], capture_output=True, text=True, check=True, env=env
        )
        seen: list[object] = json.loads(done.stdout)
        return seen

    through_venv = where(str(python), str(app))
    assert through_venv == where(str(base), str(app))
    assert through_venv[0] == str(base)
    assert where(str(python))[1] == str(venv)  # control: the venv's own process differs
