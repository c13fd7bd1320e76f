"""Failure mode 12: an installed producer whose library file is gone names the distribution.

After a failed load (never on the hot path) the loader looks for the ``*.dist-info/RECORD``
in the ``sys.path`` entry holding the declared file. When a distribution lists the
missing file, the install is broken and the fix is to reinstall exactly that
distribution. Fresh interpreters, real files, the real loader.
"""

from __future__ import annotations

from pathlib import Path

from loader_testlib import evidence, run_python

LOAD = """
from shared_lib_manager import LibraryLoader, LibraryLoadError, PlatformLibrary
site, declared, on_path = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
if on_path:
    sys.path.insert(0, site)
loader = LibraryLoader({"libdep": PlatformLibrary(Linux=declared, Darwin=declared,
                                                  Windows=declared)})
try:
    loader.load()
    emit(error=None)
except LibraryLoadError as exc:
    emit(error=str(exc), owner=exc.owner, missing=exc.missing_file)
"""


def _site(tmp_path: Path, listed: str) -> tuple[Path, Path]:
    """A site dir whose ``demo_pkg-2.5`` RECORD lists ``listed``; the library is not there."""
    site = tmp_path / "site"
    (site / "demo_pkg" / "lib").mkdir(parents=True)
    (site / "demo_pkg" / "__init__.py").write_text("", encoding="utf-8")
    dist_info = site / "demo_pkg-2.5.dist-info"
    dist_info.mkdir()
    record = f"demo_pkg/__init__.py,,\n{listed},sha256=x,10\ndemo_pkg-2.5.dist-info/RECORD,,\n"
    (dist_info / "RECORD").write_text(record, encoding="utf-8")
    (site / "other-1.0.dist-info").mkdir()  # a dist-info without RECORD is skipped
    return site, site / "demo_pkg" / "lib" / "libdep.so.1"


def _load(site: Path, declared: Path, *, on_path: bool = True) -> dict[str, object]:
    args = [str(site), str(declared), "1" if on_path else "0"]
    return evidence(run_python("sys.argv[1:] = " + repr(args) + LOAD))


def test_missing_file_listed_in_a_record_names_the_distribution_to_reinstall(
    tmp_path: Path,
) -> None:
    site, declared = _site(tmp_path, "demo_pkg/lib/libdep.so.1")
    seen = _load(site, declared)
    assert seen["missing"] is True
    assert seen["owner"] == "demo_pkg==2.5"
    message = str(seen["error"])
    assert "the installed distribution demo_pkg==2.5 lists it in its RECORD" in message
    assert "pip install --force-reinstall demo_pkg==2.5" in message
    assert "PREFER_LIBDEP_SYSTEM_LIBRARY=1" in message


def test_control_a_file_no_record_lists_keeps_the_generic_fix(tmp_path: Path) -> None:
    site, declared = _site(tmp_path, "demo_pkg/lib/libother.so.1")
    seen = _load(site, declared)
    assert seen["owner"] is None
    assert "<producer distribution>" in str(seen["error"])


def test_control_a_directory_not_on_sys_path_is_not_searched(tmp_path: Path) -> None:
    site, declared = _site(tmp_path, "demo_pkg/lib/libdep.so.1")
    seen = _load(site, declared, on_path=False)
    assert seen["owner"] is None
    assert "<producer distribution>" in str(seen["error"])


def test_a_linker_script_names_the_distribution_to_report_to(tmp_path: Path) -> None:
    site, _ = _site(tmp_path, "demo_pkg/lib/libdep.so")
    script = site / "demo_pkg" / "lib" / "libdep.so"
    script.write_text("INPUT(libdep.so.1)\n", encoding="utf-8")
    seen = _load(site, script)
    assert seen["missing"] is False
    assert seen["owner"] == "demo_pkg==2.5"
    assert "report this to the maintainers of demo_pkg==2.5" in str(seen["error"])
