"""Editable installs of the example projects with scikit-build-core (real CMake builds).

What the redirect mode does with a project whose Python package CMake generates and
installs (libfoo: ``wheel.packages = []``), and why the inplace mode cannot install it.
The builds take scikit-build-core from the package index, as every build here does.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness import platforms
from harness.envs.base import InstallRequest, LayoutError
from harness.envs.layouts import LayoutSpec, make_layout
from harness.vocabulary import Installer
from harness.workdir import WorkDir

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("cmake") is None, reason="editable builds need cmake"),
]

_ORIGIN = "import importlib.util as u; print(u.find_spec('libfoo').origin)"


def _editable(mode: str) -> InstallRequest:
    return InstallRequest("editable", (), projects=("libfoo",), editable_mode=mode)


@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_redirect_mode_installs_what_cmake_installs_into_site(
    installer: Installer, python: Path, workdir: WorkDir, tmp_path: Path
) -> None:
    spec = LayoutSpec(python=python, installer=installer, installs=(_editable("redirect"),))
    assert not spec.relocatable()
    layout = make_layout(spec, tmp_path / "cell", workdir=workdir)
    site = layout.location("site")
    source = layout.location("editable") / "libfoo"
    assert (source / "CMakeLists.txt").is_file()  # the project copy the install points to
    assert (site / "_editable_skbc_libfoo.pth").is_file()  # the redirect import hook
    library = platforms.current().library_file("foo", 1)
    assert (site / "libfoo" / "lib" / library).is_file()
    assert not (source / "libfoo").exists()  # nothing is built into the source tree
    done = layout.run(["-c", _ORIGIN])
    assert done.returncode == 0, done.stderr
    # the generated __init__ is an installed file: the hook maps libfoo to site-packages
    assert layout.label_of(done.stdout.strip()) == ("site", "libfoo/__init__.py")
    # negative control: with the installed package gone the import fails; the hook has
    # no source-tree copy of libfoo to fall back to (the source holds the CMake project)
    shutil.rmtree(site / "libfoo")
    gone = layout.run(["-c", "import libfoo"])
    assert gone.returncode != 0
    assert str(source) not in gone.stderr


def test_inplace_mode_cannot_install_a_project_without_source_packages(
    python: Path, workdir: WorkDir, tmp_path: Path
) -> None:
    spec = LayoutSpec(python=python, installer="uv", installs=(_editable("inplace"),))
    with pytest.raises(LayoutError) as raised:
        make_layout(spec, tmp_path / "cell", workdir=workdir)
    assert raised.value.log is not None
    log = raised.value.log.read_text(encoding="utf-8")
    # scikit-build-core's own refusal: inplace serves wheel.packages, libfoo lists none
    assert "inplace mode requires at least one package" in log


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (InstallRequest("editable", (), projects=("libfoo",), editable_mode="strict"), "mode"),
        (InstallRequest("editable", (), projects=("nosuch",)), "not a wheel id"),
        (InstallRequest("editable", ()), "names no projects"),
    ],
    ids=["mode", "id", "empty"],
)
def test_bad_editable_requests_fail_before_any_build(
    request_: InstallRequest, message: str, python: Path, workdir: WorkDir, tmp_path: Path
) -> None:
    with pytest.raises(LayoutError, match=message):
        make_layout(
            LayoutSpec(python=python, installs=(request_,)), tmp_path / "c", workdir=workdir
        )
    assert not (tmp_path / "c" / "venv").exists()
