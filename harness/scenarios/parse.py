"""Read and validate ``scenario.toml`` files into :class:`~harness.scenarios.schema.Scenario`.

Every problem is reported with the file, the key (dotted, e.g. ``steps[2].expect.error``),
what is wrong and how to fix it; all problems of a file are reported together so a
scenario author fixes them in one pass.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from harness.envs.removing import removal_problem
from harness.native import build as native_build
from harness.scenarios.schema import (
    SCHEMA_VERSION,
    Install,
    LibraryExpectation,
    Scenario,
    Step,
    StepExpectation,
    SymbolExpectations,
    SystemPrefix,
)
from harness.vocabulary import (
    ALL_LOCATIONS,
    ALL_OS,
    CONDA_LIB,
    EDITABLE,
    EDITABLE_MODES,
    INSTALLERS,
    LAYOUT_KINDS,
    LIBCS,
    NATIVE,
    NATIVE_LOADERS,
    SITE,
    SYSTEM,
    WHEEL_LOCATIONS,
    OSName,
    library_base,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

SCENARIO_FILE = "scenario.toml"

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_DOTTED_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_LIBRARY_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_+-]*$")
_SYMBOL_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")
_ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ENV_REF_RE = re.compile(r"\$\{([^{}]*)\}")
_CONDA_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_CONDA_IMPLICIT = frozenset({"python", "pip"})
"""Packages every conda layout installs itself (python at the cell's version, pip)."""
CONDA_LAYOUT = "conda"


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


class _Table:
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

    def sub(self, name: str, fix: str) -> _Table | None:
        value = self.get(name, dict, None, fix)
        return None if value is None else _Table(value, self.key(name), self.problems)

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


def _known(*names: str) -> str:
    return "remove it or use one of " + ", ".join(f"`{n}`" for n in names)


def load(path: Path) -> Scenario:
    """Parse and validate one ``scenario.toml``; raise :class:`ScenarioError` on any problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioError(
            path, [Problem("(file)", f"cannot be read ({error})", "check the path")]
        ) from None
    except UnicodeDecodeError as error:
        byte = error.object[error.start : error.start + 1].hex()
        raise ScenarioError(
            path,
            [
                Problem(
                    "(file)",
                    f"is not UTF-8 text (byte 0x{byte} at offset {error.start})",
                    "save the file as UTF-8 (TOML files are UTF-8)",
                )
            ],
        ) from None
    name_problem = directory_name_problem(path.parent.name)
    if name_problem is not None:
        raise ScenarioError(path, [name_problem])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(
            path,
            [
                Problem(
                    "(syntax)", f"is not valid TOML: {error}", "fix the TOML syntax at that line"
                )
            ],
        ) from None
    return from_dict(data, path)


def from_dict(data: dict[str, Any], path: Path) -> Scenario:
    """Validate an already-decoded scenario table (``path`` names the file in errors)."""
    problems: list[Problem] = []
    top = _Table(data, "", problems)

    version = top.required("schema", int, f"add `schema = {SCHEMA_VERSION}` as the first line")
    if version is not None and version != SCHEMA_VERSION:
        top.problem(
            "schema",
            f"unsupported schema version {version}",
            f"this harness reads schema {SCHEMA_VERSION}; see docs/scenario-format.md",
        )
    description = top.required(
        "description", str, 'add `description = "what this scenario proves"`'
    )
    platforms: tuple[OSName, ...] = top.choices(  # type: ignore[assignment]
        "platforms",
        ALL_OS,
        ALL_OS,
        'use a list such as `platforms = ["linux"]`',
    )
    layouts = top.choices("layouts", LAYOUT_KINDS, ("venv",), 'use e.g. `layouts = ["venv"]`')
    native = NATIVE in layouts
    if native:
        installers, loaders = _native_axes(top, layouts)
        labels = _native_labels(loaders)
    else:
        installers = top.choices(
            "installers", INSTALLERS, ("uv",), 'use e.g. `installers = ["uv", "pip"]`'
        )
        loaders, labels = (), ()
        if top.has("loaders"):
            top.raw("loaders")
            top.problem(
                "loaders",
                "only native scenarios have loaders",
                'set `layouts = ["native"]` (the C probe) or remove `loaders`',
            )
    libcs = _libcs(top, platforms, native)
    wheel_files = _wheel_files(top)
    installs = _installs(top, problems)
    system = _system(top)
    conda_packages = _conda(top, layouts)
    if native:
        _no_wheels_in_native(top, installs, system, wheel_files)
    env = _env(top, installs, system, conda=bool(conda_packages), extra_locations=labels)
    available = _given_locations(installs, system) | ({CONDA_LIB} if conda_packages else set())
    steps = (
        _native_steps(top, problems, loaders, labels)
        if native
        else _steps(top, problems, available)
    )
    libraries = _libraries(
        top, installs, system, problems, native_labels=labels if native else None
    )
    symbols = _symbols(top)
    load_order = top.strings(
        "load_order", (), 'list library names, e.g. `load_order = ["libfoo", "libbar"]`'
    )
    declared = {lib.name for lib in libraries}
    for name in load_order:
        if name not in declared:
            top.problem(
                "load_order",
                f"names {name!r}, which has no [libraries.{name}] table",
                f"add a [libraries.{name}] expectation or remove it from load_order",
            )
    top.finish(
        _known(
            "schema",
            "description",
            "platforms",
            "layouts",
            "installers",
            "install",
            "system",
            "env",
            "steps",
            "libraries",
            "symbols",
            "load_order",
            "conda",
            "wheels",
            "loaders",
            "libc",
        )
    )
    if not steps and not problems:
        first = 'load = "producer"' if native else 'import = "module"'
        problems.append(
            Problem("steps", "is missing", f"add at least one [[steps]] with `{first}`")
        )
    if problems:
        raise ScenarioError(path, problems)
    return Scenario(
        name=path.parent.name,
        path=path,
        description=description,
        platforms=platforms,
        layouts=layouts,
        installers=installers,
        installs=installs,
        system=system,
        env=env,
        steps=steps,
        libraries=libraries,
        symbols=symbols,
        load_order=load_order,
        wheel_files=wheel_files,
        conda_packages=conda_packages,
        loaders=loaders,
        libcs=libcs,
    )


def _libcs(top: _Table, platforms: tuple[str, ...], native: bool) -> tuple[str, ...]:
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


def _native_axes(top: _Table, layouts: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
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


def _native_labels(loaders: tuple[str, ...]) -> tuple[str, ...]:
    """Location labels every loader of the scenario's build has (PE builds lack the RPATH one)."""
    common = [set(native_build.location_labels(loader)) for loader in loaders]
    first = native_build.location_labels(loaders[0]) if loaders else ()
    return tuple(label for label in first if all(label in labels for labels in common))


def _no_wheels_in_native(
    top: _Table,
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


def _array_of_tables(top: _Table, name: str, fix: str) -> list[_Table]:
    value = top.get(name, list, [], fix)
    tables: list[_Table] = []
    for index, item in enumerate(value):
        key = f"{name}[{index}]"
        if not isinstance(item, dict):
            top.problems.append(Problem(key, f"expected a table, got {item!r}", fix))
            continue
        tables.append(_Table(item, key, top.problems))
    return tables


def _installs(top: _Table, problems: list[Problem]) -> tuple[Install, ...]:
    fix = 'write [[install]] tables: `location = "site"`, `wheels = ["libfoo", "pyfoo"]`'
    installs: list[Install] = []
    seen_locations: set[str] = set()
    for table in _array_of_tables(top, "install", fix):
        location = table.required("location", str, f"set it to one of {', '.join(WHEEL_LOCATIONS)}")
        if location is not None and location not in WHEEL_LOCATIONS:
            table.problem(
                "location",
                f"unknown install location {location!r}",
                f"use one of {', '.join(WHEEL_LOCATIONS)} "
                "(the system copy comes from [system] prefix, not from an install)",
            )
            location = None
        if location is not None and location in seen_locations:
            table.problem(
                "location",
                f"location {location!r} appears in two [[install]] tables",
                "merge their wheel lists into one table",
            )
        wheels = table.strings("wheels", (), 'list wheel ids, e.g. `wheels = ["libfoo"]`')
        if not table.has("wheels"):
            table.problem("wheels", "is missing", 'list wheel ids, e.g. `wheels = ["libfoo"]`')
        for wheel in wheels:
            if not _ID_RE.match(wheel):
                table.problem(
                    "wheels",
                    f"{wheel!r} is not a wheel id",
                    "use ids from the wheel catalogue in docs/architecture.md",
                )
        deps = table.get(
            "deps", bool, False, "`deps = true` resolves Requires-Dist from built wheels"
        )
        remove = _removals(table)
        mode = _editable_mode(table, location)
        table.finish(_known("location", "wheels", "deps", "remove", "mode"))
        if location is not None:
            seen_locations.add(location)
            installs.append(
                Install(location=location, wheels=wheels, deps=deps, remove=remove, mode=mode)
            )
    return tuple(installs)


def _wheel_files(top: _Table) -> dict[str, str]:
    """``[wheels]``: ids for wheel files outside the catalogue (resolved when a cell runs)."""
    example = '`my-libfoo = "../wheels/libfoo-*.whl"` or `"${MY_WHEELS}/libfoo-*.whl"`'
    table = top.sub("wheels", f"write `[wheels]` with lines such as {example}")
    if table is None:
        return {}
    files: dict[str, str] = {}
    for wheel_id in list(table.data):
        pattern = table.get(wheel_id, str, None, f"a file path or glob, e.g. {example}")
        if not _ID_RE.match(wheel_id):
            table.problem(wheel_id, "is not a wheel id", "use letters, digits, '.', '_' and '-'")
            continue
        if pattern is None:
            continue
        if not pattern.strip():
            table.problem(wheel_id, "is empty", f"name a wheel file, e.g. {example}")
            continue
        bad = [name for name in _ENV_REF_RE.findall(pattern) if not _ENV_NAME_RE.match(name)]
        if bad:
            table.problem(
                wheel_id, f"${{{bad[0]}}} is not an environment variable reference", example
            )
            continue
        if not pattern.endswith((".whl", "*")):
            table.problem(wheel_id, f"{pattern!r} does not name a .whl file", example)
            continue
        files[wheel_id] = pattern
    return files


def _editable_mode(table: _Table, location: str | None) -> str | None:
    """``mode``: the backend's editable mode, only for ``location = "editable"``."""
    fix = f"use one of {', '.join(repr(m) for m in EDITABLE_MODES)}"
    mode: str | None = table.get("mode", str, None, fix)
    if location != EDITABLE:
        if mode is not None:
            table.problem(
                "mode",
                f"only editable installs have a mode (location is {location!r})",
                'remove it, or set `location = "editable"`',
            )
        return None
    if mode is None:
        return EDITABLE_MODES[0]
    if mode not in EDITABLE_MODES:
        table.problem("mode", f"unknown editable mode {mode!r}", fix)
        return None
    return mode


def _removals(table: _Table) -> tuple[str, ...]:
    """``remove``: paths deleted from the location after its install (a broken producer)."""
    example = '`remove = ["libfoo/lib/libfoo.so.1"]` (relative to the location)'
    paths = table.strings("remove", (), f"list paths, e.g. {example}")
    if table.has("remove") and not paths and table.data["remove"] == []:
        table.problem("remove", "is empty", f"remove the key or list paths, e.g. {example}")
    for path in paths:
        problem = removal_problem(path)
        if problem is not None:
            table.problem("remove", problem, f"write a path such as {example}")
    twice = sorted({path for path in paths if paths.count(path) > 1})
    if twice:
        table.problem("remove", f"lists {twice[0]!r} twice", "list each path once")
    return paths


def _system(top: _Table) -> SystemPrefix | None:
    table = top.sub("system", 'write `[system]` with `prefix = "libfoo-system"`')
    if table is None:
        return None
    prefix = table.required(
        "prefix", str, 'name a builder prefix id, e.g. `prefix = "libfoo-system"`'
    )
    if prefix is not None and not _ID_RE.match(prefix):
        table.problem("prefix", f"{prefix!r} is not a prefix id", "use e.g. `libfoo-system`")
        prefix = None
    table.finish(_known("prefix"))
    return None if prefix is None else SystemPrefix(prefix=prefix)


def _conda_name(spec: str) -> str:
    """The package name of a match spec: ``"conda-forge::libfoo 1.*"`` -> ``"libfoo"``."""
    first = spec.strip().split(" ", 1)[0]
    return first.split("::")[-1].split("[", 1)[0]


def _conda_spec_problem(spec: str) -> tuple[str, str] | None:
    """``(what is wrong, fix)`` for an unusable conda match spec, ``None`` for a good one."""
    usage = 'write "name [version [build]]", e.g. "libfoo 1.*"'
    name = _conda_name(spec)
    if not _CONDA_NAME_RE.match(name):
        return f"{spec!r} does not start with a conda package name", usage
    if name.lower() in _CONDA_IMPLICIT:
        return (
            f"{name!r} is always in the prefix, at the cell's own version",
            "remove it: the cell's --python decides the python version",
        )
    try:
        from rattler import MatchSpec  # noqa: PLC0415 - only scenarios with [conda] need it
    except ImportError:  # the name check above is all that can be done without py-rattler
        return None
    try:
        MatchSpec(spec)
    except Exception as error:  # py-rattler raises its own InvalidMatchSpecError
        return f"{spec!r} is not a conda match spec ({error})", usage
    return None


def _conda(top: _Table, layouts: tuple[str, ...]) -> tuple[str, ...]:
    fix = 'write `[conda]` with `packages = ["libfoo 1.*"]` (conda match specs)'
    table = top.sub("conda", fix)
    if table is None:
        return ()
    if layouts != (CONDA_LAYOUT,):
        top.problem(
            "conda",
            f"conda packages need a conda prefix, but `layouts` is {list(layouts)}",
            f'set `layouts = ["{CONDA_LAYOUT}"]` or remove the [conda] table '
            "(a venv cell would silently run without the packages)",
        )
    raw = table.data.get("packages")
    packages = table.strings("packages", (), fix)
    if raw is None:
        table.problem("packages", "is missing", fix)
    elif raw == []:
        table.problem("packages", "is empty", "list at least one match spec or remove [conda]")
    names: set[str] = set()
    for spec in packages:
        problem = _conda_spec_problem(spec)
        if problem is not None:
            table.problem("packages", *problem)
            continue
        name = _conda_name(spec).lower()
        if name in names:
            table.problem(
                "packages",
                f"package {name!r} is listed twice",
                "give one match spec per package (a prefix holds one version of each)",
            )
        names.add(name)
    table.finish(_known("packages"))
    return tuple(packages)


def _given_locations(installs: tuple[Install, ...], system: SystemPrefix | None) -> set[str]:
    """The labels the scenario's ``[[install]]`` tables and ``[system]`` put something in."""
    labels = {install.location for install in installs}
    if EDITABLE in labels:
        labels.add(SITE)  # an editable install puts its built files into site-packages
    if system is not None:
        labels.add(SYSTEM)
    return labels


def _env(
    top: _Table,
    installs: tuple[Install, ...],
    system: SystemPrefix | None,
    *,
    conda: bool = False,
    extra_locations: Iterable[str] = (),
) -> dict[str, str]:
    table = top.sub("env", 'write `[env]` with `NAME = "value"` lines')
    if table is None:
        return {}
    available = _given_locations(installs, system) | set(extra_locations)
    if conda:
        available.add(CONDA_LIB)
    env: dict[str, str] = {}
    for name in list(table.data):
        value = table.get(name, str, None, f'quote the value: `{name} = "..."`')
        if not _ENV_NAME_RE.match(name):
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


def _expectation(table: _Table | None) -> StepExpectation:
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
    table.finish(_known("ok", "value", "value_matches", "error", "error_matches"))
    return StepExpectation(
        ok=False if wants_error else (True if wants_value else ok),
        value=value,
        has_value=has_value,
        value_matches=value_matches,
        error_type=error_type,
        error_matches=error_matches,
    )


def _placeholder_problems(table: _Table, key: str, value: Any, available: set[str]) -> None:
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


def _steps(top: _Table, problems: list[Problem], available: set[str]) -> tuple[Step, ...]:
    fix = (
        'write [[steps]] tables with `import = "module"`, `call = "module.function"` '
        'or `load = "{location:site}/pkg/lib/libx.so.1"`'
    )
    steps: list[Step] = []
    ids: set[str] = set()
    for index, table in enumerate(_array_of_tables(top, "steps", fix)):
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
        expect = _expectation(
            table.sub("expect", 'use an inline table, e.g. `expect = { value = "x" }`')
        )
        table.finish(_known("id", "import", "call", "load", "args", "kwargs", "expect"))
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


def _native_steps(
    top: _Table, problems: list[Problem], loaders: tuple[str, ...], labels: tuple[str, ...]
) -> tuple[Step, ...]:
    """``load`` a library / ``call`` a ``const char *f(void)`` through a loaded one."""
    fix = (
        'write [[steps]] tables with `load = "producer"`, or `call = "consumer_foo_identity"` '
        'and `library = "consumer"` (the id of an earlier load step)'
    )
    steps: list[Step] = []
    ids: set[str] = set()
    loads: list[str] = []
    for index, table in enumerate(_array_of_tables(top, "steps", fix)):
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
        has_load, has_call = table.has("load"), table.has("call")
        if has_load == has_call:
            table.problem("load", "a native step needs exactly one of `load` and `call`", fix)
        action: Literal["load", "call"] = "call" if has_call and not has_load else "load"
        target = table.get(action, str, None, fix)
        library = table.get(
            "library", str, None, 'the id of an earlier load step, e.g. `library = "consumer"`'
        )
        mode = table.get("mode", str, "local", 'use `mode = "local"` or `mode = "global"`')
        if mode not in ("local", "global"):
            table.problem(
                "mode",
                f"unknown mode {mode!r}",
                'use "local" (RTLD_LOCAL, as ctypes loads) or "global" (RTLD_GLOBAL)',
            )
            mode = "local"
        if action == "load":
            if library is not None:
                table.problem("library", "a load step takes no `library`", "remove it")
            problem = None if target is None else _native_load_problem(target, loaders, labels)
            if problem is not None:
                table.problem("load", *problem)
                target = None
        else:
            if table.has("mode"):
                table.problem("mode", "`mode` belongs to a load step", "remove it")
            if target is not None and not _SYMBOL_RE.match(target):
                table.problem(
                    "call", f"{target!r} is not a C symbol name", "e.g. consumer_foo_identity"
                )
                target = None
            if library is None and has_call and not has_load:
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
        if action == "load" and target is not None and _ID_RE.match(target):
            default_id = target
        else:
            default_id = f"{action}:{target}" if action == "call" and target else f"step{index + 1}"
        step_id = table.get("id", str, default_id, 'use a short name, e.g. `id = "preload"`')
        if step_id in ids:
            table.problem("id", f"step id {step_id!r} is used twice", "give each step its own id")
        ids.add(step_id)
        expect = _expectation(
            table.sub("expect", 'use an inline table, e.g. `expect = { value = "x" }`')
        )
        table.finish(_known("id", "load", "mode", "call", "library", "expect"))
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


def _libraries(
    top: _Table,
    installs: tuple[Install, ...],
    system: SystemPrefix | None,
    problems: list[Problem],
    *,
    native_labels: tuple[str, ...] | None = None,
) -> tuple[LibraryExpectation, ...]:
    table = top.sub("libraries", "write one `[libraries.libfoo]` table per library")
    if table is None:
        return ()
    present = _given_locations(installs, system)
    known_labels = ALL_LOCATIONS
    if native_labels is not None:
        present, known_labels = set(native_labels), native_labels
    libraries: list[LibraryExpectation] = []
    for name in list(table.data):
        lib = table.sub(name, f"write `[libraries.{name}]` as a table")
        if lib is None:
            continue
        if not _LIBRARY_RE.match(name):
            table.problem(name, "is not a library name", "use the name without suffix, e.g. libfoo")
            continue
        copies = lib.get("copies", int, 1, "use a count: 1 (default), 0 = must not be loaded")
        if copies < 0:
            lib.problem("copies", f"cannot be negative ({copies})", "use 0 or more")
        location = lib.get("location", str, None, 'a location label, e.g. `location = "site"`')
        if location is not None:
            if location not in known_labels:
                lib.problem(
                    "location",
                    f"unknown location label {location!r}",
                    f"use one of {', '.join(known_labels)}",
                )
            elif location not in present and location != CONDA_LIB:
                lib.problem(
                    "location",
                    f"this scenario puts nothing in location {location!r}",
                    f"use one of {', '.join(sorted(present)) or '(none)'} or add it",
                )
        file = lib.get("file", str, None, 'a path inside the location, e.g. "libfoo/lib/x.so.1"')
        identity = lib.get("identity", str, None, 'the identity string, e.g. "libfoo 1.0 wheel"')
        identity_function = lib.get(
            "identity_function", str, f"{library_base(name)}_identity", "the C function name"
        )
        if copies == 0 and (location or file or identity):
            lib.problem(
                "copies",
                "`copies = 0` (must not be loaded) cannot have location/file/identity",
                "remove those keys or expect at least one copy",
            )
        if file is not None and location is None:
            lib.problem("file", "needs `location`", "add the location label the file is under")
        lib.finish(_known("copies", "location", "file", "identity", "identity_function"))
        libraries.append(
            LibraryExpectation(
                name=name,
                copies=copies,
                location=location,
                file=file,
                identity=identity,
                identity_function=identity_function,
            )
        )
    return tuple(libraries)


def _symbols(top: _Table) -> SymbolExpectations:
    table = top.sub("symbols", "write `[symbols]` with `global = [...]` / `not_global = [...]`")
    if table is None:
        return SymbolExpectations()
    fix = 'list C symbol names, e.g. ["foo_identity"]'
    must = table.strings("global", (), fix)
    must_not = table.strings("not_global", (), fix)
    for key, names in (("global", must), ("not_global", must_not)):
        for symbol in names:
            if not _SYMBOL_RE.match(symbol):
                table.problem(key, f"{symbol!r} is not a C symbol name", fix)
    both = set(must) & set(must_not)
    if both:
        table.problem(
            "not_global", f"{sorted(both)[0]!r} is listed as both global and not global", "pick one"
        )
    table.finish(_known("global", "not_global"))
    return SymbolExpectations(must_be_global=must, must_not_be_global=must_not)


def discover(root: Path) -> list[Path]:
    """Every ``<root>/<name>/scenario.toml``, sorted by name."""
    return sorted(root.glob(f"*/{SCENARIO_FILE}"))


SCENARIO_NAME_RULE = "letters, digits, `-`, `_` and `.`, starting with a letter or digit"
"""Scenario directory names become pytest node ids and ``harness run NAME`` words;
brackets, spaces and the like cannot be selected there."""


def directory_name_problem(name: str) -> Problem | None:
    """Why ``name`` cannot be a scenario directory, or None."""
    if _ID_RE.match(name):
        return None
    return Problem(
        "(directory)",
        f"the scenario directory name {name!r} cannot be selected with `harness run` or -k",
        f"rename the directory using only {SCENARIO_NAME_RULE}",
    )


def lookalikes(root: Path) -> list[ScenarioError]:
    """Directories under ``root`` that look like scenarios but have no ``scenario.toml``.

    A misspelled file (``scenario.tml``, ``Scenario.toml``, ``scenario.toml.txt``) or
    scenario checks (``test_*.py``) without a scenario would otherwise be skipped silently.
    """
    found: list[ScenarioError] = []
    if not root.is_dir():
        return found
    for directory in sorted(p for p in root.iterdir() if p.is_dir()):
        if (directory / SCENARIO_FILE).is_file() or directory.name.startswith((".", "_")):
            continue
        names = sorted(p.name for p in directory.iterdir() if p.is_file())
        misspelled = [n for n in names if n.lower().startswith("scenario.") or n.endswith(".toml")]
        checks = [n for n in names if n.startswith("test_") and n.endswith(".py")]
        if not misspelled and not checks:
            continue
        what = f"has {', '.join(misspelled or checks)} but no {SCENARIO_FILE}"
        found.append(
            ScenarioError(
                directory,
                [Problem("(file)", what, f"name the scenario file exactly {SCENARIO_FILE}")],
            )
        )
    return found


def load_all(root: Path, on_error: Callable[[ScenarioError], None] | None = None) -> list[Scenario]:
    """Load every scenario under ``root``; broken ones go to ``on_error`` (or raise)."""
    scenarios: list[Scenario] = []
    for path in discover(root):
        try:
            scenarios.append(load(path))
        except ScenarioError as error:
            if on_error is None:
                raise
            on_error(error)
    return scenarios
