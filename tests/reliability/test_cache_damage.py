"""A damaged cache entry is reported with its path and rebuilt (issue 11, point 6).

The damage is real: after a real build, the entry's ``entry.json`` is emptied,
overwritten with bytes that are not JSON, or its product deleted; the next real
``harness build`` must name the entry, rebuild it, and leave a healthy entry behind.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from reliability_testlib import PROJECT, harness_env

pytestmark = pytest.mark.slow


def _build(workdir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", "--workdir", str(workdir), "build", "--only",
         "shared_lib_manager"],
        cwd=PROJECT, env=harness_env(), capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


def _empty(entry: Path) -> None:
    (entry / "entry.json").write_bytes(b"")


def _garbage(entry: Path) -> None:
    (entry / "entry.json").write_bytes(b'{"product": "x\xff\x00')


def _no_product(entry: Path) -> None:
    meta = json.loads((entry / "entry.json").read_text(encoding="utf-8"))
    (entry / meta["product"]).unlink()


@pytest.mark.parametrize("damage", [_empty, _garbage, _no_product], ids=lambda f: f.__name__)
def test_damaged_entry_is_named_and_rebuilt(tmp_path: Path, damage: Callable[[Path], None]) -> None:
    workdir = tmp_path / "work"
    first = _build(workdir)
    assert first.returncode == 0, first.stderr
    (entry,) = (workdir / "cache" / "wheels").glob("shared_lib_manager-*")
    damage(entry)
    second = _build(workdir)
    assert second.returncode == 0, second.stderr
    assert "Traceback" not in second.stderr, second.stderr
    assert f"cache entry {entry} is damaged" in second.stderr
    assert "shared_lib_manager   building" in second.stderr  # rebuilt, not served
    meta = json.loads((entry / "entry.json").read_text(encoding="utf-8"))
    assert (entry / meta["product"]).is_file()
    third = _build(workdir)  # healed: served from the cache, nothing reported
    assert "damaged" not in third.stderr and "shared_lib_manager   cached" in third.stderr
    assert [p.name for p in (workdir / "cache" / "wheels").iterdir()] == [entry.name]
