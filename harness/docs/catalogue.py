"""Render the scenario catalogue page from ``scenarios/*/scenario.toml``.

The catalogue must list every scenario directory, so it is generated when the docs
are built rather than written by hand. The TOML is read directly (not through
``harness.scenarios.parse``) and every key is optional here: the page shows what a
file says even while the schema grows, and a scenario the validator would reject
still appears. Only unreadable TOML stops the build, with an error naming the file.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

SCENARIO_FILE = "scenario.toml"


class CatalogueError(ValueError):
    """A scenario file cannot be read; the message names the file and the fix."""


@dataclass(frozen=True)
class Entry:
    """One scenario directory and the decoded contents of its ``scenario.toml``."""

    name: str
    directory: Path
    data: dict[str, Any]
    extra_tests: tuple[str, ...]


def scenario_dirs(root: Path) -> list[Path]:
    """Every directory directly under ``root`` that holds a ``scenario.toml``, by name."""
    if not root.is_dir():
        raise CatalogueError(
            f"{root}: no scenarios directory; expected scenarios/<name>/{SCENARIO_FILE}"
        )
    return sorted(p for p in root.iterdir() if (p / SCENARIO_FILE).is_file())


def read_entry(directory: Path) -> Entry:
    path = directory / SCENARIO_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise CatalogueError(
            f"{path}: invalid TOML ({error}); fix the syntax of this file"
        ) from None
    except UnicodeDecodeError as error:
        raise CatalogueError(f"{path}: not UTF-8 text ({error}); save it as UTF-8") from None
    tests = tuple(sorted(p.name for p in directory.glob("test_*.py")))
    return Entry(name=directory.name, directory=directory, data=data, extra_tests=tests)


def _code(value: Any) -> str:
    """Inline code for a value, safe inside a Markdown table cell."""
    text = value if isinstance(value, str) else json.dumps(value)
    text = text.replace("|", "\\|").replace("\n", " ")
    fence = "``" if "`" in text else "`"
    padding = " " if "`" in text else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(item) for item in value]
    return []


_ABSENT = {"platforms": "all", "layouts": "venv", "installers": "default", "loaders": "all"}
"""What a scenario that leaves out one of these list keys gets."""


def _listed(data: dict[str, Any], key: str) -> str:
    """The values of a list key, comma-separated, or what its absence means."""
    return ", ".join(_strings(data.get(key))) or _ABSENT[key]


def _native(data: dict[str, Any]) -> bool:
    return "native" in _strings(data.get("layouts"))


def _layouts(data: dict[str, Any]) -> str:
    """The layouts of a scenario; a native one with the loaders its expectations hold for."""
    if _native(data):
        return f"native ({_listed(data, 'loaders')})"
    return _listed(data, "layouts")


def _summary(description: str) -> str:
    first = description.strip().split("\n\n")[0]
    return _cell(first) or "(no description)"


def _tables(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    return []


def _install_lines(data: dict[str, Any]) -> list[str]:
    lines = []
    for table in _tables(data.get("install")):
        wheels = ", ".join(_code(w) for w in _strings(table.get("wheels"))) or "(none)"
        deps = " (with dependencies)" if table.get("deps") else ""
        removed = ", ".join(_code(p) for p in _strings(table.get("remove")))
        then = f" (then removed: {removed})" if removed else ""
        mode = table.get("mode") or ("redirect" if table.get("location") == "editable" else None)
        how = f" (projects installed with `-e`, mode {_code(str(mode))})" if mode else ""
        lines.append(f"- {_code(table.get('location', '?'))}: {wheels}{how}{deps}{then}")
    system = data.get("system")
    if isinstance(system, dict):
        prefix = _code(system.get("prefix", "?"))
        lines.append(f"- `system`: prefix {prefix} (on the loader search path at process start)")
    conda = data.get("conda")
    if isinstance(conda, dict):
        packages = ", ".join(_code(p) for p in _strings(conda.get("packages"))) or "(none)"
        lines.append(f"- conda packages in the prefix: {packages}")
    return lines


def _step_line(step: dict[str, Any]) -> str:
    if "import" in step:
        action = f"import {_code(step['import'])}"
    elif "load" in step:
        scope = " with RTLD_GLOBAL" if step.get("mode") == "global" else ""
        action = f"load {_code(step['load'])} by path{scope}"
    elif "call" in step and "library" in step:
        action = f"call {_code(str(step['call']) + '()')} of {_code(step['library'])}"
    elif "call" in step:
        arguments = [json.dumps(a) for a in step.get("args", [])]
        arguments += [f"{k}={json.dumps(v)}" for k, v in dict(step.get("kwargs", {})).items()]
        action = f"call {_code(str(step['call']) + '(' + ', '.join(arguments) + ')')}"
    else:
        action = "(no import or call)"
    expect = step.get("expect")
    outcome = "must succeed"
    if isinstance(expect, dict) and expect:
        parts = []
        if "error" in expect or expect.get("ok") is False:
            parts.append(
                f"must raise {_code(expect['error'])}" if "error" in expect else "must fail"
            )
        if "error_matches" in expect:
            parts.append(f"message matching {_code(expect['error_matches'])}")
        if "value" in expect:
            parts.append(f"must return {_code(expect['value'])}")
        if "value_matches" in expect:
            parts.append(f"value matching {_code(expect['value_matches'])}")
        outcome = ", ".join(parts) or outcome
    step_id = f"{_code(step['id'])}: " if "id" in step else ""
    return f"- {step_id}{action} — {outcome}"


def _library_line(name: str, lib: dict[str, Any]) -> str:
    copies = lib.get("copies", 1)
    if copies == 0:
        return f"- {_code(name)}: must not be loaded"
    where = []
    if "location" in lib:
        where.append(f"from {_code(lib['location'])}")
    if "file" in lib:
        where.append(f"file {_code(lib['file'])}")
    if "identity" in lib:
        where.append(f"reports {_code(lib['identity'])}")
    count = "exactly one copy" if copies == 1 else f"{copies} copies"
    return f"- {_code(name)}: {count}" + (", " + ", ".join(where) if where else "")


def render_entry(entry: Entry) -> str:
    data = entry.data
    out = [f"## {entry.name}", ""]
    description = str(data.get("description", "")).strip()
    out += [description or "*(no description)*", ""]
    facts = [
        ("Platforms", _listed(data, "platforms")),
        ("Layouts", _listed(data, "layouts")),
        ("Loaders", _listed(data, "loaders"))
        if _native(data)
        else ("Installers", _listed(data, "installers")),
    ]
    out += [f"- **{label}:** {value}" for label, value in facts]
    out.append("")
    sections: list[tuple[str, list[str]]] = [
        ("Where the wheels go", _install_lines(data)),
        (
            "Environment at process start",
            [f"- {_code(k)} = {_code(v)}" for k, v in dict(data.get("env", {})).items()],
        ),
        ("Steps the probe runs", [_step_line(s) for s in _tables(data.get("steps"))]),
        (
            "Libraries",
            [
                _library_line(name, lib)
                for name, lib in dict(data.get("libraries", {})).items()
                if isinstance(lib, dict)
            ],
        ),
    ]
    symbols = data.get("symbols")
    if isinstance(symbols, dict):
        lines = [f"- must be global: {_code(s)}" for s in _strings(symbols.get("global"))]
        lines += [f"- must not be global: {_code(s)}" for s in _strings(symbols.get("not_global"))]
        sections.append(("Symbols", lines))
    if data.get("load_order"):
        sections.append(
            ("Load order", ["- " + " → ".join(_code(s) for s in _strings(data["load_order"]))])
        )
    if entry.extra_tests:
        sections.append(("Extra checks", [f"- {_code(name)}" for name in entry.extra_tests]))
    for title, lines in sections:
        if lines:
            out += [f"**{title}**", "", *lines, ""]
    out += [f"Source: `scenarios/{entry.name}/{SCENARIO_FILE}`", ""]
    return "\n".join(out)


def render(entries: Iterable[Entry]) -> str:
    """The whole catalogue page as MyST Markdown."""
    entries = list(entries)
    out = [
        "# Scenario catalogue",
        "",
        "```{note}",
        f"Generated from `scenarios/*/{SCENARIO_FILE}` each time the documentation is built "
        "(`harness/docs/catalogue.py`); edit the scenario files, not this page.",
        "```",
        "",
        f"{len(entries)} scenarios. The [scenario format](../scenario-format.md) explains every key.",
        "",
    ]
    if entries:
        out += ["| scenario | platforms | layouts | what it shows |", "| --- | --- | --- | --- |"]
        for entry in entries:
            data = entry.data
            out.append(
                f"| [{entry.name}](#{anchor(entry.name)}) "
                f"| {_listed(data, 'platforms')} "
                f"| {_layouts(data)} "
                f"| {_summary(str(data.get('description', '')))} |"
            )
        out.append("")
    for entry in entries:
        out.append(render_entry(entry))
    return "\n".join(out).rstrip() + "\n"


def anchor(name: str) -> str:
    """The HTML id MyST gives the heading ``## name`` (docs set ``myst_heading_anchors``)."""
    slug = "".join(c if c.isalnum() or c in "-_ " else "" for c in name.lower())
    return "-".join(slug.split())


def build(scenarios_root: Path) -> str:
    return render(read_entry(d) for d in scenario_dirs(scenarios_root))


def write(scenarios_root: Path, out_file: Path) -> Path:
    """Write the page, touching the file only when its text changed (keeps rebuilds cheap)."""
    text = build(scenarios_root)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    if not out_file.is_file() or out_file.read_text(encoding="utf-8") != text:
        out_file.write_text(text, encoding="utf-8")
    return out_file
