"""Read and validate ``scenario.toml`` files into :class:`~harness.scenarios.schema.Scenario`.

Every problem is reported with the file, the key (dotted, e.g. ``steps[2].expect.error``),
what is wrong and how to fix it; all problems of a file are reported together so a
scenario author fixes them in one pass.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.scenarios.parse_conda import conda_table
from harness.scenarios.parse_installs import (
    given_locations,
    installs_table,
    system_table,
    wheel_files_table,
)
from harness.scenarios.parse_libraries import libraries_table, symbols_table
from harness.scenarios.parse_native import (
    libc_table,
    native_axes,
    native_labels,
    native_steps,
    no_wheels_in_native,
)
from harness.scenarios.parse_steps import env_table, steps_table
from harness.scenarios.parse_table import ID_RE, Problem, ScenarioError, Table, known
from harness.scenarios.schema import SCHEMA_VERSION, LibraryExpectation, Scenario
from harness.vocabulary import (
    ALL_OS,
    CONDA_LIB,
    INSTALLERS,
    LAYOUT_KINDS,
    NATIVE,
    OSName,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

__all__ = [
    "SCENARIO_FILE",
    "SCENARIO_NAME_RULE",
    "Problem",
    "ScenarioError",
    "directory_name_problem",
    "discover",
    "from_dict",
    "load",
    "load_all",
    "lookalikes",
]

SCENARIO_FILE = "scenario.toml"


_TOP_KEYS = (
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
    top = Table(data, "", problems)

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
    installers, loaders, labels = _axes(top, layouts, native)
    libcs = libc_table(top, platforms, native)
    wheel_files = wheel_files_table(top)
    installs = installs_table(top, problems)
    system = system_table(top)
    conda_packages = conda_table(top, layouts)
    if native:
        no_wheels_in_native(top, installs, system, wheel_files)
    env = env_table(top, installs, system, conda=bool(conda_packages), extra_locations=labels)
    available = given_locations(installs, system) | ({CONDA_LIB} if conda_packages else set())
    steps = (
        native_steps(top, problems, loaders, labels)
        if native
        else steps_table(top, problems, available)
    )
    libraries = libraries_table(
        top, installs, system, problems, native_labels=labels if native else None
    )
    symbols = symbols_table(top)
    load_order = _load_order(top, libraries)
    top.finish(known(*_TOP_KEYS))
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


def discover(root: Path) -> list[Path]:
    """Every ``<root>/<name>/scenario.toml``, sorted by name."""
    return sorted(root.glob(f"*/{SCENARIO_FILE}"))


SCENARIO_NAME_RULE = "letters, digits, `-`, `_` and `.`, starting with a letter or digit"
"""Scenario directory names become pytest node ids and ``harness run NAME`` words;
brackets, spaces and the like cannot be selected there."""


def directory_name_problem(name: str) -> Problem | None:
    """Why ``name`` cannot be a scenario directory, or None."""
    if ID_RE.match(name):
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


def _axes(
    top: Table, layouts: tuple[str, ...], native: bool
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """``(installers, loaders, native location labels)``: a native scenario's axis is the
    loader, every other's the installer."""
    if native:
        installers, loaders = native_axes(top, layouts)
        return installers, loaders, native_labels(loaders)
    installers = top.choices(
        "installers", INSTALLERS, ("uv",), 'use e.g. `installers = ["uv", "pip"]`'
    )
    if top.has("loaders"):
        top.raw("loaders")
        top.problem(
            "loaders",
            "only native scenarios have loaders",
            'set `layouts = ["native"]` (the C probe) or remove `loaders`',
        )
    return installers, (), ()


def _load_order(top: Table, libraries: tuple[LibraryExpectation, ...]) -> tuple[str, ...]:
    """``load_order``: names of declared ``[libraries.NAME]`` tables."""
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
    return load_order
