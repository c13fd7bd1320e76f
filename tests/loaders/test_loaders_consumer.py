"""shared_lib_consumer: absent producer -> None; a broken producer is never mistaken for absent.

Producer modules are written into tmp_path under names unique to the test.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import shared_lib_consumer as slc
from loader_testlib import LINUX_ONLY, build_dep


def _write(root: Path, relative: str, text: str) -> None:
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    before = set(sys.modules)
    yield root
    for name in set(sys.modules) - before:
        if name.startswith("slc_"):
            del sys.modules[name]


def test_absent_module_returns_none(site: Path) -> None:
    assert slc.load_library_module("slc_absent_producer") is None


def test_absent_parent_package_returns_none(site: Path) -> None:
    assert slc.load_library_module("slc_absent_pkg.load") is None


def test_absent_submodule_of_installed_package_returns_none(site: Path) -> None:
    _write(site, "slc_pkg_nosub/__init__.py", "")
    assert slc.load_library_module("slc_pkg_nosub.load") is None


def test_missing_dependency_inside_producer_propagates(site: Path) -> None:
    _write(site, "slc_broken_producer.py", "import slc_dependency_nobody_installed\n")

    with pytest.raises(ModuleNotFoundError) as caught:
        slc.load_library_module("slc_broken_producer")
    assert caught.value.name == "slc_dependency_nobody_installed"


def test_missing_sibling_module_inside_producer_package_propagates(site: Path) -> None:
    _write(site, "slc_pkg_broken/__init__.py", "")
    _write(site, "slc_pkg_broken/load.py", "from slc_pkg_broken import _native_helpers\n")

    with pytest.raises(ImportError) as caught:
        slc.load_library_module("slc_pkg_broken.load")
    assert "_native_helpers" in str(caught.value)


def test_module_without_loader_is_a_clear_error(site: Path) -> None:
    _write(site, "slc_no_loader.py", "VERSION = 1\n")

    with pytest.raises(slc.ProducerModuleError) as caught:
        slc.load_library_module("slc_no_loader")
    assert isinstance(caught.value, AttributeError)
    assert caught.value.module_name == "slc_no_loader"
    assert "module 'slc_no_loader' has no attribute 'loader'" in str(caught.value)
    assert "loader = shared_lib_manager.LibraryLoader" in str(caught.value)


def test_loader_without_load_method_is_a_clear_error(site: Path) -> None:
    _write(site, "slc_bad_loader.py", "loader = object()\n")

    with pytest.raises(slc.ProducerModuleError, match="without a load\\(\\) method"):
        slc.load_library_module("slc_bad_loader")


def test_loader_reporting_nothing_gives_an_empty_mapping(site: Path) -> None:
    _write(
        site,
        "slc_quiet_producer.py",
        "calls = []\n"
        "class Loader:\n"
        "    def load(self, *, prefer_system=False):\n"
        "        calls.append(prefer_system)\n"
        "loader = Loader()\n",
    )

    assert slc.load_library_module("slc_quiet_producer", prefer_system=True) == {}
    assert sys.modules["slc_quiet_producer"].calls == [True]


def test_relative_names_are_rejected() -> None:
    with pytest.raises(ValueError, match="absolute module name"):
        slc.load_library_module(".load")


@LINUX_ONLY
def test_installed_producer_is_loaded_and_reported(site: Path, tmp_path: Path) -> None:
    name = "libslc" + str(abs(hash(tmp_path)))
    lib = build_dep(
        site / "slc_real_producer" / "lib", "wheel", file_name=f"{name}.so.1", soname=f"{name}.so.1"
    )
    _write(
        site,
        "slc_real_producer/__init__.py",
        "import os\n"
        "from shared_lib_manager import LibraryLoader, PlatformLibrary\n"
        "_lib = os.path.join(os.path.dirname(__file__), 'lib')\n"
        f"loader = LibraryLoader({{{name!r}: PlatformLibrary(Linux=os.path.join(_lib, {lib.name!r}))}})\n",
    )

    loaded = slc.load_library_module("slc_real_producer", prefer_system=True)

    assert loaded is not None
    assert list(loaded) == [name]
    assert loaded[name].path == str(lib)
    assert loaded[name].source == "wheel-fallback", "prefer_system reached the loader"
    assert loaded[name].handle.dep_value() == 41
