"""Content keys for the conda caches: inputs plus the code that turns them into packages."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

# The modules that decide what goes into a package or a template prefix.
PACKAGE_MODULES = (
    "conda_paths",
    "cpython",
    "elf",
    "libfoo_package",
    "package_writer",
    "python_package",
    "subdirs",
)
PREFIX_MODULES = (*PACKAGE_MODULES, "external", "rattler_install", "template")


@cache
def code_digest(modules: tuple[str, ...] = PREFIX_MODULES) -> str:
    """sha256 of the sources that make packages or prefixes: editing them invalidates the cache."""
    digest = hashlib.sha256()
    for name in sorted(modules):
        path = Path(__file__).with_name(f"{name}.py")
        digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def combine(*parts: str) -> str:
    """One short key from several strings (order matters)."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]
