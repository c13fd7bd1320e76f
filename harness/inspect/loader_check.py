"""Static checks of a producer's Python code: how consumers get its library loaded.

Three ways work: a module-level ``loader`` (``shared_lib_consumer.load_library_module``
calls ``loader.load()``), a module-level load function consumers call (RAPIDS'
``load_library()``; other names via ``--loader-entry``), or loading at import (a
module-level ``ctypes.CDLL(...)`` or call of the load function). The source is parsed,
never imported: the wheel may be for another platform.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from .imports import module_level as _module_level
from .imports import parse_module

DEFAULT_ENTRIES = ("loader", "load_library")
LIBRARY_LOADS = frozenset({"CDLL", "PyDLL", "WinDLL", "LoadLibrary", "dlopen"})
"""Callee names that load the library named by their first argument (ctypes, dlopen)."""
_LOAD_CALLS = LIBRARY_LOADS | {"load"}
"""Callee names that load a library when called at import time."""


def _binds(statement: ast.stmt, name: str) -> bool:
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
        targets = [statement.target]
    elif isinstance(statement, (ast.Import, ast.ImportFrom)):
        return any((alias.asname or alias.name.split(".")[0]) == name for alias in statement.names)
    elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return statement.name == name and name != "loader"
    else:
        return False
    for target in targets:
        for node in ast.walk(target):
            if isinstance(node, ast.Name) and node.id == name:
                return True
    return False


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _loads_at_import(statement: ast.stmt, entries: Iterable[str]) -> bool:
    """A module-level statement that calls a load function or ctypes' loaders."""
    if not isinstance(statement, (ast.Expr, ast.Assign, ast.AnnAssign)):
        return False
    value = statement.value
    if not isinstance(value, ast.Call):
        return False
    callee = _callee(value)
    return callee is not None and (callee in _LOAD_CALLS or callee in set(entries))


def missing_loader(source: str, entries: Iterable[str] = DEFAULT_ENTRIES) -> str | None:
    """Why ``source`` gives consumers no way to load the library, or ``None`` when it does."""
    wanted = tuple(entries)
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        return f"cannot be parsed ({error.msg}, line {error.lineno})"
    for statement in _module_level(tree.body):
        if any(_binds(statement, name) for name in wanted):
            return None
        if _loads_at_import(statement, wanted):
            return None
    shown = " or ".join(repr(n) for n in wanted)
    return f"binds no module-level {shown} and loads nothing at import"


def _mentions_global(node: ast.AST, constants: dict[str, ast.AST], depth: int = 0) -> bool:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Attribute) and inner.attr == "RTLD_GLOBAL":
            return True
        if isinstance(inner, ast.Name):
            if inner.id == "RTLD_GLOBAL":
                return True
            bound = constants.get(inner.id)
            if bound is not None and depth < 3 and _mentions_global(bound, constants, depth + 1):
                return True
    return False


def global_loads(source: str) -> list[int]:
    """Line numbers where ``source`` loads a library with ``RTLD_GLOBAL``.

    A ctypes load call (``CDLL``, ``PyDLL``, ``LoadLibrary``, ``dlopen``) whose mode
    argument is, or is a module-level name bound to, an expression using
    ``RTLD_GLOBAL``; and ``sys.setdlopenflags`` with it (every later import is global).
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    constants: dict[str, ast.AST] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    constants[target.id] = statement.value
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        callee = _callee(node)
        if callee == "setdlopenflags" or callee in LIBRARY_LOADS:
            arguments: list[ast.AST] = [*node.args[1:], *(k.value for k in node.keywords)]
            if callee == "setdlopenflags":
                arguments = list(node.args)
            if any(_mentions_global(a, constants) for a in arguments):
                lines.append(node.lineno)
    return sorted(lines)


@dataclass(frozen=True)
class LoadCalls:
    """The load calls of one source that concern one library name (lines, 1-based)."""

    direct: tuple[tuple[str, int], ...]
    """``(callee, line)`` of each call whose first argument is the name itself."""
    other: tuple[tuple[str, int], ...]
    """``(callee, line)`` of each call taking something else (a variable)."""
    bare: tuple[int, ...]
    """Lines holding the name where no other call takes it (not ``os.path.join(d, name)``)."""


@functools.lru_cache(maxsize=128)
def load_calls(source: str, library: str) -> LoadCalls | None:
    """:class:`LoadCalls` of ``source`` for the bare name ``library``, None when it does
    not parse; parsed once per source and name (``harness check`` asks again for every
    failed cell), the tree not kept."""
    tree = parse_module(source)
    if tree is None:
        return None
    direct: list[tuple[str, int]] = []
    other: list[tuple[str, int]] = []
    named: dict[int, int] = {}  # id(constant) -> line
    joined: set[int] = set()  # constants another call takes (os.path.join(dir, name))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value == library:
            named[id(node)] = node.lineno
        if not isinstance(node, ast.Call) or not node.args:
            continue
        callee = _callee(node)
        if callee is None or callee not in LIBRARY_LOADS:
            joined.update(id(arg) for arg in node.args)
            continue
        first = node.args[0]
        if isinstance(first, ast.Constant) and first.value == library:
            direct.append((callee, node.lineno))
        else:
            other.append((callee, node.lineno))
    bare = sorted(line for key, line in named.items() if key not in joined)
    return LoadCalls(tuple(direct), tuple(other), tuple(bare))
