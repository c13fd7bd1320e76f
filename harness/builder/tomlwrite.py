"""Write the small subset of TOML a ``pyproject.toml`` uses (tables, strings, booleans, lists).

The staging copy of a project is rewritten from parsed data; the standard library reads
TOML but cannot write it, and the subset needed here is a few lines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        items = ", ".join(f"{_key(str(k))} = {_value(v)}" for k, v in value.items())
        return "{" + items + "}"
    raise TypeError(f"cannot write {type(value).__name__} value {value!r} as TOML")


def dumps(data: Mapping[str, object]) -> str:
    """TOML text for ``data``; nested mappings become ``[a.b]`` tables."""
    lines: list[str] = []

    def table(path: list[str], mapping: Mapping[str, object]) -> None:
        scalars = [(k, v) for k, v in mapping.items() if not isinstance(v, Mapping)]
        tables = [(k, v) for k, v in mapping.items() if isinstance(v, Mapping)]
        if path and (scalars or not tables):
            lines.append("[" + ".".join(_key(part) for part in path) + "]")
        for key, value in scalars:
            lines.append(f"{_key(key)} = {_value(value)}")
        if scalars:
            lines.append("")
        for key, value in tables:
            assert isinstance(value, Mapping)
            table([*path, key], value)

    table([], data)
    return "\n".join(lines).rstrip() + "\n"
