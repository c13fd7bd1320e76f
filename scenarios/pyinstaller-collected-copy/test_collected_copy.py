"""Custom check beside pyinstaller-collected-copy: the copy PyInstaller put on the
extensions' search path is a link to the hook's file, and that file is what loaded."""

from __future__ import annotations

from pathlib import Path

from harness.evidence import Evidence
from harness.scenarios.cell_runner import CellEnvironment


def test_the_top_level_name_is_the_hooks_file(
    scenario_evidence: Evidence, scenario_environment: CellEnvironment
) -> None:
    internal = scenario_environment.layout.location("pyinstaller")
    top = internal / "libfoo.so.1"
    hooked = internal / "libfoo" / "lib" / "libfoo.so.1"
    assert top.is_symlink() and hooked.is_file() and not hooked.is_symlink()
    assert top.samefile(hooked)
    (copy,) = scenario_environment.observe(scenario_evidence).copies_of("libfoo")
    assert Path(copy.path) == hooked.resolve()
    # the consumer without preloading imported first: it found the library by that name
    assert scenario_evidence.step("import-nopreload").ok
