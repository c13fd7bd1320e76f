"""What a module imports when it is imported, read from its source; and what is kept.

The import statements of each source are parsed once and kept, the syntax tree not: the
trees of a large family's sources were tens of megabytes held for the whole process (a
``harness check`` of PyMuPDF kept 45 MB of them).
"""

from __future__ import annotations

import ast
import gc

from harness.inspect.imports import import_statements, imported_at_import, parse_module

SOURCE = """\
import os, json.decoder
from . import _native
from .sub import helper as h
from .. import sibling
from ..other.deep import thing
from __future__ import annotations
from pkg.x import *
if os.name == "posix":
    import posix_only
else:
    from . import windows_only
try:
    import fast
except ImportError:
    import slow
finally:
    import always
with open(__file__):
    import within

def later():
    import never
"""


def test_module_level_imports_of_a_package_and_a_module() -> None:
    as_package = imported_at_import(SOURCE, "top.pkg", is_package=True)
    assert as_package == [
        "os", "json", "json.decoder",
        "top", "top.pkg", "top.pkg._native",
        "top", "top.pkg", "top.pkg.sub", "top.pkg.sub.helper",
        "top", "top.sibling",
        "top", "top.other", "top.other.deep", "top.other.deep.thing",
        "__future__", "__future__.annotations",
        "pkg", "pkg.x",
        "posix_only",
        "top", "top.pkg", "top.pkg.windows_only",
        "fast", "always", "slow", "within",
    ]  # fmt: skip
    as_module = imported_at_import(SOURCE, "top.pkg.mod", is_package=False)
    assert as_module == as_package  # a module's package is its parent
    assert "never" not in as_package
    assert imported_at_import("import (", "x", is_package=False) == []


def test_no_syntax_tree_is_kept() -> None:
    source = SOURCE + "\n# kept-tree test\n"
    import_statements(source)
    imported_at_import(source, "top.pkg", is_package=True)
    gc.collect()
    assert not [o for o in gc.get_objects() if isinstance(o, ast.Module)]
    # control: a tree someone holds is found
    held = parse_module(source)
    gc.collect()
    assert [o for o in gc.get_objects() if isinstance(o, ast.Module)] == [held]
