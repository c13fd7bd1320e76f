"""``[[steps]]`` and ``[env]``: what the probe does in a Python layout, with
``{location:LABEL}`` placeholders checked against the locations the scenario has."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Literal

from harness.scenarios.parse_installs import given_locations
from harness.scenarios.parse_table import ENV_NAME_RE, Problem, Table, array_of_tables, known
from harness.scenarios.schema import (
    Install,
    Step,
    StepExpectation,
    SystemPrefix,
)
from harness.vocabulary import (
    CONDA_LIB,
    NATIVE,
)

_DOTTED_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


_PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")


def env_table(
    top: Table,
    installs: tuple[Install, ...],
    system: SystemPrefix | None,
    *,
    conda: bool = False,
    extra_locations: Iterable[str] = (),
) -> dict[str, str]:
    table = top.sub("env", 'write `[env]` with `NAME = "value"` lines')
    if table is None:
        return {}
    available = given_locations(installs, system) | set(extra_locations)
    if conda:
        available.add(CONDA_LIB)
    env: dict[str, str] = {}
    for name in list(table.data):
        value = table.get(name, str, None, f'quote the value: `{name} = "..."`')
        if not ENV_NAME_RE.match(name):
            table.problem(name, "is not a valid environment variable name", "use [A-Za-z_0-9]")
            continue
        if value is None:
            continue
        if "\0" in value:
            table.problem(
                name,
                "contains a NUL character, which no process environment can hold",
                "remove the NUL (\\u0000) from the value",
            )
            continue
        for placeholder in _PLACEHOLDER_RE.findall(value):
            kind, _, label = placeholder.partition(":")
            if kind != "location" or not label:
                table.problem(
                    name,
                    f"unknown placeholder {{{placeholder}}}",
                    "use {location:LABEL} (e.g. {location:system}); write {{ }} for braces",
                )
            elif label not in available:
                table.problem(
                    name,
                    f"placeholder {{location:{label}}} names a location this scenario "
                    "does not have",
                    f"use one of {', '.join(sorted(available)) or '(none: add [[install]] or [system])'}",
                )
        env[name] = value
    return env


def expectation_table(table: Table | None) -> StepExpectation:
    if table is None:
        return StepExpectation()
    ok_given = table.has("ok")
    ok = table.get("ok", bool, True, "use `ok = true` or `ok = false`")
    has_value = table.has("value")
    value = table.raw("value")
    value_matches = table.get("value_matches", str, None, "use a regular expression string")
    error_type = table.get(
        "error", str, None, 'name the exception type, e.g. `error = "ImportError"`'
    )
    error_matches = table.get("error_matches", str, None, "use a regular expression string")
    for name, pattern in (("value_matches", value_matches), ("error_matches", error_matches)):
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as error:
                table.problem(
                    name, f"is not a valid regular expression ({error})", "fix the pattern"
                )
    wants_value = has_value or value_matches is not None
    wants_error = error_type is not None or error_matches is not None
    if wants_value and wants_error:
        table.problem(
            "error",
            "a step cannot expect both a value and an error",
            "keep `value`/`value_matches` or `error`/`error_matches`, not both",
        )
    if ok_given and ok and wants_error:
        table.problem("ok", "`ok = true` contradicts an expected error", "remove `ok`")
    if ok_given and not ok and wants_value:
        table.problem("ok", "`ok = false` contradicts an expected value", "remove `ok`")
    table.finish(known("ok", "value", "value_matches", "error", "error_matches"))
    return StepExpectation(
        ok=False if wants_error else (True if wants_value else ok),
        value=value,
        has_value=has_value,
        value_matches=value_matches,
        error_type=error_type,
        error_matches=error_matches,
    )


def _placeholder_problems(table: Table, key: str, value: Any, available: set[str]) -> None:
    """Check every ``{location:LABEL}`` in ``value`` (strings inside lists/tables too)."""
    if isinstance(value, list):
        for item in value:
            _placeholder_problems(table, key, item, available)
        return
    if isinstance(value, dict):
        for item in value.values():
            _placeholder_problems(table, key, item, available)
        return
    if not isinstance(value, str):
        return
    for placeholder in _PLACEHOLDER_RE.findall(value.replace("{{", "").replace("}}", "")):
        kind, _, label = placeholder.partition(":")
        if kind != "location" or not label:
            continue  # only {location:...} is a placeholder in step values
        if label not in available:
            table.problem(
                key,
                f"placeholder {{location:{label}}} names a location this scenario does not have",
                f"use one of {', '.join(sorted(available)) or '(none: add [[install]])'}",
            )


def step_expect(table: Table) -> StepExpectation:
    """A step's ``expect`` inline table (native and Python steps alike)."""
    return expectation_table(
        table.sub("expect", 'use an inline table, e.g. `expect = { value = "x" }`')
    )


def steps_table(top: Table, problems: list[Problem], available: set[str]) -> tuple[Step, ...]:
    fix = (
        'write [[steps]] tables with `import = "module"`, `call = "module.function"` '
        'or `load = "{location:site}/pkg/lib/libx.so.1"`'
    )
    steps: list[Step] = []
    ids: set[str] = set()
    for index, table in enumerate(array_of_tables(top, "steps", fix)):
        for native_key in ("library", "mode"):
            if table.has(native_key):
                table.raw(native_key)
                table.problem(
                    native_key,
                    f"`{native_key}` belongs to a native step (the C probe), but `layouts` "
                    "is not native",
                    f'set `layouts = ["{NATIVE}"]` for a native scenario, or remove it',
                )
        given = [name for name in ("import", "call", "load") if table.has(name)]
        if len(given) != 1:
            table.problem(
                "import",
                "a step needs exactly one of `import`, `call` and `load`",
                'use `import = "pyfoo"`, `call = "pyfoo.identity"` or '
                '`load = "{location:site}/libfoo/lib/libfoo.so.1"`',
            )
        action: Literal["import", "call", "load"] = (
            "call" if given[:1] == ["call"] else "load" if given[:1] == ["load"] else "import"
        )
        if action == "load":
            target = table.get("load", str, None, 'a file path, e.g. "{location:site}/x/libx.so"')
            if target is not None:
                if not target.startswith("{location:"):
                    table.problem(
                        "load",
                        f"{target!r} does not start with a location placeholder",
                        'start it with {location:LABEL}/, e.g. "{location:site}/x/lib/libx.so.1" '
                        "(a machine path would make the scenario depend on this machine)",
                    )
                _placeholder_problems(table, "load", target, available)
        else:
            target = table.get(action, str, None, 'a dotted name, e.g. "pyfoo.identity"')
            if target is not None and not _DOTTED_RE.match(target):
                table.problem(
                    action, f"{target!r} is not a dotted Python name", "e.g. pyfoo.identity"
                )
                target = None
        if action == "call" and target is not None and "." not in target:
            table.problem("call", f"{target!r} has no module part", "write module.function")
        shown = target.rsplit("/", 1)[-1] if target and action == "load" else target
        default_id = f"{action}:{shown}" if shown else f"step{index + 1}"
        step_id = table.get("id", str, default_id, 'use a short name, e.g. `id = "import"`')
        if step_id in ids:
            table.problem("id", f"step id {step_id!r} is used twice", "give each step its own id")
        ids.add(step_id)
        args: list[Any] = table.get("args", list, [], 'use an array, e.g. `args = [1, "x"]`')
        kwargs: dict[str, Any] = table.get("kwargs", dict, {}, "use an inline table")
        if action != "call" and (table.has("args") or table.has("kwargs")):
            table.problem(
                "args",
                f"{'an' if action == 'import' else 'a'} {action} step takes no arguments",
                "move them to a call step",
            )
        _placeholder_problems(table, "args", args, available)
        _placeholder_problems(table, "kwargs", kwargs, available)
        expect = step_expect(table)
        table.finish(known("id", "import", "call", "load", "args", "kwargs", "expect"))
        if target is not None:
            steps.append(
                Step(
                    id=step_id,
                    action=action,
                    target=target,
                    args=tuple(args),
                    kwargs=dict(kwargs),
                    expect=expect,
                )
            )
    return tuple(steps)
