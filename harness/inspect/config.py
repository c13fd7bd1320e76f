"""What a maintainer configures: rule selection, accepted findings, the load entry point.

Read from ``[tool.harness.lint]`` of a ``pyproject.toml`` (``select``, ``ignore``,
``baseline``, ``loader-entry``), then overridden by the command line. A baseline is a
JSON file of accepted findings, matched by rule, distribution and file (not by the
detail text, which names versions), so a finding accepted once stays accepted across
releases until the file or the rule changes.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from . import build_env as _build_env  # noqa: F401  (registers SLI014)
from . import rules as _rules  # noqa: F401  (registers the rules whose ids are checked)
from .binary import UnusableInputError
from .findings import RULES, Finding
from .loader_check import DEFAULT_ENTRIES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

BASELINE_SCHEMA = 1
_KEYS = {"select", "ignore", "baseline", "loader-entry"}


@dataclass(frozen=True)
class LintConfig:
    select: tuple[str, ...] = ()
    """Rule ids to run (empty: all)."""
    ignore: tuple[str, ...] = ()
    baseline: Path | None = None
    loader_entries: tuple[str, ...] = DEFAULT_ENTRIES
    source: str = field(default="defaults", compare=False)

    def selected(self) -> list[str]:
        chosen = list(self.select) or sorted(RULES)
        return [r for r in chosen if r not in set(self.ignore)]


def _rule_ids(values: Iterable[str], where: str) -> tuple[str, ...]:
    ids = []
    for value in values:
        for part in str(value).split(","):
            rule_id = part.strip().upper()
            if not rule_id:
                continue
            if rule_id not in RULES:
                raise UnusableInputError(
                    f"{where}: unknown rule id {part.strip()!r}; known: {', '.join(sorted(RULES))}"
                )
            ids.append(rule_id)
    return tuple(ids)


def _strings(value: object, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [str(v) for v in value]
    raise UnusableInputError(f"{where}: expected a string or a list of strings, got {value!r}")


def from_pyproject(path: Path) -> LintConfig:
    """``[tool.harness.lint]`` of ``path``; defaults when the table is absent."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UnusableInputError(f"{path}: cannot be read ({error})") from error
    except tomllib.TOMLDecodeError as error:
        raise UnusableInputError(f"{path}: not valid TOML ({error})") from error
    table = data.get("tool", {}).get("harness", {}).get("lint")
    if table is None:
        return LintConfig(source=str(path))
    where = f"{path} [tool.harness.lint]"
    if not isinstance(table, dict):
        raise UnusableInputError(f"{where}: expected a table")
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise UnusableInputError(
            f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(_KEYS))}"
        )
    baseline = table.get("baseline")
    if baseline is not None and not isinstance(baseline, str):
        raise UnusableInputError(f"{where}.baseline: expected a path string")
    entries = (
        _strings(table["loader-entry"], f"{where}.loader-entry") if "loader-entry" in table else []
    )
    return LintConfig(
        select=_rule_ids(_strings(table.get("select", []), f"{where}.select"), f"{where}.select"),
        ignore=_rule_ids(_strings(table.get("ignore", []), f"{where}.ignore"), f"{where}.ignore"),
        baseline=(path.parent / baseline) if baseline else None,
        loader_entries=(*DEFAULT_ENTRIES, *entries),
        source=str(path),
    )


def merged(
    base: LintConfig,
    select: Sequence[str],
    ignore: Sequence[str],
    baseline: Path | None,
    loader_entries: Sequence[str],
) -> LintConfig:
    """``base`` with the command line's values taking precedence (entries are added)."""
    return LintConfig(
        select=_rule_ids(select, "--select") or base.select,
        ignore=(*base.ignore, *_rule_ids(ignore, "--ignore")),
        baseline=baseline or base.baseline,
        loader_entries=tuple(dict.fromkeys((*base.loader_entries, *loader_entries))),
        source=base.source,
    )


def _dist_of(wheel_file: str) -> str:
    try:
        return str(parse_wheel_filename(wheel_file)[0])
    except InvalidWheelFilename:
        return str(canonicalize_name(wheel_file.split("-", 1)[0]))


def _key(rule: str, wheel_file: str, file: str) -> tuple[str, str, str]:
    return (rule, _dist_of(wheel_file), file)


def read_baseline(path: Path) -> set[tuple[str, str, str]]:
    """Accepted (rule, distribution, file) triples of a baseline file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UnusableInputError(f"{path}: baseline cannot be read ({error})") from error
    except ValueError as error:
        raise UnusableInputError(f"{path}: baseline is not JSON ({error})") from error
    if not isinstance(data, dict) or data.get("schema") != BASELINE_SCHEMA:
        raise UnusableInputError(
            f'{path}: not a lint baseline (expected {{"schema": {BASELINE_SCHEMA}, '
            '"accepted": [...]}); write one with --write-baseline'
        )
    accepted = set()
    for index, item in enumerate(data.get("accepted", [])):
        try:
            accepted.add(_key(str(item["rule"]), str(item["wheel"]), str(item["file"])))
        except (KeyError, TypeError) as error:
            raise UnusableInputError(
                f"{path}: accepted[{index}] needs rule, wheel and file ({error})"
            ) from error
    return accepted


def without_accepted(findings: list[Finding], accepted: set[tuple[str, str, str]]) -> list[Finding]:
    return [f for f in findings if _key(f.rule, f.wheel, f.file) not in accepted]


def write_baseline(path: Path, findings: list[Finding]) -> None:
    """Accept every current finding (one entry per rule, wheel and file)."""
    entries = {
        _key(f.rule, f.wheel, f.file): {
            "rule": f.rule,
            "wheel": f.wheel,
            "file": f.file,
            "detail": f.detail,
        }
        for f in findings
    }
    document = {"schema": BASELINE_SCHEMA, "accepted": [entries[k] for k in sorted(entries)]}
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
