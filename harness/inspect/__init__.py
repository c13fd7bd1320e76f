"""Static inspection of producer/consumer wheels of any platform (``harness lint``).

One reader per binary format (ELF, Mach-O, PE) fills a :class:`BinaryInfo`; the
rules compare producers' library names with consumers' dependency entries,
rpaths, vendored copies, metadata and loader modules.
"""

from __future__ import annotations

from .binary import ArchSlice, BinaryInfo, Dependency, RpathEntry, UnusableInputError
from .findings import RULES, Finding, Rule
from .lint import lint_wheels

__all__ = [
    "RULES",
    "ArchSlice",
    "BinaryInfo",
    "Dependency",
    "Finding",
    "RpathEntry",
    "Rule",
    "UnusableInputError",
    "lint_wheels",
]
