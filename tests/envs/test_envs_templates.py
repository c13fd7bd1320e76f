"""Template reuse: a warm cell installs nothing, its copy is independent and relocated."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from envs_testlib import where

from harness import project
from harness.envs.layouts import LayoutSpec, make_layout
from harness.installs import InstallRequest
from harness.logged import commands_run
from harness.workdir import WorkDir

pytestmark = pytest.mark.slow
P = "demo_producer"


def _spec(python: Path, wheel: Path) -> LayoutSpec:
    return LayoutSpec(python=python, installs=(InstallRequest("site", [wheel]),))


def test_second_cell_runs_no_installer_and_is_independent(
    python: Path, wheels: dict[str, Path], workdir: WorkDir, tmp_path: Path
) -> None:
    spec = _spec(python, wheels[P])
    before = commands_run()
    first = make_layout(spec, tmp_path / "one", workdir=workdir)
    assert commands_run() > before
    before = commands_run()
    second = make_layout(spec, tmp_path / "two", workdir=workdir)
    assert commands_run() == before, "a warm cell must not run venv creation or installs"
    assert where(second, P) == {P: "site:demo_producer/__init__.py"}
    assert not (tmp_path / "two" / "logs").exists()

    (template,) = workdir.envs.iterdir()
    template_init = next(template.glob("venv/lib/python*/site-packages/demo_producer/__init__.py"))
    # deleting and adding files in one cell changes neither the template nor another cell
    shutil.rmtree(second.location("site") / P)
    (second.location("site") / "extra.py").write_text("")
    assert where(second, P)[P].startswith("ImportError")
    assert template_init.is_file()
    assert not (template_init.parent.parent / "extra.py").exists()
    assert where(first, P) == {P: "site:demo_producer/__init__.py"}


def test_copy_mode_gives_a_cell_its_own_file_contents(
    python: Path, wheels: dict[str, Path], workdir: WorkDir, tmp_path: Path
) -> None:
    spec = _spec(python, wheels[P])
    linked = make_layout(spec, tmp_path / "linked", workdir=workdir)
    copied = make_layout(spec, tmp_path / "copied", workdir=workdir, copy_mode="copy")
    (template,) = workdir.envs.iterdir()
    template_init = next(template.glob("venv/lib/python*/site-packages/demo_producer/__init__.py"))
    linked_init = linked.location("site") / P / "__init__.py"
    copied_init = copied.location("site") / P / "__init__.py"
    # the mechanism: a linked cell shares the template's inode, a copied one does not
    assert linked_init.stat().st_ino == template_init.stat().st_ino
    assert copied_init.stat().st_ino != template_init.stat().st_ino
    copied_init.write_text("NAME = 'mutated'\n")
    assert "mutated" not in template_init.read_text()


def test_copied_venv_works_at_its_new_path(
    python: Path, wheels: dict[str, Path], shared_workdir: WorkDir, tmp_path: Path
) -> None:
    layout = make_layout(_spec(python, wheels[P]), tmp_path / "cell", workdir=shared_workdir)
    done = layout.run(
        ["-c", "import sys, sysconfig; print(sys.prefix); print(sysconfig.get_path('purelib'))"]
    )
    prefix, purelib = done.stdout.split()
    assert Path(prefix) == tmp_path / "cell" / "venv"
    assert Path(purelib) == layout.location("site")
    assert str(shared_workdir.envs) not in done.stdout
    home = (tmp_path / "cell" / "venv" / "pyvenv.cfg").read_text()
    assert str(shared_workdir.root) not in home  # `home` names the base interpreter


def test_reuse_false_and_changed_wheels_build_again(
    python: Path, wheels: dict[str, Path], workdir: WorkDir, tmp_path: Path
) -> None:
    spec = _spec(python, wheels[P])
    make_layout(spec, tmp_path / "one", workdir=workdir)
    before = commands_run()
    fresh = make_layout(spec, tmp_path / "fresh", workdir=workdir, reuse=False)
    assert commands_run() > before
    assert (tmp_path / "fresh" / "logs").is_dir()
    assert where(fresh, P) == {P: "site:demo_producer/__init__.py"}
    # same file name, other bytes -> another template
    changed = tmp_path / "changed" / wheels[P].name
    changed.parent.mkdir()
    with zipfile.ZipFile(wheels[P]) as src, zipfile.ZipFile(changed, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.comment = b"rebuilt"
    before = commands_run()
    make_layout(_spec(python, changed), tmp_path / "two", workdir=workdir)
    assert commands_run() > before
    assert len(list(workdir.envs.iterdir())) == 2


_RACE = """\
import sys
from pathlib import Path
from harness.installs import InstallRequest
from harness.envs.layouts import LayoutSpec, make_layout
from harness.logged import commands_run
from harness.workdir import WorkDir
python, wheel, cell, work = map(Path, sys.argv[1:5])
spec = LayoutSpec(python=python, installs=(InstallRequest("site", [wheel]),))
make_layout(spec, cell, workdir=WorkDir(work))
print(commands_run())
"""


def test_two_processes_racing_for_one_template(
    python: Path, wheels: dict[str, Path], workdir: WorkDir, tmp_path: Path
) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(project.__file__).parent.parent)}
    racers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                _RACE,
                str(python),
                str(wheels[P]),
                str(tmp_path / f"cell{i}"),
                str(workdir.root),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    results = [r.communicate(timeout=300) for r in racers]
    assert [r.returncode for r in racers] == [0, 0], results
    assert sum(int(out) for out, _ in results) > 0
    assert len(list(workdir.envs.iterdir())) == 1
    assert list(workdir.tmp.iterdir()) == []  # the loser's scratch copy is gone
    from harness.envs import manifest

    for i in range(2):
        template = manifest.load(next(workdir.envs.iterdir()) / manifest.MANIFEST)
        cell = template.relocated(tmp_path / f"cell{i}")
        assert where(cell, P) == {P: "site:demo_producer/__init__.py"}
