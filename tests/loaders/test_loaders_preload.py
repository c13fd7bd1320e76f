"""Preloading by absolute path satisfies a DT_NEEDED entry; without a SONAME it cannot.

Every case runs in a fresh interpreter so no earlier load and no LD_LIBRARY_PATH leaks
in: the dependency lives in a directory the loader never searches.
"""

from __future__ import annotations

from pathlib import Path

from loader_testlib import LINUX_ONLY, build_dep, build_user, evidence, run_python

pytestmark = LINUX_ONLY

LOAD_THEN_USE = """
from shared_lib_manager import LibraryLoader, PlatformLibrary
dep_path, user_path, preload = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
records = {}
if preload:
    loader = LibraryLoader({"libdep": PlatformLibrary(Linux=dep_path)})
    records = {k: [v.path, v.source] for k, v in loader.load().items()}
try:
    value = ctypes.CDLL(user_path).user_value()
    error = None
except OSError as exc:
    value, error = None, str(exc)
emit(records=records, value=value, error=error, dep_copies=mapped("libdep"))
"""


def _run(dep: Path, user: Path, *, preload: bool) -> dict[str, object]:
    code = "sys.argv[1:] = " + repr([str(dep), str(user), "1" if preload else "0"]) + LOAD_THEN_USE
    return evidence(run_python(code))


def test_preload_satisfies_dt_needed_from_unsearched_directory(tmp_path: Path) -> None:
    dep = build_dep(tmp_path / "wheel" / "lib", "wheel")
    user = build_user(tmp_path / "consumer", dep)

    seen = _run(dep, user, preload=True)

    assert seen["error"] is None
    assert seen["value"] == 42
    assert seen["records"] == {"libdep": [str(dep), "wheel"]}
    assert seen["dep_copies"] == [str(dep)], "exactly one copy, the preloaded file"


def test_control_without_preload_the_dependency_is_not_found(tmp_path: Path) -> None:
    dep = build_dep(tmp_path / "wheel" / "lib", "wheel")
    user = build_user(tmp_path / "consumer", dep)

    seen = _run(dep, user, preload=False)

    assert seen["value"] is None
    assert "libdep.so.1: cannot open shared object file" in str(seen["error"])
    assert seen["dep_copies"] == []


def test_control_library_without_soname_is_not_matched_by_preloading(tmp_path: Path) -> None:
    dep = build_dep(tmp_path / "wheel" / "lib", "wheel", soname=None)
    user = build_user(tmp_path / "consumer", dep)

    seen = _run(dep, user, preload=True)

    assert seen["records"] == {"libdep": [str(dep), "wheel"]}, "the preload itself works"
    assert seen["value"] is None
    assert "libdep.so.1: cannot open shared object file" in str(seen["error"])
    assert seen["dep_copies"] == [str(dep)]


DECLARED_ORDER = """
from shared_lib_manager import LibraryLoader, LibraryLoadError, PlatformLibrary
dep_path, user_path, order = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
paths = {"libdep": dep_path, "libuser": user_path}
loader = LibraryLoader({name: PlatformLibrary(Linux=paths[name]) for name in order})
try:
    loaded = list(loader.load())
    error = None
    value = loader.load()["libuser"].handle.user_value()
except LibraryLoadError as exc:
    loaded, value, error = list(loader.loaded), None, {"library": exc.library, "text": str(exc)}
emit(loaded=loaded, value=value, error=error)
"""


def test_declaration_order_is_load_order(tmp_path: Path) -> None:
    dep = build_dep(tmp_path / "wheel" / "lib", "wheel")
    user = build_user(tmp_path / "wheel" / "lib2", dep)

    def run(order: str) -> dict[str, object]:
        argv = [str(dep), str(user), order]
        return evidence(run_python(f"sys.argv[1:] = {argv!r}" + DECLARED_ORDER))

    good = run("libdep,libuser")
    assert good["error"] is None
    assert good["loaded"] == ["libdep", "libuser"]
    assert good["value"] == 42

    bad = run("libuser,libdep")
    assert bad["loaded"] == []
    assert isinstance(bad["error"], dict)
    assert bad["error"]["library"] == "libuser"
    assert "libdep.so.1: cannot open shared object file" in bad["error"]["text"]
