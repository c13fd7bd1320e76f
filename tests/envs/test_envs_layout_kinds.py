"""The layouts of issue 17 with real installers: ``--prefix``, ``--root``, one directory per
wheel, a zip on PYTHONPATH, a ``--system-site-packages`` venv over a harness-made base.

Each test asserts where the layout's own interpreter imports the modules from (by
location label) and has a negative control: the same module is not importable, or comes
from elsewhere, once the variable or file that makes the layout work is taken away.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from envs_testlib import where

from harness import platforms
from harness.envs.layout import LayoutError
from harness.envs.layouts import LayoutSpec, make_layout
from harness.envs.locations.pip_root import rerooted
from harness.installs import InstallRequest
from harness.logged import commands_run
from harness.vocabulary import Installer
from harness.workdir import WorkDir

pytestmark = pytest.mark.slow
P, C = "demo_producer", "demo_consumer"


@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_prefix_site_packages_is_on_pythonpath(
    installer: Installer, python: Path, wheels: dict[str, Path], workdir: WorkDir, tmp_path: Path
) -> None:
    spec = LayoutSpec(
        python=python,
        installer=installer,
        installs=(InstallRequest("prefix", [wheels[P]]), InstallRequest("site", [wheels[C]])),
    )
    layout = make_layout(spec, tmp_path / "cell", workdir=workdir)
    assert where(layout, C, P) == {
        P: "prefix:demo_producer/__init__.py",
        C: "site:demo_consumer/__init__.py",
    }
    prefix_site = layout.location("prefix")
    assert prefix_site.is_relative_to(tmp_path / "cell" / "prefix")
    assert "site-packages" in prefix_site.parts
    # negative control: without PYTHONPATH the prefix is just a directory
    assert where(layout, P, extra_env={"PYTHONPATH": ""})[P].startswith("ImportError")


def test_root_is_the_venv_site_rerooted(
    python: Path, wheels: dict[str, Path], workdir: WorkDir, tmp_path: Path
) -> None:
    spec = LayoutSpec(
        python=python, installer="pip", installs=(InstallRequest("root", [wheels[P]]),)
    )
    layout = make_layout(spec, tmp_path / "cell", workdir=workdir)
    assert where(layout, P) == {P: "root:demo_producer/__init__.py"}
    # pip re-roots the site-packages path of the venv it installed into (the template's
    # while it was built): <root>/<that absolute path>, ending in the venv's own parts
    staged = layout.location("root")
    assert staged.is_relative_to(tmp_path / "cell" / "root")
    site = layout.location("site")
    assert staged.parts[-4:] == site.parts[-4:]  # venv/lib/pythonX.Y/site-packages
    assert rerooted(Path("/r"), Path("/a/b")) == Path("/r/a/b")
    assert not (layout.location("site") / P).exists()  # --root never touches the venv itself
    assert where(layout, P, extra_env={"PYTHONPATH": ""})[P].startswith("ImportError")


def test_root_with_uv_is_a_clear_error(
    python: Path, wheels: dict[str, Path], workdir: WorkDir, tmp_path: Path
) -> None:
    spec = LayoutSpec(
        python=python, installer="uv", installs=(InstallRequest("root", [wheels[P]]),)
    )
    with pytest.raises(LayoutError, match=r"no --root.*installers = \[\"pip\"\]"):
        make_layout(spec, tmp_path / "cell", workdir=workdir)


@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_each_wheel_in_its_own_directory(
    installer: Installer, python: Path, wheels: dict[str, Path], workdir: WorkDir, tmp_path: Path
) -> None:
    spec = LayoutSpec(
        python=python,
        installer=installer,
        installs=(InstallRequest("wheel-dirs", [wheels[P], wheels[C]]),),
    )
    layout = make_layout(spec, tmp_path / "cell", workdir=workdir)
    assert where(layout, C, P) == {
        P: "wheel-dirs:demo_producer/site-packages/demo_producer/__init__.py",
        C: "wheel-dirs:demo_consumer/site-packages/demo_consumer/__init__.py",
    }
    entries = layout.process_env()["PYTHONPATH"].split(layout.platform.path_list_separator)
    assert [Path(e).parent.name for e in entries] == [P, C]  # install order, one root each
    # negative control: drop the producer's directory and only the consumer is importable
    only_consumer = {"PYTHONPATH": entries[1]}
    found = where(layout, C, P, extra_env=only_consumer)
    assert found[C].startswith("ImportError") and found[P].startswith("ImportError"), found


@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_zip_archive_on_pythonpath(
    installer: Installer, python: Path, wheels: dict[str, Path], workdir: WorkDir, tmp_path: Path
) -> None:
    spec = LayoutSpec(
        python=python, installer=installer, installs=(InstallRequest("zip", [wheels[P]]),)
    )
    layout = make_layout(spec, tmp_path / "cell", workdir=workdir)
    archive = layout.location("zip")
    assert zipfile.is_zipfile(archive)
    names = zipfile.ZipFile(archive).namelist()
    assert "demo_producer/__init__.py" in names and "demo_producer/" in names
    assert where(layout, P) == {P: "zip:demo_producer/__init__.py"}
    assert not (tmp_path / "cell" / "zip-staging").exists()
    assert where(layout, P, extra_env={"PYTHONPATH": ""})[P].startswith("ImportError")


@pytest.mark.skipif(platforms.current().name == "windows", reason="the base copy is POSIX only")
@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_venv_over_a_harness_made_base(
    installer: Installer, python: Path, wheels: dict[str, Path], workdir: WorkDir, tmp_path: Path
) -> None:
    spec = LayoutSpec(
        python=python,
        installer=installer,
        installs=(InstallRequest("base", [wheels[P]]), InstallRequest("site", [wheels[C]])),
    )
    # copy_mode="copy": built in the cell, whose pyvenv.cfg the negative control rewrites
    layout = make_layout(spec, tmp_path / "cell", workdir=workdir, copy_mode="copy")
    assert where(layout, C, P) == {
        P: "base:demo_producer/__init__.py",
        C: "site:demo_consumer/__init__.py",
    }
    base = tmp_path / "cell" / "base"
    assert layout.location("base").is_relative_to(base)
    cfg_file = layout.python.parent.parent / "pyvenv.cfg"
    cfg = cfg_file.read_text()
    assert "include-system-site-packages = true" in cfg
    assert f"home = {base / 'bin'}" in cfg  # the harness's base, not the host interpreter
    # negative control: the same venv without the system site packages loses the producer
    cfg_file.write_text(
        cfg.replace("include-system-site-packages = true", "include-system-site-packages = false")
    )
    found = where(layout, P, C)
    assert found[P].startswith("ImportError"), found
    assert "demo_producer" in found[C], found  # the consumer still imports, up to its producer


def test_base_layout_is_built_once_where_it_stays_and_shared(
    python: Path, wheels: dict[str, Path], workdir: WorkDir, tmp_path: Path
) -> None:
    """Its venv names the base by absolute path, so it is never copied: the first cell
    builds it under the work dir's envs, the next cell uses it there and runs nothing."""
    spec = LayoutSpec(python=python, installs=(InstallRequest("base", [wheels[P]]),))
    assert not spec.relocatable()
    if platforms.current().name == "windows":
        pytest.skip("the base copy is POSIX only")
    first = make_layout(spec, tmp_path / "one", workdir=workdir)
    before = commands_run()
    second = make_layout(spec, tmp_path / "two", workdir=workdir)
    assert commands_run() == before, "a warm cell must not build the base layout again"
    assert first.root == second.root and first.root.parent == workdir.envs
    assert where(second, P) == {P: "base:demo_producer/__init__.py"}
    # each cell has its own scratch directory, outside the shared layout
    assert second.env["TMPDIR"] == str((tmp_path / "two" / "tmp").resolve())
    # control: copy_mode="copy" builds the layout in the cell itself
    own = make_layout(spec, tmp_path / "own", workdir=workdir, copy_mode="copy")
    assert commands_run() > before
    assert own.root == (tmp_path / "own").resolve()
