"""The harness's words, defined once: OS names, layout kinds, installers, location labels,
and the name repair tools give the library copies they bundle.

Scenarios, evidence, layouts, the builder, the lint and the reports all speak in these
terms; every other module imports them from here instead of spelling the strings again.
"""

from __future__ import annotations

from typing import Literal

OSName = Literal["linux", "macos", "windows"]
ALL_OS: tuple[OSName, ...] = ("linux", "macos", "windows")

LayoutKind = Literal["venv", "conda"]
LAYOUT_KINDS: tuple[LayoutKind, ...] = ("venv", "conda")
"""Base environment kinds a scenario may run in (each is one provider in
:mod:`harness.envs.registry`)."""

Installer = Literal["uv", "pip"]
INSTALLERS: tuple[Installer, ...] = ("uv", "pip")

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
)
"""Labels a wheel can be installed into (``editable``: its project, from source)."""
EDITABLE_MODES: tuple[str, ...] = ("redirect", "inplace")
"""scikit-build-core's editable modes: ``redirect`` (an import hook serves the source tree,
built files go to site-packages) and ``inplace`` (the build happens in the source tree)."""
ALL_LOCATIONS: tuple[str, ...] = (*WHEEL_LOCATIONS, SYSTEM, CONDA_LIB)
"""Every label evidence can attribute a loaded library to, besides :data:`OUTSIDE`."""

MANGLE_HASH = r"[0-9a-f]{8}(?:[0-9a-f]{24})?"
"""The content hash repair tools put into the names of library copies they bundle:
auditwheel ``libfoo-1a2b3c4d.so.1`` (8 hex digits), delvewheel ``foo-<32 hex>.dll``."""


def library_base(name: str) -> str:
    """``"libfoo"`` -> ``"foo"``: the part of a scenario's library name that platform
    file-name rules build on (``libfoo.so.1``, ``libfoo.1.dylib``, ``foo.dll``)."""
    return name[3:] if name.startswith("lib") else name
