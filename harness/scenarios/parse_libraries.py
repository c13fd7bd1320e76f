"""``[libraries.NAME]`` and ``[symbols]``: the expectations on loaded libraries and on
symbol visibility."""

from __future__ import annotations

import re

from harness.scenarios.parse_installs import given_locations
from harness.scenarios.parse_table import SYMBOL_RE, Problem, Table, known
from harness.scenarios.schema import (
    Install,
    LibraryExpectation,
    SymbolExpectations,
    SystemPrefix,
)
from harness.vocabulary import (
    ALL_LOCATIONS,
    CONDA_LIB,
    library_base,
)

_LIBRARY_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_+-]*$")


def libraries_table(
    top: Table,
    installs: tuple[Install, ...],
    system: SystemPrefix | None,
    problems: list[Problem],
    *,
    native_labels: tuple[str, ...] | None = None,
) -> tuple[LibraryExpectation, ...]:
    table = top.sub("libraries", "write one `[libraries.libfoo]` table per library")
    if table is None:
        return ()
    present = given_locations(installs, system)
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
        lib.finish(known("copies", "location", "file", "identity", "identity_function"))
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


def symbols_table(top: Table) -> SymbolExpectations:
    table = top.sub("symbols", "write `[symbols]` with `global = [...]` / `not_global = [...]`")
    if table is None:
        return SymbolExpectations()
    fix = 'list C symbol names, e.g. ["foo_identity"]'
    must = table.strings("global", (), fix)
    must_not = table.strings("not_global", (), fix)
    for key, names in (("global", must), ("not_global", must_not)):
        for symbol in names:
            if not SYMBOL_RE.match(symbol):
                table.problem(key, f"{symbol!r} is not a C symbol name", fix)
    both = set(must) & set(must_not)
    if both:
        table.problem(
            "not_global", f"{sorted(both)[0]!r} is listed as both global and not global", "pick one"
        )
    table.finish(known("global", "not_global"))
    return SymbolExpectations(must_be_global=must, must_not_be_global=must_not)
