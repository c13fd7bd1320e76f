"""``[[install]]``, ``[wheels]`` and ``[system]``: what a scenario installs where."""

from __future__ import annotations

from harness.envs.removing import removal_problem
from harness.scenarios.parse_table import (
    ENV_NAME_RE,
    ENV_REF_RE,
    ID_RE,
    Problem,
    Table,
    array_of_tables,
    known,
)
from harness.scenarios.schema import (
    Install,
    SystemPrefix,
)
from harness.vocabulary import (
    EDITABLE,
    EDITABLE_MODES,
    SDIST_LOCATIONS,
    SITE,
    SYSTEM,
    WHEEL_LOCATIONS,
)


def installs_table(top: Table, problems: list[Problem]) -> tuple[Install, ...]:
    fix = 'write [[install]] tables: `location = "site"`, `wheels = ["libfoo", "pyfoo"]`'
    installs: list[Install] = []
    seen_locations: set[str] = set()
    for table in array_of_tables(top, "install", fix):
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
        sdists = table.strings("sdists", (), 'list wheel ids, e.g. `sdists = ["pyfoo"]`')
        if not table.has("wheels") and not table.has("sdists"):
            table.problem("wheels", "is missing", 'list wheel ids, e.g. `wheels = ["libfoo"]`')
        for key, ids in (("wheels", wheels), ("sdists", sdists)):
            for wheel in ids:
                if not ID_RE.match(wheel):
                    table.problem(
                        key,
                        f"{wheel!r} is not a wheel id",
                        "use ids from the wheel catalogue in docs/architecture.md",
                    )
        isolation = _build_isolation(table, location, sdists)
        deps = table.get(
            "deps", bool, False, "`deps = true` resolves Requires-Dist from built wheels"
        )
        remove = _removals(table)
        mode = _editable_mode(table, location)
        table.finish(
            known("location", "wheels", "deps", "remove", "mode", "sdists", "build-isolation")
        )
        if location is not None:
            seen_locations.add(location)
            installs.append(
                Install(
                    location=location,
                    wheels=wheels,
                    deps=deps,
                    remove=remove,
                    mode=mode,
                    sdists=sdists,
                    build_isolation=isolation,
                )
            )
    return tuple(installs)


def wheel_files_table(top: Table) -> dict[str, str]:
    """``[wheels]``: ids for wheel files outside the catalogue (resolved when a cell runs)."""
    example = '`my-libfoo = "../wheels/libfoo-*.whl"` or `"${MY_WHEELS}/libfoo-*.whl"`'
    table = top.sub("wheels", f"write `[wheels]` with lines such as {example}")
    if table is None:
        return {}
    files: dict[str, str] = {}
    for wheel_id in list(table.data):
        pattern = table.get(wheel_id, str, None, f"a file path or glob, e.g. {example}")
        if not ID_RE.match(wheel_id):
            table.problem(wheel_id, "is not a wheel id", "use letters, digits, '.', '_' and '-'")
            continue
        if pattern is None:
            continue
        if not pattern.strip():
            table.problem(wheel_id, "is empty", f"name a wheel file, e.g. {example}")
            continue
        bad = [name for name in ENV_REF_RE.findall(pattern) if not ENV_NAME_RE.match(name)]
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


def _build_isolation(table: Table, location: str | None, sdists: tuple[str, ...]) -> bool:
    """``sdists`` and ``build-isolation``: installs from source into a wheel location."""
    isolation: bool = table.get(
        "build-isolation", bool, True, "`build-isolation = false` builds against the layout"
    )
    if sdists and location not in SDIST_LOCATIONS:
        table.problem(
            "sdists",
            f"sdists cannot be installed into location {location!r}",
            f"use one of {', '.join(SDIST_LOCATIONS)} (editable sources use `wheels`)",
        )
    if table.has("build-isolation") and not sdists:
        table.problem(
            "build-isolation",
            "applies to sdists only and this table lists none",
            'remove it, or list `sdists = ["pyfoo"]`',
        )
    return isolation


def _editable_mode(table: Table, location: str | None) -> str | None:
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


def _removals(table: Table) -> tuple[str, ...]:
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


def system_table(top: Table) -> SystemPrefix | None:
    table = top.sub("system", 'write `[system]` with `prefix = "libfoo-system"`')
    if table is None:
        return None
    prefix = table.required(
        "prefix", str, 'name a builder prefix id, e.g. `prefix = "libfoo-system"`'
    )
    if prefix is not None and not ID_RE.match(prefix):
        table.problem("prefix", f"{prefix!r} is not a prefix id", "use e.g. `libfoo-system`")
        prefix = None
    table.finish(known("prefix"))
    return None if prefix is None else SystemPrefix(prefix=prefix)


def given_locations(installs: tuple[Install, ...], system: SystemPrefix | None) -> set[str]:
    """The labels the scenario's ``[[install]]`` tables and ``[system]`` put something in."""
    labels = {install.location for install in installs}
    if EDITABLE in labels:
        labels.add(SITE)  # an editable install puts its built files into site-packages
    if system is not None:
        labels.add(SYSTEM)
    return labels
