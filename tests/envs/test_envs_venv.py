"""Real venvs made with uv and pip; real installs into site, target and split locations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from envs_testlib import where

from harness.envs.layout import LayoutError
from harness.envs.layouts import LayoutSpec, make_layout
from harness.envs.venv import VenvProvider
from harness.installs import InstallRequest
from harness.vocabulary import Installer
from harness.workdir import WorkDir

pytestmark = pytest.mark.slow
INSTALLERS: list[Installer] = ["uv", "pip"]
P, C = "demo_producer", "demo_consumer"


@pytest.mark.parametrize("installer", INSTALLERS)
def test_site_install_lands_in_the_venv_site_packages(
    installer: Installer, python: Path, wheels: dict[str, Path], workdir: WorkDir, tmp_path: Path
) -> None:
    spec = LayoutSpec(python, installer=installer, installs=(InstallRequest("site", [wheels[P]]),))
    layout = make_layout(spec, tmp_path / "cell", workdir=workdir, provider=VenvProvider())
    assert where(layout, P) == {P: "site:demo_producer/__init__.py"}
    # the interpreter really is the cell's venv, and sysconfig agrees with the location
    done = layout.run(
        ["-c", "import sys, sysconfig; print(sys.prefix, sysconfig.get_path('purelib'))"]
    )
    prefix, purelib = done.stdout.split()
    assert Path(prefix) == tmp_path / "cell" / "venv"
    assert Path(purelib) == layout.location("site")


@pytest.mark.parametrize("installer", INSTALLERS)
@pytest.mark.parametrize(
    "split", [("target", "site"), ("site", "target")], ids=["P-target", "P-site"]
)
def test_split_locations(
    *,
    installer: Installer,
    split: tuple[str, str],
    python: Path,
    wheels: dict[str, Path],
    shared_workdir: WorkDir,
    tmp_path: Path,
) -> None:
    producer_at, consumer_at = split
    spec = LayoutSpec(
        python=python,
        installer=installer,
        installs=(
            InstallRequest(producer_at, [wheels[P]]),
            InstallRequest(consumer_at, [wheels[C]]),
        ),
    )
    layout = make_layout(spec, tmp_path / "cell", workdir=shared_workdir)
    assert where(layout, P, C) == {
        P: f"{producer_at}:demo_producer/__init__.py",
        C: f"{consumer_at}:demo_consumer/__init__.py",
    }
    # negative control: without the layout's PYTHONPATH the target half disappears
    missing = where(layout, P, C, extra_env={"PYTHONPATH": ""})
    target_module = P if producer_at == "target" else C
    assert missing[target_module].startswith("ImportError"), missing


@pytest.mark.parametrize("installer", INSTALLERS)
def test_deps_resolve_only_among_the_wheels_given(
    installer: Installer, python: Path, wheels: dict[str, Path], workdir: WorkDir, tmp_path: Path
) -> None:
    """With deps the installer checks Requires-Dist, but only against the wheels listed.

    The producer's wheel lies in the same directory as the consumer's; it must not be
    picked up from there (a wheelhouse also holds variants that would win resolution).
    """
    with_deps = LayoutSpec(
        python=python,
        installer=installer,
        installs=(InstallRequest("site", [wheels[C], wheels[P]], deps=True),),
    )
    layout = make_layout(with_deps, tmp_path / "deps", workdir=workdir)
    assert where(layout, P, C) == {
        P: "site:demo_producer/__init__.py",
        C: "site:demo_consumer/__init__.py",
    }
    # negative control: the consumer alone cannot resolve its dependency, although the
    # producer's wheel sits in the same directory
    alone = LayoutSpec(
        python=python,
        installer=installer,
        installs=(InstallRequest("site", [wheels[C]], deps=True),),
    )
    with pytest.raises(LayoutError, match=r"demo[-_]producer"):
        make_layout(alone, tmp_path / "alone", workdir=workdir)


def test_host_variables_do_not_leak(
    python: Path,
    wheels: dict[str, Path],
    shared_workdir: WorkDir,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the host's PYTHONPATH would make the producer importable from outside the layout
    host_dir = tmp_path / "host-path"
    (host_dir / P).mkdir(parents=True)
    (host_dir / P / "__init__.py").write_text("")
    monkeypatch.setenv("PYTHONPATH", str(host_dir))
    monkeypatch.setenv("LD_LIBRARY_PATH", str(host_dir))
    monkeypatch.setenv("VIRTUAL_ENV", str(host_dir))
    layout = make_layout(LayoutSpec(python=python), tmp_path / "cell", workdir=shared_workdir)
    assert where(layout, P)[P].startswith("ImportError")
    shown = layout.run(["-c", "import json, os; print(json.dumps(dict(os.environ)))"])
    env = json.loads(shown.stdout)
    assert str(host_dir) not in json.dumps(env)
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert env["PYTHONNOUSERSITE"] == "1"
