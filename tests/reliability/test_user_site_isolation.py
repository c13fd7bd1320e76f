"""A cell sees only what its scenario installed, user site included (issue 11, point 4).

The fault is real: a copy of the base interpreter (hard links; its site-packages a real
copy, so the host's interpreter is never written to) gets a package ``baseonly``
installed into its own site-packages. A layout made from that copy with a ``user``
location must not import ``baseonly`` unless the scenario installs it, and installing
it must put it into the user site instead of being "already satisfied" by the base.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from harness.envs.layout import Layout, LayoutError
from harness.envs.layouts import LayoutSpec, make_layout
from harness.installs import InstallRequest
from harness.vocabulary import USER, Installer
from harness.workdir import WorkDir

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="copies a POSIX interpreter tree"),
]


def _wheel(directory: Path, name: str, requires: str = "") -> Path:
    """A minimal pure-Python wheel ``name`` 1.0 (``Requires-Dist: requires``)."""
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n"
    if requires:
        metadata += f"Requires-Dist: {requires}\n"
    files = {
        f"{name}/__init__.py": b"",
        f"{name}-1.0.dist-info/METADATA": metadata.encode(),
        f"{name}-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: reliability-test\n"
        b"Root-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{name}-1.0.dist-info/RECORD,,")
    wheel = directory / f"{name}-1.0-py3-none-any.whl"
    directory.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
        archive.writestr(f"{name}-1.0.dist-info/RECORD", "\n".join(record) + "\n")
    return wheel


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


@pytest.fixture(scope="module")
def base_copy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(interpreter, wheels dir): a copy of the running base interpreter with ``baseonly``
    in its own site-packages."""
    prefix = Path(sys.base_prefix).resolve()
    executable = Path(getattr(sys, "_base_executable", sys.executable)).resolve()
    if not executable.is_relative_to(prefix):
        pytest.skip(f"the base interpreter {executable} is not inside {prefix}")
    root = tmp_path_factory.mktemp("base") / "python"
    purelib = Path(sysconfig.get_path("purelib", vars={"base": str(prefix)}))

    def not_the_site(directory: str, names: list[str]) -> list[str]:
        return [n for n in names if Path(directory, n) == purelib]

    shutil.copytree(prefix, root, symlinks=True, copy_function=_link_or_copy, ignore=not_the_site)
    copy_site = root / purelib.relative_to(prefix)
    # a real copy (installing into it never touches the original) of pip only, which
    # installs for a uv venv's --user: the rest of a host's site-packages (700 MB here)
    # is not what these tests are about
    copy_site.mkdir()
    for entry in purelib.iterdir():
        if entry.name == "pip" or entry.name.startswith("pip-"):
            shutil.copytree(entry, copy_site / entry.name, symlinks=True)
    python = root / executable.relative_to(prefix)
    wheels = tmp_path_factory.mktemp("wheels")
    with zipfile.ZipFile(_wheel(wheels, "baseonly")) as archive:
        archive.extractall(copy_site)  # installed in the base: what a user's Python has
    _wheel(wheels, "scenarioonly")
    _wheel(wheels, "needsbase", requires="baseonly")
    # the fault is present: the base interpreter itself imports baseonly from its copy
    seen = subprocess.run(
        [str(python), "-c", "import baseonly; print(baseonly.__file__)"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert seen.stdout.startswith(str(copy_site)), seen.stdout
    return python, wheels


def _import(layout: Layout, module: str) -> subprocess.CompletedProcess[str]:
    return layout.run(["-c", f"import {module}; print({module}.__file__)"])


@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_base_package_is_invisible_in_a_user_site_cell(
    base_copy: tuple[Path, Path], tmp_path: Path, installer: Installer
) -> None:
    python, wheels = base_copy
    spec = LayoutSpec(
        python=python,
        installer=installer,
        installs=(InstallRequest(USER, [wheels / "scenarioonly-1.0-py3-none-any.whl"]),),
    )
    layout = make_layout(spec, tmp_path / "cell", workdir=WorkDir(tmp_path / "work"))
    installed = _import(layout, "scenarioonly")
    assert installed.returncode == 0, installed.stderr
    assert installed.stdout.startswith(str(layout.locations[USER])), installed.stdout
    leaked = _import(layout, "baseonly")
    assert leaked.returncode != 0, f"the base interpreter's package leaked in: {leaked.stdout}"
    assert "No module named 'baseonly'" in leaked.stderr


@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_user_install_is_not_satisfied_from_the_base(
    base_copy: tuple[Path, Path], tmp_path: Path, installer: Installer
) -> None:
    """``needsbase`` requires ``baseonly``: with dependencies resolved, the installer must
    not count the base interpreter's copy, so without ``baseonly`` among the scenario's
    wheels the install fails naming it, and with it ``baseonly`` lands in the user site."""
    python, wheels = base_copy
    needs = wheels / "needsbase-1.0-py3-none-any.whl"
    lacking = LayoutSpec(
        python=python, installer=installer, installs=(InstallRequest(USER, [needs], deps=True),)
    )
    with pytest.raises(LayoutError) as raised:
        make_layout(lacking, tmp_path / "lacking", workdir=WorkDir(tmp_path / "work"))
    said = "\n".join([str(raised.value), *raised.value.tail])
    assert "baseonly" in said, said
    complete = LayoutSpec(
        python=python,
        installer=installer,
        installs=(
            InstallRequest(USER, [needs, wheels / "baseonly-1.0-py3-none-any.whl"], deps=True),
        ),
    )
    layout = make_layout(complete, tmp_path / "cell", workdir=WorkDir(tmp_path / "work"))
    user_site = layout.locations[USER]
    assert (user_site / "baseonly" / "__init__.py").is_file(), sorted(user_site.iterdir())
    imported = _import(layout, "baseonly")
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith(str(user_site)), imported.stdout
