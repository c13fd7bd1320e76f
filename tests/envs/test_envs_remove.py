"""InstallRequest.remove: an installed-but-broken producer, built only in its own template.

Evidence is the file system of real layouts made with the real installer: the removed
file is gone from the broken cell, still present in an intact cell of the same wheels
(made before or after), and shared hard links elsewhere keep their contents.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from envs_testlib import where

from harness.envs.layout import LayoutError
from harness.envs.layouts import LayoutSpec, make_layout
from harness.envs.removing import apply_removals, removal_problem
from harness.installs import InstallRequest
from harness.logged import commands_run
from harness.workdir import WorkDir

P = "demo_producer"
INIT = "demo_producer/__init__.py"


def _spec(python: Path, wheel: Path, *remove: str) -> LayoutSpec:
    return LayoutSpec(python=python, installs=(InstallRequest("site", [wheel], remove=remove),))


@pytest.mark.slow
def test_broken_and_intact_cells_never_share_a_template(
    python: Path, wheels: dict[str, Path], workdir: WorkDir, tmp_path: Path
) -> None:
    intact_first = make_layout(_spec(python, wheels[P]), tmp_path / "intact1", workdir=workdir)
    before = commands_run()
    broken = make_layout(_spec(python, wheels[P], INIT), tmp_path / "broken", workdir=workdir)
    assert commands_run() > before, "the broken layout must get its own template, built anew"
    intact_again = make_layout(_spec(python, wheels[P]), tmp_path / "intact2", workdir=workdir)
    broken_again = make_layout(_spec(python, wheels[P], INIT), tmp_path / "b2", workdir=workdir)

    assert len(list(workdir.envs.iterdir())) == 2
    for layout in (broken, broken_again):
        assert not (layout.location("site") / INIT).exists()
        # the package directory stays: installed, but without its file (a namespace package)
        assert where(layout, P) == {P: "namespace package (no __file__)"}
        assert any(layout.location("site").glob("demo_producer-1.0.dist-info/RECORD"))
    for layout in (intact_first, intact_again):
        assert where(layout, P) == {P: f"site:{INIT}"}


@pytest.mark.slow
def test_a_path_the_install_did_not_create_names_path_location_and_wheel(
    python: Path, wheels: dict[str, Path], workdir: WorkDir, tmp_path: Path
) -> None:
    spec = _spec(python, wheels[P], "demo_producer/lib/libfoo.so.1")
    with pytest.raises(LayoutError) as caught:
        make_layout(spec, tmp_path / "cell", workdir=workdir)
    message = str(caught.value)
    assert "cannot remove 'demo_producer/lib/libfoo.so.1' from location 'site'" in message
    assert wheels[P].name in message
    assert "fix the path" in message
    assert list(workdir.envs.iterdir()) == [], "a failed template must not be kept"


@pytest.mark.parametrize(
    "bad",
    [("/etc/passwd", "is absolute"), ("demo_producer/../..", "contains '..'")],
)
def test_bad_paths_are_refused_before_any_installer_runs(
    python: Path, wheels: dict[str, Path], workdir: WorkDir, tmp_path: Path, bad: tuple[str, str]
) -> None:
    path, words = bad
    before = commands_run()
    with pytest.raises(LayoutError, match=f"remove path for location 'site' {path!r} {words}"):
        make_layout(_spec(python, wheels[P], path), tmp_path / "cell", workdir=workdir)
    assert commands_run() == before


def test_removal_unlinks_and_never_writes_through_a_hard_link(tmp_path: Path) -> None:
    location = tmp_path / "site"
    (location / "pkg" / "lib").mkdir(parents=True)
    library = location / "pkg" / "lib" / "libx.so.1"
    library.write_bytes(b"\x7fELF the real contents")
    elsewhere = tmp_path / "installer-cache-copy"
    os.link(library, elsewhere)
    (location / "pkg" / "data").mkdir()
    (location / "pkg" / "data" / "x.txt").write_text("x")

    apply_removals(
        location, ("pkg/lib/libx.so.1", "pkg/data"), location="site", wheels=(Path("x.whl"),)
    )

    assert not library.exists()
    assert not (location / "pkg" / "data").exists()
    assert (location / "pkg" / "lib").is_dir()
    assert elsewhere.read_bytes() == b"\x7fELF the real contents"
    assert elsewhere.stat().st_nlink == 1


def test_removal_through_a_symlink_out_of_the_location_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious").write_text("keep")
    location = tmp_path / "site"
    location.mkdir()
    (location / "escape").symlink_to(outside, target_is_directory=True)
    with pytest.raises(LayoutError, match="leads outside the location through a symbolic link"):
        apply_removals(location, ("escape/precious",), location="site", wheels=())
    assert (outside / "precious").read_text() == "keep"


def test_a_symlink_itself_is_removed_not_its_target(tmp_path: Path) -> None:
    location = tmp_path / "site"
    (location / "lib").mkdir(parents=True)
    real = location / "lib" / "libx.so.1"
    real.write_text("real")
    (location / "lib" / "libx.so").symlink_to("libx.so.1")
    apply_removals(location, ("lib/libx.so",), location="site", wheels=())
    assert not os.path.lexists(location / "lib" / "libx.so")
    assert real.read_text() == "real"


@pytest.mark.parametrize("path", ["a/b.so", "./a", "a//b"])
def test_good_paths(path: str) -> None:
    assert removal_problem(path) is None
