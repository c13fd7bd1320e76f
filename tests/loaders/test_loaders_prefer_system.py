"""prefer_system and PREFER_<NAME>_SYSTEM_LIBRARY pick the copy on the search path.

A "wheel" and a "system" build of the same SONAME report different identities; each
case runs in a fresh interpreter whose LD_LIBRARY_PATH is set at process start.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from loader_testlib import LINUX_ONLY, build_dep, clean_env, evidence, run_python

pytestmark = LINUX_ONLY

LOAD = """
from shared_lib_manager import LibraryLoader, PlatformLibrary
loader = LibraryLoader({"libdep": PlatformLibrary(Linux=sys.argv[1])})
record = loader.load(prefer_system=sys.argv[2] == "1")["libdep"]
record.handle.dep_identity.restype = ctypes.c_char_p
emit(source=record.source, path=record.path,
     identity=record.handle.dep_identity().decode(), copies=mapped("libdep"))
"""


@pytest.fixture
def copies(tmp_path: Path) -> tuple[Path, Path]:
    wheel = build_dep(tmp_path / "site" / "libdep" / "lib", "wheel")
    system = build_dep(tmp_path / "system" / "lib", "system")
    return wheel, system


@pytest.mark.parametrize(
    ("argument", "variable", "on_search_path", "expected"),
    [
        (True, None, True, ("system", "system")),
        (False, "1", True, ("system", "system")),
        (False, "Yes", True, ("system", "system")),
        (True, None, False, ("wheel-fallback", "wheel")),
        (False, "on", False, ("wheel-fallback", "wheel")),
        (False, None, True, ("wheel", "wheel")),
        # The reference treated "0" and "no" as true and would load the system copy.
        (False, "0", True, ("wheel", "wheel")),
        (False, "no", True, ("wheel", "wheel")),
    ],
)
def test_prefer_system_chooses_the_copy(
    copies: tuple[Path, Path],
    argument: bool,
    variable: str | None,
    on_search_path: bool,
    expected: tuple[str, str],
) -> None:
    wheel, system = copies
    extra = {}
    if on_search_path:
        extra["LD_LIBRARY_PATH"] = str(system.parent)
    if variable is not None:
        extra["PREFER_LIBDEP_SYSTEM_LIBRARY"] = variable
    argv = [str(wheel), "1" if argument else "0"]

    seen = evidence(run_python(f"sys.argv[1:] = {argv!r}" + LOAD, env=clean_env(**extra)))

    source, identity = expected
    chosen = system if source == "system" else wheel
    assert (seen["source"], seen["identity"]) == (source, identity)
    assert seen["path"] == str(chosen)
    assert seen["copies"] == [str(chosen)]
