"""The ``pyinstaller`` location's own parts; what a frozen app does with a producer is
proved by the scenarios pyinstaller-preload, pyinstaller-nohook (the negative control)
and pyinstaller-collected-copy (real PyInstaller, real wheels)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from harness.envs.locations import pyinstaller_bundle


def test_hidden_imports_are_the_wheels_top_level_modules(tmp_path: Path) -> None:
    wheel = tmp_path / "pkg-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("pkg/__init__.py", "")
        archive.writestr("pkg/sub/__init__.py", "")  # a subpackage: not top level
        archive.writestr("pkg/lib/libx.so.1", "")
        archive.writestr("single.py", "")
        archive.writestr("pkg-1.0.dist-info/RECORD", "")
        archive.writestr("pkg.libs/liby.so", "")
    assert pyinstaller_bundle.top_level_modules(wheel) == ["pkg", "single"]


def test_the_probes_standard_imports_go_into_the_bundle() -> None:
    names = pyinstaller_bundle.probe_imports()
    # what the probe needs at its first lines and to read the loaded libraries
    assert {"__future__", "_json", "ctypes", "json", "struct"} <= set(names)
    assert "harness" not in names  # the probe imports nothing of the harness


def test_the_fingerprint_follows_the_entry_script(monkeypatch: pytest.MonkeyPatch) -> None:
    before = pyinstaller_bundle.LOCATION.fingerprint()
    assert len(before) == 16
    monkeypatch.setattr(pyinstaller_bundle, "_ENTRY_SOURCE", "print('other')\n")
    assert pyinstaller_bundle.LOCATION.fingerprint() != before
