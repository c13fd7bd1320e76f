"""Editable installs of the example projects with scikit-build-core (real CMake builds) and
meson-python (real meson builds).

What the redirect mode does with a project whose Python package CMake generates and
installs (libfoo: ``wheel.packages = []``), and why the inplace mode cannot install it.
The builds take scikit-build-core from the package index, as every build here does; the
meson-python mode takes meson-python, meson and ninja from it into the layout itself.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from harness import platforms
from harness.builder.supply import SupplyError, editable_request
from harness.envs.layout import LayoutError
from harness.envs.layouts import LayoutSpec, make_layout
from harness.installs import InstallRequest
from harness.vocabulary import Installer
from harness.workdir import WorkDir

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("cmake") is None, reason="editable builds need cmake"),
]

_ORIGIN = "import importlib.util as u; print(u.find_spec('libfoo').origin)"


def _editable(mode: str) -> InstallRequest:
    return editable_request(("libfoo",), mode=mode)


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
    ("asked", "message"),
    [
        ((("libfoo",), "strict"), "mode"),
        (((), "redirect"), "names no projects"),
        (
            (("libfoo",), "meson"),
            "mode 'meson' needs the build backend 'mesonpy'.*names 'scikit_build_core.build'",
        ),
        ((("libfoo-meson",), "redirect"), "names 'mesonpy'; use mode 'meson'"),
    ],
    ids=["mode", "empty", "skbc-project-as-meson", "meson-project-as-skbc"],
)
def test_bad_editable_requests_fail_before_any_build(
    asked: tuple[tuple[str, ...], str],
    message: str,
    python: Path,
    workdir: WorkDir,
    tmp_path: Path,
) -> None:
    projects, mode = asked
    request = editable_request(projects, mode=mode) if projects else InstallRequest("editable", ())
    with pytest.raises(LayoutError, match=message):
        make_layout(LayoutSpec(python=python, installs=(request,)), tmp_path / "c", workdir=workdir)
    assert not (tmp_path / "c" / "venv").exists()


def test_the_supply_refuses_an_unknown_editable_project() -> None:
    # the catalogue is the supply's: a layout never sees a wheel id it would have to look up
    with pytest.raises(SupplyError, match="'nosuch': not a wheel id of the catalogue"):
        editable_request(("nosuch",))
    # control: a catalogue id comes back staged, the variant's pyproject included
    (source,) = editable_request(("libfoo-meson",), mode="meson").projects
    assert source.backend == "mesonpy" and "pyproject.toml" in source.files


_C_COMPILER = any(shutil.which(name) for name in ("cc", "gcc", "clang", "cl"))


@pytest.mark.skipif(
    not _C_COMPILER and sys.platform != "win32",  # meson finds MSVC without PATH
    reason="meson editable builds need a C compiler (cc, gcc or clang) on PATH",
)
def test_meson_mode_runs_the_layouts_own_meson_and_ninja(
    python: Path, workdir: WorkDir, tmp_path: Path
) -> None:
    """meson-python's hook runs the build again on import with the tools of the install:
    they must be the layout's (from the index), never the host's (a ninja on PATH).

    pip, because it leaves PATH alone for the backend (uv puts the venv's scripts first):
    without the harness's MESON and NINJA the install fails, or takes the host's tools."""
    request = editable_request(("libfoo-meson",), mode="meson")
    layout = make_layout(
        LayoutSpec(python=python, installer="pip", installs=(request,)),
        tmp_path / "cell",
        workdir=workdir,
    )
    site = layout.location("site")
    source = layout.location("editable") / "libfoo-meson"
    hook = (site / "_libfoo_editable_loader.py").read_text(encoding="utf-8")
    scripts = layout.python.parent
    assert repr(str(scripts)).strip("'") in hook  # the recorded build command
    host_ninja = shutil.which("ninja")
    if host_ninja is not None:  # negative control: the host's ninja is not what it runs
        assert repr(host_ninja) not in hook
    assert not (site / "libfoo").exists()  # nothing of the package is installed into site
    done = layout.run(["-c", _ORIGIN])
    assert done.returncode == 0, done.stderr
    origin = Path(done.stdout.strip())
    # __init__ comes from the build tree, without lib/ beside it (scenario editable-meson-flat)
    assert origin.parent.parent == source / "build"
    library = platforms.current().library_file("foo", 1)
    assert (origin.parent / library).is_file() and not (origin.parent / "lib").exists()
