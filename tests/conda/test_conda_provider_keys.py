"""The conda packages a scenario asks for are part of every cache key of its layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import project
from harness.conda import channel as local_channel
from harness.conda import cpython
from harness.conda import prefix as conda_prefix
from harness.envs.conda import CondaProvider
from harness.envs.templates import template_key
from harness.workdir import WorkDir


def _provider(tmp_path: Path, packages: list[str]) -> CondaProvider:
    return CondaProvider(WorkDir(tmp_path / "work"), conda_packages=packages, backend="rattler")


def test_fingerprint_depends_on_the_packages_not_their_order(
    tmp_path: Path, interpreter: Path
) -> None:
    none = _provider(tmp_path, []).fingerprint(interpreter)
    one = _provider(tmp_path, ["libfoo 1.*"]).fingerprint(interpreter)
    two = _provider(tmp_path, ["libfoo 2.*"]).fingerprint(interpreter)
    assert len({none, one, two}) == 3
    pair = _provider(tmp_path, ["libfoo 1.*", "zlib"]).fingerprint(interpreter)
    assert pair == _provider(tmp_path, ["zlib", "libfoo 1.*"]).fingerprint(interpreter)


def test_layout_template_key_depends_on_the_packages(tmp_path: Path, interpreter: Path) -> None:
    keys = {
        template_key(_provider(tmp_path, packages), interpreter, "pip", ["site"], [])
        for packages in ([], ["libfoo 1.*"], ["libfoo 2.*"])
    }
    assert len(keys) == 3


def test_python_and_pip_alone_need_no_checkout(
    tmp_path: Path, interpreter: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside a checkout (``harness check --conda`` of an installed harness) the channel
    of a prefix without conda packages holds python and pip, made from the interpreter;
    a libfoo package still needs ``wheels-src/libfoo`` and says so."""
    monkeypatch.delenv(project.ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    assert not project.present()
    assert conda_prefix.libfoo_source_for((), None) is None
    keys = local_channel.package_keys(cpython.inspect(interpreter), None)
    assert sorted(keys) == ["pip", "python"]
    assert _provider(tmp_path, []).fingerprint(interpreter).startswith("conda-")
    # control: the libfoo package is built from the checkout, which is not here
    with pytest.raises(project.ProjectRootNotFoundError, match=r"'libfoo 1\.\*'.*wheels-src"):
        _provider(tmp_path, ["libfoo 1.*"]).fingerprint(interpreter)
