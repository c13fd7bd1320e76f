"""The harness keeps setup-micromamba's root prefix, on Windows too (review item 5).

``micromamba.exe`` is what ``shutil.which("micromamba")`` returns on Windows; the old
check compared the file name with ``micromamba`` and never pinned a root prefix there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.conda import external


@pytest.mark.parametrize(
    "tool", ["/opt/bin/micromamba", "/opt/micromamba-bin/micromamba.exe", "MICROMAMBA.EXE"]
)
def test_micromamba_gets_the_work_directory_root_prefix_when_none_is_set(
    tool: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MAMBA_ROOT_PREFIX", raising=False)
    assert external.tool_env(tool, tmp_path)["MAMBA_ROOT_PREFIX"] == str(tmp_path)


def test_a_set_root_prefix_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """setup-micromamba's root, whose pkgs/ folder the CI caches."""
    monkeypatch.setenv("MAMBA_ROOT_PREFIX", "/home/runner/micromamba")
    env = external.tool_env("/home/runner/micromamba-bin/micromamba.exe", tmp_path)
    assert env["MAMBA_ROOT_PREFIX"] == "/home/runner/micromamba"


@pytest.mark.parametrize("tool", ["/opt/conda/bin/conda", "C:/conda/Scripts/mamba.exe"])
def test_negative_control_conda_and_mamba_get_no_micromamba_root(
    tool: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MAMBA_ROOT_PREFIX", raising=False)
    assert "MAMBA_ROOT_PREFIX" not in external.tool_env(tool, tmp_path)
