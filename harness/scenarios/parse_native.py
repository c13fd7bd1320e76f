"""The native scenario's tables: ``loaders``, ``libc`` and the ``load``/``call`` steps of
the C probe (no wheels, no interpreter axis)."""

from __future__ import annotations

import re
from typing import Literal

from harness.native import build as native_build
from harness.scenarios.parse_steps import step_expect
from harness.scenarios.parse_table import ID_RE, SYMBOL_RE, Problem, Table, array_of_tables, known
from harness.scenarios.schema import (
    Install,
    Step,
    SystemPrefix,
)
from harness.vocabulary import (
    LIBCS,
    NATIVE,
    NATIVE_LOADERS,
)


def libc_table(top: Table, platforms: tuple[str, ...], native: bool) -> tuple[str, ...]:
    """``libc``: the Linux C libraries a (Python) scenario's expectations hold for."""
    if not top.has("libc"):
        return ("glibc",)
    libcs = top.choices("libc", LIBCS, ("glibc",), 'use e.g. `libc = ["musl"]`')
    if native:
        top.problem(
            "libc",
            "native cells bring their own loader: the host's libc does not apply",
            "remove `libc`; `loaders` says which loaders the expectations hold for",
        )
    elif "linux" not in platforms:
        top.problem("libc", "only Linux hosts have a libc choice", 'add "linux" to `platforms`')
    return libcs


def native_axes(top: Table, layouts: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(installers, loaders)`` of a native scenario: its cells cover every native loader,
    and ``loaders`` says where its expectations hold (the others are not applicable)."""
    if layouts != (NATIVE,):
        top.problem(
            "layouts",
            f"`{NATIVE}` cannot share a scenario with {', '.join(k for k in layouts if k != NATIVE)}:"
            " native steps load C libraries, the others import Python",
            f'use `layouts = ["{NATIVE}"]` and put the Python layouts into another scenario',
        )
    if top.has("installers"):
        top.raw("installers")
        top.problem(
            "installers",
            "native cells install nothing: their axis is the loader",
            f'use `loaders = ["{NATIVE_LOADERS[0]}"]` (any of {", ".join(NATIVE_LOADERS)})',
        )
    loaders = top.choices(
        "loaders",
        NATIVE_LOADERS,
        NATIVE_LOADERS,
        f'list the loaders the expectations hold for, e.g. `loaders = ["{NATIVE_LOADERS[1]}"]`',
    )
    return NATIVE_LOADERS, loaders


def native_labels(loaders: tuple[str, ...]) -> tuple[str, ...]:
    """Location labels every loader of the scenario's build has (PE builds lack the RPATH one)."""
    common = [set(native_build.location_labels(loader)) for loader in loaders]
    first = native_build.location_labels(loaders[0]) if loaders else ()
    return tuple(label for label in first if all(label in labels for labels in common))


def no_wheels_in_native(
    top: Table,
    installs: tuple[Install, ...],
    system: SystemPrefix | None,
    wheel_files: dict[str, str],
) -> None:
    fix = 'remove it: a native scenario loads the native build\'s libraries (`load = "producer"`)'
    if installs:
        top.problem("install", "a native scenario installs no wheels", fix)
    if wheel_files:
        top.problem("wheels", "a native scenario installs no wheels", fix)
    if system is not None:
        top.problem("system", "a native scenario has no system prefix", fix)


_NATIVE_PATH_RE = re.compile(r"^\{location:([^{}]+)\}/([^{}]+)$")


def _native_load_problem(
    target: str, loaders: tuple[str, ...], labels: tuple[str, ...]
) -> tuple[str, str] | None:
    """``(what is wrong, fix)`` for a native ``load`` target, ``None`` for a good one."""
    names = (
        [
            n
            for n in native_build.variants(loaders[0])
            if all(n in native_build.variants(loader) for loader in loaders)
        ]
        if loaders
        else []
    )
    usage = f"use one of {', '.join(names)} or a path `{{location:LABEL}}/FILE`"
    if "{" in target or "}" in target:
        match = _NATIVE_PATH_RE.match(target)
        if match is None:
            return (
                f"{target!r} is neither a native library name nor `{{location:LABEL}}/FILE`",
                usage,
            )
        label, rest = match.groups()
        if label not in labels:
            return (
                f"placeholder {{location:{label}}} names no directory of the "
                f"{', '.join(loaders)} native build",
                f"use one of {', '.join(labels)}",
            )
        if ".." in rest.split("/") or rest.startswith("/") or "\\" in rest:
            return f"{target!r} leaves the location", "name a file inside it, e.g. `libfoo.so.1`"
        return None
    if target in names:
        return None
    lacking = [loader for loader in loaders if target not in native_build.variants(loader)]
    if any(target in native_build.variants(loader) for loader in NATIVE_LOADERS):
        return (
            f"the {', '.join(lacking)} native build has no library {target!r}"
            + (" (Windows DLLs have no RPATH)" if target.endswith("-rpath") else ""),
            f"remove {', '.join(lacking)} from `loaders`, or load another library",
        )
    if target.startswith("/"):
        return f"{target!r} is a machine path", usage
    return f"{target!r} is no native library", usage


def native_steps(
    top: Table, problems: list[Problem], loaders: tuple[str, ...], labels: tuple[str, ...]
) -> tuple[Step, ...]:
    """``load`` a library / ``call`` a ``const char *f(void)`` through a loaded one."""
    fix = (
        'write [[steps]] tables with `load = "producer"`, or `call = "consumer_foo_identity"` '
        'and `library = "consumer"` (the id of an earlier load step)'
    )
    steps: list[Step] = []
    ids: set[str] = set()
    loads: list[str] = []
    for index, table in enumerate(array_of_tables(top, "steps", fix)):
        _no_python_keys(table)
        has_load, has_call = table.has("load"), table.has("call")
        if has_load == has_call:
            table.problem("load", "a native step needs exactly one of `load` and `call`", fix)
        action: Literal["load", "call"] = "call" if has_call and not has_load else "load"
        target = table.get(action, str, None, fix)
        library = table.get(
            "library", str, None, 'the id of an earlier load step, e.g. `library = "consumer"`'
        )
        mode = _mode(table)
        if action == "load":
            target = _load_target(table, target, library, loaders, labels)
        else:
            target = _call_target(table, target, library, loads, explicit=has_call and not has_load)
        if action == "load" and target is not None and ID_RE.match(target):
            default_id = target
        else:
            default_id = f"{action}:{target}" if action == "call" and target else f"step{index + 1}"
        step_id = table.get("id", str, default_id, 'use a short name, e.g. `id = "preload"`')
        if step_id in ids:
            table.problem("id", f"step id {step_id!r} is used twice", "give each step its own id")
        ids.add(step_id)
        expect = step_expect(table)
        table.finish(known("id", "load", "mode", "call", "library", "expect"))
        if action == "load":
            loads.append(step_id)
        if target is not None:
            steps.append(
                Step(
                    id=step_id,
                    action=action,
                    target=target,
                    expect=expect,
                    library=library if action == "call" else None,
                    mode="global" if mode == "global" else "local",
                )
            )
    return tuple(steps)


def _no_python_keys(table: Table) -> None:
    for python_key in ("import", "args", "kwargs"):
        if table.has(python_key):
            table.raw(python_key)
            table.problem(
                python_key,
                f"a native scenario runs no Python: `{python_key}` does not apply"
                + (" (the C functions take no arguments)" if python_key != "import" else ""),
                'use `load = "consumer"` / `call = "consumer_foo_identity"`, or put '
                "Python steps into a venv or conda scenario",
            )


def _mode(table: Table) -> str:
    mode: str = table.get("mode", str, "local", 'use `mode = "local"` or `mode = "global"`')
    if mode not in ("local", "global"):
        table.problem(
            "mode",
            f"unknown mode {mode!r}",
            'use "local" (RTLD_LOCAL, as ctypes loads) or "global" (RTLD_GLOBAL)',
        )
        mode = "local"
    return mode


def _load_target(
    table: Table,
    target: str | None,
    library: str | None,
    loaders: tuple[str, ...],
    labels: tuple[str, ...],
) -> str | None:
    """A load step's target, or None with the problem recorded."""
    if library is not None:
        table.problem("library", "a load step takes no `library`", "remove it")
    problem = None if target is None else _native_load_problem(target, loaders, labels)
    if problem is not None:
        table.problem("load", *problem)
        return None
    return target


def _call_target(
    table: Table, target: str | None, library: str | None, loads: list[str], *, explicit: bool
) -> str | None:
    """A call step's C symbol, or None with the problem recorded; checks its ``library``."""
    if table.has("mode"):
        table.problem("mode", "`mode` belongs to a load step", "remove it")
    if target is not None and not SYMBOL_RE.match(target):
        table.problem("call", f"{target!r} is not a C symbol name", "e.g. consumer_foo_identity")
        target = None
    if library is None and explicit:
        table.problem(
            "library",
            "is missing: a native call looks its function up in a loaded library",
            'name the id of an earlier load step, e.g. `library = "consumer"`',
        )
    elif library is not None and library not in loads:
        table.problem(
            "library",
            f"names {library!r}, which is no earlier load step",
            f"use one of {', '.join(loads) or '(none yet: add a load step first)'}",
        )
    return target
