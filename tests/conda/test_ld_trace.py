"""Reading glibc's LD_DEBUG=libs trace (text as glibc 2.36 writes it)."""

from __future__ import annotations

import pytest

from harness.conda.ld_trace import first_search, searches

TRACE = """\
      7242:	find library=libpython3.11.so.1.0 [0]; searching
      7242:	 search path=/p/bin/../lib		(RPATH from file /p/bin/python)
      7242:	  trying file=/p/bin/../lib/libpython3.11.so.1.0
      7242:
      7242:	calling init: /p/bin/../lib/libpython3.11.so.1.0
      7242:
      7242:	find library=libfoo.so.1 [0]; searching
      7242:	 search path=/p/lib/python3.11/lib-dynload/../..		(RPATH from file /p/lib/python3.11/lib-dynload/_ctypes.so)
      7242:	  trying file=/p/lib/python3.11/lib-dynload/../../libfoo.so.1
      7242:
      7242:	calling init: /p/lib/python3.11/lib-dynload/../../libfoo.so.1
      7242:	find library=libfoo.so.1 [0]; searching
      7242:	 search path=/nonexistent		(RUNPATH from file /p/x.so)
      7242:	  trying file=/nonexistent/libfoo.so.1
      7242:	 search cache=/etc/ld.so.cache
      7242:	 search path=/lib:/usr/lib		(system search path)
      7242:	  trying file=/lib/libfoo.so.1
      7242:	  trying file=/usr/lib/libfoo.so.1
"""


def test_each_search_for_the_library_with_reasons() -> None:
    first, second = searches(TRACE, "libfoo.so.1")
    (rpath,) = first.searched
    assert rpath.directories == ("/p/lib/python3.11/lib-dynload/../..",)
    assert rpath.from_rpath_of == "/p/lib/python3.11/lib-dynload/_ctypes.so"
    assert first.tried == ("/p/lib/python3.11/lib-dynload/../../libfoo.so.1",)
    reasons = [path.reason for path in second.searched]
    assert reasons == ["RUNPATH from file /p/x.so", "cache", "system search path"]
    assert [path.from_rpath_of for path in second.searched] == [None, None, None]
    assert second.searched[2].directories == ("/lib", "/usr/lib")
    assert len(second.tried) == 3


def test_other_libraries_are_not_mixed_in() -> None:
    (search,) = searches(TRACE, "libpython3.11.so.1.0")
    assert search.searched[0].from_rpath_of == "/p/bin/python"
    assert searches(TRACE, "libbar.so.1") == []


def test_no_search_is_a_clear_error() -> None:
    with pytest.raises(LookupError, match=r"no search for libbar\.so\.1.*LD_DEBUG=libs"):
        first_search(TRACE, "libbar.so.1")
