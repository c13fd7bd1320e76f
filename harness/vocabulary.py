"""The harness's words, defined once: OS names, layout kinds, installers, location labels,
and the name repair tools give the library copies they bundle.

Scenarios, evidence, layouts, the builder, the lint and the reports all speak in these
terms; every other module imports them from here instead of spelling the strings again.
"""

from __future__ import annotations

from typing import Literal

OSName = Literal["linux", "macos", "windows"]
ALL_OS: tuple[OSName, ...] = ("linux", "macos", "windows")

LayoutKind = Literal["venv", "conda", "native"]
LAYOUT_KINDS: tuple[LayoutKind, ...] = ("venv", "conda", "native")
"""Base environment kinds a scenario may run in (``venv`` and ``conda`` are providers in
:mod:`harness.envs.registry`; ``native`` cells run the C probe of :mod:`harness.native`)."""
NATIVE: LayoutKind = "native"
"""The layout kind without a Python: a native probe, per loader, loads libraries by path."""

Installer = Literal["uv", "pip"]
INSTALLERS: tuple[Installer, ...] = ("uv", "pip")

Libc = Literal["glibc", "musl"]
LIBCS: tuple[Libc, ...] = ("glibc", "musl")
"""The C libraries (and so dynamic loaders) a Linux host may run: a scenario's ``libc``
key says which its expectations hold for (default ``glibc``)."""

NativeLoader = Literal["glibc", "musl", "wine"]
NATIVE_LOADERS: tuple[NativeLoader, ...] = ("glibc", "musl", "wine")
"""The loaders a ``native`` cell runs with: the installer axis of native cells (a native
cell's ``installer`` in the report is its loader)."""
NATIVE_PYTHON = "native"
"""The interpreter axis of a native cell: one fixed value, never expanded per ``--python``."""

# Location labels: where a loaded file came from (docs/architecture.md, "Layouts and locations").
SITE = "site"
"""The venv's or prefix's site-packages."""
TARGET = "target"
"""A ``pip install --target`` directory on ``PYTHONPATH``."""
USER = "user"
"""The user site of an isolated ``PYTHONUSERBASE``."""
SYSTEM = "system"
"""A prefix's library directory on the loader's search variable (the "system" copy)."""
CONDA_LIB = "conda-lib"
"""``$CONDA_PREFIX/lib`` (``Library\\bin`` on Windows)."""
PREFIX = "prefix"
"""The site-packages of a ``pip install --prefix`` directory, on ``PYTHONPATH``."""
ROOT = "root"
"""The site-packages inside a ``pip install --root`` staging tree (how distributions and
images stage packages), on ``PYTHONPATH``."""
WHEEL_DIRS = "wheel-dirs"
"""One directory per wheel, every one on ``PYTHONPATH`` (Bazel rules_python style)."""
ZIPPED = "zip"
"""A zip archive on ``PYTHONPATH`` holding the wheels' files (zipimport)."""
BASE = "base"
"""The site-packages of a base environment the harness makes; the cell's venv is
created from it with ``--system-site-packages``."""
EDITABLE = "editable"
"""The source trees of editable installs (``pip install -e``) inside the cell."""
PEX = "pex"
"""A PEX app's cache: each wheel unpacked into a directory of its own on its first run."""
PEX_WARM = "pex-warm"
"""The same, with the cache filled by a run while the layout was made."""
PYINSTALLER = "pyinstaller"
"""``_internal/`` of a PyInstaller one-folder bundle: the frozen app's modules and libraries."""
OUTSIDE = "other"
"""Any path outside every location of a layout (the interpreter's own libraries...)."""

WHEEL_LOCATIONS: tuple[str, ...] = (
    SITE,
    TARGET,
    USER,
    PREFIX,
    ROOT,
    WHEEL_DIRS,
    ZIPPED,
    BASE,
    EDITABLE,
    PEX,
    PEX_WARM,
    PYINSTALLER,
)
"""Labels a wheel can be installed into (``editable``: its project, from source)."""
SDIST_LOCATIONS: tuple[str, ...] = (SITE, TARGET, USER, PREFIX, ROOT)
"""Labels an sdist can be installed into: those whose install is one installer command
(``harness.envs.source_builds`` builds each sdist with that command)."""
EDITABLE_MODES: tuple[str, ...] = ("redirect", "inplace", "meson")
"""Editable modes of the build backends: scikit-build-core's ``redirect`` (an import hook
serves the source tree, built files go to site-packages) and ``inplace`` (the build happens
in the source tree), and ``meson``, meson-python's only one (an import hook serves every
installed file from the build directory and rebuilds it on import)."""
ALL_LOCATIONS: tuple[str, ...] = (*WHEEL_LOCATIONS, SYSTEM, CONDA_LIB)
"""Every label evidence can attribute a loaded library to, besides :data:`OUTSIDE`."""

# Location labels of a native build (``harness.native.build``): ``<label>/lib/`` holds that
# variant's library, so evidence reads ``producer:libfoo.so.1``, ``copy:foo.dll``...
NATIVE_PRODUCER = "producer"
"""The producer (``libfoo.so.1`` / ``foo.dll``, identity ``libfoo 1.0 native``)."""
NATIVE_COPY = "copy"
"""Another build of the producer, same names (identity ``libfoo 1.0 native-copy``)."""
NATIVE_CONSUMER = "consumer"
"""The consumer: ``DT_NEEDED libfoo.so.1`` / an import of ``foo.dll``, no RPATH."""
NATIVE_CONSUMER_RPATH = "consumer-rpath"
"""The consumer with ``RUNPATH $ORIGIN/../../producer/lib`` (ELF loaders only)."""
NATIVE_BUNDLED = "bundled"
"""Another package's consumer with its own private copy of the producer beside it."""
NATIVE_LOCATIONS: tuple[str, ...] = (
    NATIVE_PRODUCER,
    NATIVE_COPY,
    NATIVE_CONSUMER,
    NATIVE_CONSUMER_RPATH,
    NATIVE_BUNDLED,
)
"""Labels evidence of a native cell attributes loaded libraries to (besides :data:`OUTSIDE`)."""

MANGLE_HASH = r"[0-9a-f]{8}(?:[0-9a-f]{24})?"
"""The content hash repair tools put into the names of library copies they bundle:
auditwheel ``libfoo-1a2b3c4d.so.1`` (8 hex digits), delvewheel ``foo-<32 hex>.dll``."""


def library_base(name: str) -> str:
    """``"libfoo"`` -> ``"foo"``: the part of a scenario's library name that platform
    file-name rules build on (``libfoo.so.1``, ``libfoo.1.dylib``, ``foo.dll``)."""
    return name[3:] if name.startswith("lib") else name
