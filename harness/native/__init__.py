"""Native runs: the loader rules measured without a CPython, per loader (glibc, musl, Wine).

A small C probe (``probe.c``) does what the Python probe does -- load libraries by path
with the flags the Python loaders use, call through a consumer, look symbols up -- and
writes the same evidence schema, so musl and Windows-under-Wine cells are checked from
evidence like every other cell. ``build.py`` compiles the probe and the native library
variants per loader, ``wine.py`` keeps the Wine prefix and server, and
``probe_run.run_native`` is the one entry point a layout kind calls.
"""

from __future__ import annotations

from harness.native.build import LOADERS, Loader, NativeBuild, NativeBuildError, ToolMissingError
from harness.native.probe_run import NativeSpec, NativeStep, run_native

__all__ = [
    "LOADERS",
    "Loader",
    "NativeBuild",
    "NativeBuildError",
    "NativeSpec",
    "NativeStep",
    "ToolMissingError",
    "run_native",
]
