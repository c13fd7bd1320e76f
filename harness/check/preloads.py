"""How a producer's libraries get loaded before its consumers, read from its wheel.

The preload is a step the probe runs first: this project's ``pkg.loader.load()``, a
RAPIDS-style ``pkg.load_library()``, or importing a package that loads its library when
imported (from Python, or through an extension module that links it). Read from the
wheel's sources and binaries; nothing is installed or imported.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from harness.inspect import wheel as inspect_wheel
from harness.inspect.imports import extensions_loaded_by_import, import_packages
from harness.inspect.names import is_extension_module
from harness.inspect.resolve import Resolver

LOADER_NAME = "loader"
"""This project's API: ``pkg.loader.load()`` (``shared_lib_manager.LibraryLoader``)."""

LOAD_FUNCTION = "load_library"
"""The RAPIDS-style preload function name (``libucx.load_library()``)."""


@dataclass(frozen=True)
class Preload:
    """How a producer's library gets loaded before its consumers: a step the probe runs."""

    how: str
    """``loader`` (``pkg.loader.load()``), ``function`` (``pkg.load_library()``),
    ``import`` (the package preloads when imported) or ``given`` (``--preload``)."""
    call: str | None = None
    """Dotted callable to call (``libfoo.loader.load``), or None to import ``module``."""
    module: str | None = None
    via: str | None = None
    """The extension module whose import loads the library (``pkg/_ext.so``), if that is how."""

    def describe(self) -> str:
        if self.call:
            return f"{self.call}()"
        through = f" (loads at import through {self.via})" if self.via else ""
        return f"import {self.module}{through}"


def _module_level(statements: list[ast.stmt]) -> list[ast.stmt]:
    """Statements run on import: the body and ``if``/``try`` blocks, not functions."""
    found: list[ast.stmt] = []
    for statement in statements:
        found.append(statement)
        if isinstance(statement, ast.If | ast.Try):
            found += _module_level(statement.body) + _module_level(statement.orelse)
    return found


def _binds(statement: ast.stmt, name: str) -> bool:
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
        return statement.name == name
    if isinstance(statement, ast.Import | ast.ImportFrom):
        return any((a.asname or a.name.split(".")[0]) == name for a in statement.names)
    if isinstance(statement, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in statement.targets)
    return False


def _loads_at_import(tree: ast.Module) -> bool:
    """A module-level call that loads a library (``ctypes.CDLL(...)``, ``load_library()``)."""
    for statement in tree.body:
        if not isinstance(statement, ast.Expr | ast.Assign):
            continue
        for node in ast.walk(statement):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called in ("CDLL", "LoadLibrary", "WinDLL", LOAD_FUNCTION, "load"):
                    return True
    return False


def find_preload(wheel: inspect_wheel.Wheel) -> Preload | None:
    """How ``wheel``'s package preloads its libraries, read from its ``__init__.py``."""
    for member, source in sorted(wheel.texts.items()):
        package = member.split("/", 1)[0]
        if package.endswith(".data"):
            continue
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        if any(_binds(statement, LOADER_NAME) for statement in _module_level(tree.body)):
            return Preload("loader", call=f"{package}.{LOADER_NAME}.load")
        if any(_binds(statement, LOAD_FUNCTION) for statement in tree.body):
            return Preload("function", call=f"{package}.{LOAD_FUNCTION}")
        if _loads_at_import(tree):
            return Preload("import", module=package)
    return import_through_extension(wheel)


def import_through_extension(wheel: inspect_wheel.Wheel) -> Preload | None:
    """``import pkg`` as the preload when the package imports an extension module whose
    needed libraries (the resolver's closure inside the wheel) include the wheel's own."""
    resolver = Resolver([wheel])
    for package in import_packages(wheel):
        for extension in extensions_loaded_by_import(wheel, package):
            mapped = resolver.closure([(wheel, extension)])
            if any(not is_extension_module(binary) for _wheel, binary in mapped.values()):
                return Preload("import", module=package, via=wheel.install_path(extension.path))
    return None
