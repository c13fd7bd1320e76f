"""Static check that a producer's package binds a module-level ``loader``.

``shared_lib_consumer.load_library_module("libfoo")`` imports the producer's module
and calls ``libfoo.loader.load()``; without that name the consumer cannot preload.
The source is parsed, never imported: the wheel may be for another platform.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

LOADER_NAME = "loader"


def _module_level(statements: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements run on import: the body and ``if``/``try``/``with`` blocks, not functions."""
    for statement in statements:
        yield statement
        if isinstance(statement, ast.If):
            yield from _module_level(statement.body)
            yield from _module_level(statement.orelse)
        elif isinstance(statement, ast.Try):
            for block in (statement.body, statement.orelse, statement.finalbody):
                yield from _module_level(block)
            for handler in statement.handlers:
                yield from _module_level(handler.body)
        elif isinstance(statement, ast.With):
            yield from _module_level(statement.body)


def _binds(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
        targets = [statement.target]
    elif isinstance(statement, (ast.Import, ast.ImportFrom)):
        return any(
            (alias.asname or alias.name.split(".")[0]) == LOADER_NAME for alias in statement.names
        )
    else:
        return False
    for target in targets:
        for node in ast.walk(target):
            if isinstance(node, ast.Name) and node.id == LOADER_NAME:
                return True
    return False


def missing_loader(source: str) -> str | None:
    """Why ``source`` does not bind ``loader`` at module level, or ``None`` when it does."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        return f"cannot be parsed ({error.msg}, line {error.lineno})"
    if any(_binds(statement) for statement in _module_level(tree.body)):
        return None
    return f"binds no module-level name {LOADER_NAME!r}"
