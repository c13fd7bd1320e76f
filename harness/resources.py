"""Files of the ``harness`` package that are read as data at run time, not imported.

An installed harness (a wheel: ``pipx install``, ``pip install`` in CI) works outside
this repository only if its wheel carries each of them. Code that reads one goes through
:func:`path`, and ``tests/check/test_installed_tool.py`` checks :data:`SHIPPED` against
the files of the built wheel, and every file the installed tool opened in its package
against the same list of files.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent

PROBE = "probe/__init__.py"
"""The stdlib-only probe package, run by every layout's interpreter: its entry module."""
PROBE_FILES: tuple[str, ...] = (
    PROBE,
    "probe/readers.py",
    "probe/jsontext.py",
    "probe/__main__.py",
)
"""Every file of the probe package (copied together into the work dir for the cells)."""
NATIVE_PROBE = "native/probe.c"
"""The native probe's C source, compiled per loader by :mod:`harness.native.build`."""
NATIVE_CONSUMER = "native/consumer.c"
"""The native consumer's C source (native cells)."""

SHIPPED: tuple[str, ...] = (*PROBE_FILES, NATIVE_PROBE, NATIVE_CONSUMER)
"""Every data file, relative to the package directory (POSIX separators)."""


def path(name: str) -> Path:
    """The installed file of resource ``name`` (one of :data:`SHIPPED`)."""
    if name not in SHIPPED:
        raise KeyError(f"{name!r} is not a resource of the harness package ({SHIPPED})")
    return PACKAGE_DIR / name
