"""Custom check beside pyinstaller-nohook: the installed producer has its library, the
bundle does not, and the producer ships no hook (what pyinstaller-preload differs by)."""

from __future__ import annotations

from harness.scenarios.cell_runner import CellEnvironment


def test_the_bundle_lacks_the_library_the_wheel_has(
    scenario_environment: CellEnvironment,
) -> None:
    layout = scenario_environment.layout
    site = layout.location("site")
    assert (site / "libfoo" / "lib" / "libfoo.so.1").is_file()  # installed intact
    assert (site / "libfoo" / "_pyinstaller" / "__init__.py").is_file()  # the entry point
    assert not (site / "libfoo" / "_pyinstaller" / "hook-libfoo.py").exists()  # no hook
    internal = layout.location("pyinstaller")
    assert (internal / "base_library.zip").is_file()  # a real bundle was made
    assert sorted(p.name for p in internal.rglob("libfoo.so*")) == []
