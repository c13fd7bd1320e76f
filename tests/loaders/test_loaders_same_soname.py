"""What glibc does with two files of one SONAME (failure mode 6, "first loaded wins").

A dlopen by a *different path* maps a second copy (it does not return the loaded one),
while a consumer's DT_NEEDED is answered by the copy loaded first. So a producer's
preload after another package loaded the same SONAME leaves two copies in the process,
and consumers bind to the earlier one. The loader's record names the file it opened.
"""

from __future__ import annotations

from pathlib import Path

from loader_testlib import LINUX_ONLY, build_dep, build_user, evidence, run_python

pytestmark = LINUX_ONLY

CODE = """
from shared_lib_manager import LibraryLoader, PlatformLibrary
first_path, wheel_path, user_path = sys.argv[1:4]
first = ctypes.CDLL(first_path, mode=os.RTLD_LOCAL)
record = LibraryLoader({"libdep": PlatformLibrary(Linux=wheel_path)}).load()["libdep"]
for handle in (first, record.handle):
    handle.dep_identity.restype = ctypes.c_char_p
user = ctypes.CDLL(user_path)
user.user_dep_identity.restype = ctypes.c_char_p
emit(consumer_bound_to=user.user_dep_identity().decode(), copies=sorted(mapped("libdep")), record_path=record.path,
     record_identity=record.handle.dep_identity().decode(),
     same_handle=first._handle == record.handle._handle)
"""


def test_second_path_maps_a_second_copy(tmp_path: Path) -> None:
    other = build_dep(tmp_path / "other-package", "other")
    wheel = build_dep(tmp_path / "wheel", "wheel")
    user = build_user(tmp_path / "consumer", wheel)

    seen = evidence(run_python(f"sys.argv[1:] = {[str(other), str(wheel), str(user)]!r}" + CODE))

    assert seen["copies"] == sorted([str(other), str(wheel)])
    assert seen["same_handle"] is False
    assert seen["record_path"] == str(wheel)
    assert seen["record_identity"] == "wheel"
    assert seen["consumer_bound_to"] == "other", "DT_NEEDED is answered by the first copy"
