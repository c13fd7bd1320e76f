"""Installer command lines: never an index, find-links only with deps."""

from __future__ import annotations

from pathlib import Path

from harness.envs import commands

WHEELS = [Path("/w/a-1.0-py3-none-any.whl"), Path("/x/b-1.0-py3-none-any.whl")]


def test_uv_without_deps_has_no_index_and_no_find_links() -> None:
    argv = commands.uv_install("uv", Path("/v/bin/python"), WHEELS)
    assert argv[:3] == ["uv", "pip", "install"]
    assert "--no-index" in argv
    assert "--no-deps" in argv
    assert "--find-links" not in argv
    assert argv[-2:] == [str(w) for w in WHEELS]


def test_deps_resolve_only_from_the_wheels_directories() -> None:
    argv = commands.uv_install("uv", Path("/v/bin/python"), WHEELS, deps=True)
    assert "--no-deps" not in argv
    links = [argv[i + 1] for i, a in enumerate(argv) if a == "--find-links"]
    assert links == ["/w", "/x"]
    assert "--no-index" in argv


def test_pip_target_and_user() -> None:
    pip = ["py", "-m", "pip"]
    target = commands.pip_install(pip, WHEELS[:1], target=Path("/cell/target"))
    assert target[:4] == ["py", "-m", "pip", "install"]
    assert target[target.index("--target") + 1] == "/cell/target"
    assert "--no-index" in target
    user = commands.pip_install(pip, WHEELS[:1], user=True)
    assert "--user" in user
    assert "--target" not in user


def test_foreign_pip_acts_on_the_layout_interpreter() -> None:
    argv = commands.foreign_pip(Path("/cell/venv/bin/python"))
    assert argv[0] == "/cell/venv/bin/python"
    assert argv[1].endswith("/pip/" + commands.PIP_RUNNER)


def test_venv_creation_commands() -> None:
    uv = commands.create_venv("uv", Path("/py"), Path("/c/venv"), system_site_packages=False)
    assert uv[1] == "venv"
    assert "--system-site-packages" not in uv
    pip = commands.create_venv("pip", Path("/py"), Path("/c/venv"), system_site_packages=True)
    assert pip == ["/py", "-m", "venv", "--system-site-packages", "/c/venv"]
