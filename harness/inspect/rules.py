"""The rules. Each reads the :class:`~harness.inspect.links.Graph` and yields failures.

Rule pages live in ``docs/rules/<id>.md``; ids are stable.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from . import names
from .binary import NAME_FIELD, BinaryInfo, RpathEntry
from .findings import rule
from .links import Graph, ProducedLibrary
from .loader_check import missing_loader
from .wheel import Wheel, resolve_in_tree

Failure = tuple[Wheel, str, str]


def _producer_wheels(graph: Graph) -> list[Wheel]:
    return [w for w in graph.wheels if w.path in graph.producers]


def _consumer_wheels(graph: Graph) -> list[Wheel]:
    return [w for w in graph.wheels if w.path in graph.consumers]


@rule(
    "SLI001",
    "library-without-name",
    "error",
    "a producer's library has no SONAME / install id / DLL name",
)
def library_without_name(graph: Graph) -> Iterator[Failure]:
    for wheel in _producer_wheels(graph):
        for library in graph.produced_by(wheel):
            binary = library.binary
            for arch_slice in binary.slices:
                if arch_slice.own_name is None:
                    yield (
                        wheel,
                        binary.label(arch_slice),
                        f"no {NAME_FIELD[binary.format]}: preloading it cannot satisfy a "
                        "consumer's dependency entry",
                    )


@rule(
    "SLI002",
    "library-name-not-file-name",
    "error",
    "a producer library's own name is not the name consumers ask for",
)
def library_name_not_file_name(graph: Graph) -> Iterator[Failure]:
    for wheel in _producer_wheels(graph):
        for library in graph.produced_by(wheel):
            binary = library.binary
            expected = names.expected_own_name(binary.format, binary.file_name)
            for arch_slice in binary.slices:
                own = arch_slice.own_name
                if own is not None and not names.own_name_matches(
                    binary.format, own, binary.file_name
                ):
                    yield (
                        wheel,
                        binary.label(arch_slice),
                        f"{NAME_FIELD[binary.format]} is {own!r}, expected {expected!r}",
                    )


@rule(
    "SLI003",
    "dependency-not-producer-key",
    "error",
    "a consumer's dependency entry differs from the producer library's loader key",
)
def dependency_not_producer_key(graph: Graph) -> Iterator[Failure]:
    for wheel in _consumer_wheels(graph):
        links = graph.links_of(wheel)
        resolved = {(id(link.arch_slice), link.dependency) for link in links if link.exact}
        for link in links:
            key = link.library.key(link.arch_slice.arch)
            if link.exact or key is None:
                continue  # a nameless producer library is SLI001's finding
            if (id(link.arch_slice), link.dependency) in resolved:
                continue
            yield (
                wheel,
                link.binary.label(link.arch_slice),
                f"{link.dependency.kind} {link.dependency.name!r} != "
                f"{NAME_FIELD[link.library.binary.format]} {key!r} of "
                f"{link.library.binary.path} in {link.library.wheel.name}",
            )


@rule(
    "SLI004",
    "private-copy",
    "error",
    "a consumer wheel ships its own (possibly renamed) copy of a producer library",
)
def private_copy(graph: Graph) -> Iterator[Failure]:
    for wheel in _consumer_wheels(graph):
        producer_libraries = {link.library for link in graph.links_of(wheel)}
        for binary in wheel.binaries:
            if names.is_extension_module(binary):
                continue
            stem = names.library_stem(binary.file_name)
            same_stem = [lib for lib in producer_libraries if lib.stem == stem]
            if not same_stem:
                continue
            originals = _originals_of(binary, same_stem)
            sources = " or ".join(f"{o.binary.file_name} from {o.wheel.name}" for o in originals)
            how = " (renamed by a repair tool)" if names.is_mangled(binary.file_name) else ""
            yield (
                wheel,
                binary.path,
                f"copy{how} of {sources}: two copies load into one process",
            )


def _originals_of(copy: BinaryInfo, candidates: list[ProducedLibrary]) -> list[ProducedLibrary]:
    """The producer libraries ``copy`` most likely came from, best first.

    Several producers can ship a library of one stem (libfoo 1.0, its no-SONAME build,
    libfoo 2.0). A repair tool renames the copy but keeps the rest of the name, so the
    unmangled name is compared with each candidate's loader key, then with its file
    name, then only the ABI major; every candidate that matches equally well is named
    (on Windows libfoo 1.0 and 2.0 are both ``foo.dll``).
    """

    def fold(name: str) -> str:
        return names.as_compared(copy.format, name)

    wanted = fold(names.unmangled(copy.file_name))
    major = names.major_version(copy.file_name)

    def score(library: ProducedLibrary) -> int:
        keys = {fold(names.base_name(s.own_name)) for s in library.binary.slices if s.own_name}
        if wanted in keys:
            return 3
        if wanted == fold(library.binary.file_name):
            return 2
        if major is not None and major == names.major_version(library.binary.file_name):
            return 1
        return 0

    ordered = sorted(candidates, key=lambda lib: (-score(lib), lib.wheel.name, lib.binary.path))
    best = score(ordered[0])
    return [lib for lib in ordered if score(lib) == best]


def _rpath_anchor(binary: BinaryInfo, entry: RpathEntry) -> tuple[str, str] | None:
    """(anchor token, rest) when ``entry`` is relative to the binary or the executable."""
    tokens: tuple[str, ...] = ("@loader_path", "@executable_path")
    if binary.format == "elf":
        tokens = ("$ORIGIN", "${ORIGIN}")
    for token in tokens:
        if entry.value == token or entry.value.startswith(token + "/"):
            return token, entry.value[len(token) :].lstrip("/")
    return None


@rule(
    "SLI005",
    "unanchored-rpath",
    "error",
    "an RPATH / RUNPATH / LC_RPATH entry is absolute or relative to the working directory",
)
def unanchored_rpath(graph: Graph) -> Iterator[Failure]:
    for wheel in graph.wheels:
        for binary in wheel.binaries:
            for arch_slice in binary.slices:
                for entry in arch_slice.rpaths:
                    if _rpath_anchor(binary, entry) is not None:
                        continue
                    where = (
                        "an absolute path (build or host directory)"
                        if entry.value.startswith("/")
                        else "relative to the current working directory"
                    )
                    yield (
                        wheel,
                        binary.label(arch_slice),
                        f"{entry.kind} {entry.value!r} is {where}",
                    )


def _owner_of(graph: Graph, top_level: str, own: Wheel) -> str | None:
    for wheel in graph.wheels:
        if wheel.dist != own.dist and top_level in wheel.top_level_names:
            return wheel.dist
    return None


@rule(
    "SLI006",
    "rpath-into-other-distribution",
    "warning",
    "an rpath reaches outside the wheel's own files (works only in one shared site dir)",
)
def rpath_into_other_distribution(graph: Graph) -> Iterator[Failure]:
    for wheel in graph.wheels:
        for binary in wheel.binaries:
            installed = wheel.install_path(binary.path)
            if installed is None:
                continue
            for arch_slice in binary.slices:
                for entry in arch_slice.rpaths:
                    anchor = _rpath_anchor(binary, entry)
                    if anchor is None:
                        continue
                    token, rest = anchor
                    label = binary.label(arch_slice)
                    if token == "@executable_path":
                        yield (
                            wheel,
                            label,
                            f"{entry.kind} {entry.value!r} is relative to the interpreter, "
                            "not to this wheel",
                        )
                        continue
                    target = resolve_in_tree(posixpath.dirname(installed), rest)
                    top = target.split("/", 1)[0]
                    if top == "..":
                        yield (
                            wheel,
                            label,
                            f"{entry.kind} {entry.value!r} leaves site-packages ({target})",
                        )
                    elif top not in wheel.top_level_names:
                        owner = _owner_of(graph, top, wheel)
                        whose = f"distribution {owner}" if owner else "no wheel given"
                        yield (
                            wheel,
                            label,
                            f"{entry.kind} {entry.value!r} points into {target}/ "
                            f"({whose}): found only when both share one site dir",
                        )


@rule(
    "SLI007",
    "producer-not-required",
    "error",
    "a consumer's METADATA does not declare the producer distribution (Requires-Dist)",
)
def producer_not_required(graph: Graph) -> Iterator[Failure]:
    for wheel in _consumer_wheels(graph):
        reported = set()
        for link in graph.links_of(wheel):
            producer = link.library.wheel
            if producer.dist == wheel.dist or producer.dist in wheel.requires:
                continue
            if producer.dist in reported:
                continue
            reported.add(producer.dist)
            yield (
                wheel,
                link.binary.path,
                f"needs {link.dependency.name} from {producer.dist} but METADATA has no "
                f"'Requires-Dist: {producer.dist}'",
            )


def _packages_holding_libraries(graph: Graph, wheel: Wheel) -> set[str]:
    packages = set()
    for library in graph.produced_by(wheel):
        installed = wheel.install_path(library.binary.path)
        if installed is not None and "/" in installed:
            packages.add(installed.split("/", 1)[0])
    return packages


@rule(
    "SLI008",
    "producer-without-loader",
    "error",
    "a producer's top-level package does not expose a 'loader' for consumers to call",
)
def producer_without_loader(graph: Graph) -> Iterator[Failure]:
    for wheel in _producer_wheels(graph):
        inits = {m.split("/", 1)[0]: m for m in wheel.texts}
        packages = _packages_holding_libraries(graph, wheel) or set(inits)
        if not packages:
            yield (wheel, "", "ships no top-level package a consumer could import to preload")
            continue
        for package in sorted(packages):
            init = inits.get(package)
            if init is None:
                yield (
                    wheel,
                    f"{package}/",
                    f"{package} is not a package (no __init__.py): nothing to import for preloading",
                )
                continue
            reason = missing_loader(wheel.texts[init])
            if reason is not None:
                yield (wheel, init, f"{reason}; load_library_module({package!r}) cannot preload")


@rule(
    "SLI009",
    "consumer-without-dependency-entry",
    "error",
    "a stated consumer has no dependency entry on any producer library",
)
def consumer_without_dependency_entry(graph: Graph) -> Iterator[Failure]:
    if not graph.producers:
        return
    offered = sorted(
        {lib.binary.file_name for lib in graph.produced if lib.wheel.path in graph.producers}
    )
    for wheel in graph.wheels:
        if wheel.path not in graph.explicit_consumers or not wheel.binaries:
            continue
        if graph.links_of(wheel):
            continue
        yield (
            wheel,
            "",
            f"no binary depends on {', '.join(offered)}: it relies on global symbols, "
            "which RTLD_LOCAL preloading does not provide",
        )
