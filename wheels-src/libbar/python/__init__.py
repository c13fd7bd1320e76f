"""libbar: a producer whose library (libbar.so.1) itself needs libfoo.so.1 from the libfoo wheel.

``loader.load()`` first gets libfoo loaded through its own producer module, so that
libbar's dependency on libfoo is answered by the libfoo wheel's copy, then loads libbar.
"""

from pathlib import Path

from shared_lib_consumer import load_library_module
from shared_lib_manager import LibraryLoader, PlatformLibrary

__version__ = "1.0"

_HERE = Path(__file__).resolve().parent
_LIB_DIR = _HERE / "lib"


class _LoaderAfterLibfoo(LibraryLoader):
    """A ``LibraryLoader`` that loads its dependency libfoo before its own libraries."""

    def load(self, *args, **kwargs):
        load_library_module("libfoo", prefer_system=kwargs.get("prefer_system", False))
        return super().load(*args, **kwargs)


loader = _LoaderAfterLibfoo(
    {
        "libbar": PlatformLibrary(
            Linux=str(_LIB_DIR / "libbar.so.1"),
            Darwin=str(_LIB_DIR / "libbar.1.dylib"),
            Windows=str(_LIB_DIR / "bar.dll"),
        )
    }
)


def get_include():
    """Directory holding ``bar.h``."""
    return str(_HERE / "include")
