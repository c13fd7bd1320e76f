"""RTLD_LOCAL: a preloaded library's symbols stay out of the global namespace.

A consumer with a DT_NEEDED entry still binds to it. The RTLD_GLOBAL control shows the
global lookup used here does see a library's symbols when they are exported globally.
"""

from __future__ import annotations

from pathlib import Path

from loader_testlib import LINUX_ONLY, build_dep, build_user, evidence, run_python

pytestmark = LINUX_ONLY

CHECK = """
from shared_lib_manager import LibraryLoader, PlatformLibrary
dep_path, user_path, how = sys.argv[1:4]
if how == "loader":
    LibraryLoader({"libdep": PlatformLibrary(Linux=dep_path)}).load()
else:
    ctypes.CDLL(dep_path, mode=os.RTLD_GLOBAL)
visible = global_symbol("dep_value")
value = ctypes.CDLL(user_path).user_value()
emit(visible=visible, value=value, dep_copies=mapped("libdep"))
"""


def _run(tmp_path: Path, how: str) -> dict[str, object]:
    dep = build_dep(tmp_path / "wheel", "wheel")
    user = build_user(tmp_path / "consumer", dep)
    argv = [str(dep), str(user), how]
    return evidence(run_python(f"sys.argv[1:] = {argv!r}" + CHECK))


def test_loaded_symbols_are_not_global_and_consumers_still_bind(tmp_path: Path) -> None:
    seen = _run(tmp_path, "loader")

    assert seen["visible"] is False
    assert seen["value"] == 42
    assert seen["dep_copies"] == [str(tmp_path / "wheel" / "libdep.so.1")]


def test_control_rtld_global_makes_symbols_visible(tmp_path: Path) -> None:
    seen = _run(tmp_path, "global")

    assert seen["visible"] is True
    assert seen["value"] == 42
