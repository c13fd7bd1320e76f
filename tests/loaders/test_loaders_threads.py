"""32 threads calling load() at once open the library once.

The count is read from the real loader: every dlopen takes a reference, so after one
dlclose a library opened once is gone (dlopen with RTLD_NOLOAD fails) while one opened
several times is still mapped. The library's constructor sleeps so the threads really
overlap inside the load. The control opens the file from 32 threads with bare ctypes,
as a loader without a lock would.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from loader_testlib import LINUX_ONLY, build_dep, evidence, run_python

pytestmark = LINUX_ONLY

RACE = """
import threading
from shared_lib_manager import LibraryLoader, PlatformLibrary
path, how = sys.argv[1:3]
loader = LibraryLoader({"libdep": PlatformLibrary(Linux=path)})
barrier = threading.Barrier(32)
handles = []

def worker():
    barrier.wait()
    if how == "loader":
        handles.append(loader.load()["libdep"].handle)
    else:
        handles.append(ctypes.CDLL(path, mode=os.RTLD_LOCAL))

threads = [threading.Thread(target=worker) for _ in range(32)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()

libc = ctypes.CDLL(None)
libc.dlopen.restype = ctypes.c_void_p
libc.dlopen.argtypes = [ctypes.c_char_p, ctypes.c_int]
libc.dlclose.argtypes = [ctypes.c_void_p]
ctor_runs = ctypes.c_int.in_dll(handles[0], "dep_ctor_runs").value
libc.dlclose(handles[0]._handle)
still_loaded = libc.dlopen(path.encode(), os.RTLD_NOLOAD | os.RTLD_LAZY) is not None
emit(calls=len(handles), distinct_handles=len({id(h) for h in handles}),
     ctor_runs=ctor_runs, still_loaded_after_one_dlclose=still_loaded)
"""


@pytest.mark.parametrize(
    ("how", "distinct", "still_loaded"),
    [("loader", 1, False), ("bare-ctypes", 32, True)],
)
def test_concurrent_load_opens_once(
    tmp_path: Path, how: str, distinct: int, still_loaded: bool
) -> None:
    dep = build_dep(tmp_path, "wheel", ctor_sleep_us=100_000)

    seen = evidence(run_python(f"sys.argv[1:] = {[str(dep), how]!r}" + RACE))

    assert seen["calls"] == 32
    assert seen["distinct_handles"] == distinct
    assert seen["ctor_runs"] == 1, "the constructor runs once per mapping either way"
    assert seen["still_loaded_after_one_dlclose"] is still_loaded
