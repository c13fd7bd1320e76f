"""Size limits of the harness's code: no module over 600 lines, no function over 80.

A cheap AST walk. An exception would be listed with its reason and must still exceed
the limit (a stale entry fails), so the list only ever shrinks; it is empty now.
"""

from __future__ import annotations

import ast
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
MODULE_LINES = 600
FUNCTION_LINES = 80

EXCEPTIONS: dict[str, str] = {}


def oversized(path: Path, name: str) -> list[str]:
    """``name`` (a module's relative path) and ``name:function`` for every part over its limit."""
    source = path.read_text(encoding="utf-8")
    found = [name] if len(source.splitlines()) > MODULE_LINES else []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert node.end_lineno is not None
            if node.end_lineno - node.lineno + 1 > FUNCTION_LINES:
                found.append(f"{name}:{node.name}")
    return found


def test_no_module_over_600_lines_and_no_function_over_80() -> None:
    found: list[str] = []
    for path in sorted((PROJECT / "harness").rglob("*.py")):
        found += oversized(path, path.relative_to(PROJECT).as_posix())
    assert sorted(set(found) - set(EXCEPTIONS)) == []
    stale = sorted(set(EXCEPTIONS) - set(found))
    assert stale == [], f"no longer over the limit: remove {stale} from EXCEPTIONS"


def test_the_walk_finds_a_long_function_and_a_long_module(tmp_path: Path) -> None:
    short = tmp_path / "short.py"
    short.write_text("def f():\n" + "    x = 1\n" * 79, encoding="utf-8")
    assert oversized(short, "short.py") == []
    # negative controls: one line more in the function, then a module over the limit
    long_function = tmp_path / "long.py"
    long_function.write_text("def f():\n" + "    x = 1\n" * 80, encoding="utf-8")
    assert oversized(long_function, "long.py") == ["long.py:f"]
    long_module = tmp_path / "big.py"
    long_module.write_text("x = 1\n" * 601, encoding="utf-8")
    assert oversized(long_module, "big.py") == ["big.py"]
