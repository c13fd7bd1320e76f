"""PyInstaller hook of libfoo: bundle the shared library where ``libfoo.loader`` looks.

PyInstaller collects modules and the libraries extension modules link to *when it can
resolve them*; a consumer that preloads (no RPATH) names ``libfoo.so.1`` it cannot
resolve, and ``libfoo/lib/`` is no module. Without this hook the bundle has no library
and the preload fails with "could not load library 'libfoo' ... missing"; with it, the
library sits in ``_internal/libfoo/lib/``, where ``libfoo.loader``'s ``__file__``-relative
path points in the frozen app too.

``collect_dynamic_libs``' default patterns (``lib*.so``, ``*.dylib``, ``*.dll``) miss a
file named by its SONAME (``libfoo.so.1``), so the versioned name is asked for as well.
"""

# ruff: noqa: N999 - PyInstaller finds hooks by the file name hook-<module>.py
from PyInstaller.utils.hooks import collect_dynamic_libs

binaries = collect_dynamic_libs(
    "libfoo", search_patterns=["lib*.so", "lib*.so.*", "*.dylib", "*.dll"]
)
