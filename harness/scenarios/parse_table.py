"""The reader every table of ``scenario.toml`` is parsed with: typed, key-tracking access
whose unknown keys, wrong types and bad values become :class:`Problem` values (file, key,
what, fix), collected so an author fixes all of a file's problems in one pass."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


SYMBOL_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


ENV_REF_RE = re.compile(r"\$\{([^{}]*)\}")


@dataclass(frozen=True)
class Problem:
    key: str
    what: str
    fix: str

    def render(self, path: Path) -> str:
        return f"{path}: key `{self.key}`: {self.what}. Fix: {self.fix}"


class ScenarioError(ValueError):
    """A scenario file is malformed; ``str()`` names the file, each key, the problem and the fix."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(problem.render(path) for problem in problems))


class Table:
    """Typed, key-tracking access to one TOML table; unknown keys become problems."""

    def __init__(self, data: dict[str, Any], prefix: str, problems: list[Problem]) -> None:
        self.data = data
        self.prefix = prefix
        self.problems = problems
        self.seen: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def problem(self, name: str, what: str, fix: str) -> None:
        self.problems.append(Problem(self.key(name), what, fix))

    def has(self, name: str) -> bool:
        return name in self.data

    def raw(self, name: str) -> Any:
        self.seen.add(name)
        return self.data.get(name)

    def get(self, name: str, kind: type, default: Any, fix: str) -> Any:
        self.seen.add(name)
        if name not in self.data:
            return default
        value = self.data[name]
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if not ok:
            self.problem(
                name, f"expected {_type_name(kind)}, got {_type_name(type(value))} {value!r}", fix
            )
            return default
        return value

    def required(self, name: str, kind: type, fix: str) -> Any:
        if name not in self.data:
            self.seen.add(name)
            self.problem(name, "is missing", fix)
            return None
        return self.get(name, kind, None, fix)

    def strings(self, name: str, default: tuple[str, ...], fix: str) -> tuple[str, ...]:
        value = self.get(name, list, None, fix)
        if value is None:
            return default
        bad = [item for item in value if not isinstance(item, str)]
        if bad:
            self.problem(name, f"expected a list of strings, found {bad[0]!r}", fix)
            return default
        return tuple(value)

    def choices(
        self, name: str, allowed: Iterable[str], default: tuple[str, ...], fix: str
    ) -> tuple[str, ...]:
        allowed = tuple(allowed)
        values = self.strings(name, default, fix)
        unknown = [v for v in values if v not in allowed]
        if unknown:
            self.problem(
                name,
                f"unknown value {unknown[0]!r}",
                f"use one or more of {', '.join(repr(a) for a in allowed)}",
            )
            return tuple(v for v in values if v in allowed) or default
        if not values:
            self.problem(name, "is empty", f"list at least one of {', '.join(allowed)}")
            return default
        if len(set(values)) != len(values):
            self.problem(name, "lists a value twice", "list each value once")
        return tuple(dict.fromkeys(values))

    def sub(self, name: str, fix: str) -> Table | None:
        value = self.get(name, dict, None, fix)
        return None if value is None else Table(value, self.key(name), self.problems)

    def finish(self, known_hint: str) -> None:
        for name in self.data:
            if name not in self.seen:
                self.problem(name, "is not a known key", known_hint)


def _type_name(kind: type) -> str:
    return {
        str: "a string",
        int: "an integer",
        bool: "a boolean (true/false)",
        list: "an array",
        dict: "a table",
        float: "a number",
    }.get(kind, kind.__name__)


def known(*names: str) -> str:
    return "remove it or use one of " + ", ".join(f"`{n}`" for n in names)


def array_of_tables(top: Table, name: str, fix: str) -> list[Table]:
    value = top.get(name, list, [], fix)
    tables: list[Table] = []
    for index, item in enumerate(value):
        key = f"{name}[{index}]"
        if not isinstance(item, dict):
            top.problems.append(Problem(key, f"expected a table, got {item!r}", fix))
            continue
        tables.append(Table(item, key, top.problems))
    return tables
