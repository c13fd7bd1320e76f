"""The rules. Each reads the :class:`~harness.inspect.links.Graph` and yields failures.

Rule pages live in ``docs/rules/<id>.md``; ids are stable.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from pathlib import Path

from . import names
from . import rules_rpath as _rules_rpath  # noqa: F401  (registers SLI005, SLI006)
from .binary import NAME_FIELD, BinaryFormat, BinaryInfo
from .findings import Failure, rule
from .imports import extensions_loaded_by_import, import_packages
from .links import Graph, ProducedLibrary
from .loader_check import global_loads, missing_loader
from .resolve import required_dists
from .wheel import Wheel


def _producer_wheels(graph: Graph) -> list[Wheel]:
    return [w for w in graph.wheels if w.path in graph.producers]


def _consumer_wheels(graph: Graph) -> list[Wheel]:
    return [w for w in graph.wheels if w.path in graph.consumers]


def _linked_names(graph: Graph) -> set[str]:
    """Every file name some binary of the set asks the loader for (any case kept)."""
    asked = set()
    for wheel in graph.wheels:
        for binary in wheel.binaries:
            for arch_slice in binary.slices:
                for dependency in arch_slice.dependencies:
                    asked.add(names.as_compared(binary.format, names.base_name(dependency.name)))
    return asked


def judged_libraries(graph: Graph, wheel: Wheel) -> list[ProducedLibrary]:
    """The producer's libraries whose names matter: those some binary links to.

    A library nothing in the set depends on by name, in a wheel where others are linked
    to, is a plugin its host opens by path (``libucx/lib/ucx/*.so``): its own name is
    never compared with anything. With no link at all (a producer linted alone) every
    library is judged.
    """
    libraries = graph.produced_by(wheel)
    asked = _linked_names(graph)

    def linked(library: ProducedLibrary) -> bool:
        fmt = library.binary.format
        file_names = {
            names.as_compared(fmt, posixpath.basename(p))
            for p in wheel.binary_paths(library.binary)
        }
        return bool(file_names & asked)

    linked_libraries = [lib for lib in libraries if linked(lib)]
    return linked_libraries or libraries


@rule(
    "SLI001",
    "library-without-name",
    "error",
    "a producer's library has no SONAME / install id / DLL name",
)
def library_without_name(graph: Graph) -> Iterator[Failure]:
    for wheel in _producer_wheels(graph):
        for library in judged_libraries(graph, wheel):
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
        for library in judged_libraries(graph, wheel):
            binary = library.binary
            expected = names.expected_own_name(binary.format, binary.file_name)
            directory = posixpath.dirname(binary.path)
            beside = {
                names.as_compared(binary.format, posixpath.basename(m))
                for m in wheel.members
                if posixpath.dirname(m) == directory
            }
            for arch_slice in binary.slices:
                own = arch_slice.own_name
                if own is None:
                    continue
                if names.own_name_matches(binary.format, own, binary.file_name):
                    continue
                # Wheels cannot hold symlinks: libfoo.so and libfoo.so.1.2 shipped as copies
                # are fine while the file the own name names (libfoo.so.1) lies beside them.
                named = names.file_named_by(binary.format, own)
                if named is not None and names.as_compared(binary.format, named) in beside:
                    continue
                yield (
                    wheel,
                    binary.label(arch_slice),
                    f"{NAME_FIELD[binary.format]} is {own!r}, expected {expected!r} "
                    "(or the name of a file beside it)",
                )


@rule(
    "SLI003",
    "dependency-not-producer-key",
    "error",
    "a consumer's dependency entry differs from the producer library's loader key",
)
def dependency_not_producer_key(graph: Graph) -> Iterator[Failure]:
    for wheel in _consumer_wheels(graph):
        links = [link for link in graph.links_of(wheel) if not link.via_copy]
        resolved = {(id(link.arch_slice), link.dependency) for link in links if link.exact}
        for link in links:
            key = link.library.key(link.arch_slice.arch)
            if link.exact or key is None:
                continue  # a nameless producer library is SLI001's finding
            if (id(link.arch_slice), link.dependency) in resolved:
                continue
            detail = (
                f"{link.dependency.kind} {link.dependency.name!r} != "
                f"{NAME_FIELD[link.library.binary.format]} {key!r} of "
                f"{link.library.binary.path} in {link.library.wheel.name}"
            )
            where = link.binary.label(link.arch_slice)
            if names.is_finder_variant(link.binary):
                stem = names.module_stem(link.binary.file_name)
                yield (
                    wheel,
                    where,
                    f"{detail}; {stem!r} is no importable module name: a variant the "
                    "package's own finder loads only where it chooses it, so this "
                    "matters only where that variant is chosen",
                    "warning",
                )
            else:
                yield (wheel, where, detail)


@rule(
    "SLI004",
    "private-copy",
    "error",
    "a consumer wheel ships its own (possibly renamed) copy of a producer library",
)
def private_copy(graph: Graph) -> Iterator[Failure]:
    flagged: set[tuple[int, str]] = set()
    for wheel in graph.wheels:
        producer_libraries = {link.library for link in graph.links_of(wheel)}
        if not producer_libraries:
            continue
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
            flagged.add((id(wheel), binary.path))
            yield (
                wheel,
                binary.path,
                f"copy{how} of {sources}: two copies load into one process",
            )
    yield from _same_name_in_two_wheels(graph, flagged)


def _same_name_in_two_wheels(graph: Graph, flagged: set[tuple[int, str]]) -> Iterator[Failure]:
    """Two distributions shipping one own name (SONAME, install id, DLL name) as their own
    files (not a repair tool's vendored copy): each copy is named from the other wheel,
    since which one a process maps depends on order and layout."""
    by_key: dict[tuple[BinaryFormat, str], list[tuple[Wheel, BinaryInfo]]] = {}
    for wheel in graph.wheels:
        for binary in wheel.binaries:
            if names.is_extension_module(binary) or names.is_vendored(binary.path):
                continue  # a repair tool's private copy is named above, from its own wheel
            keys = {s.own_name for s in binary.slices if s.own_name}
            for key in keys:
                compared = names.base_name(key).lower() if binary.format == "pe" else key
                by_key.setdefault((binary.format, compared), []).append((wheel, binary))
    for (fmt, _key), shipped in sorted(by_key.items()):
        dists = {wheel.dist for wheel, _ in shipped}
        if len(dists) < 2:
            continue
        for wheel, binary in shipped:
            if (id(wheel), binary.path) in flagged:
                continue  # already named as a copy of the other wheel's library
            others = sorted(
                f"{other.path} of {owner.dist}"
                for owner, other in shipped
                if owner.dist != wheel.dist
            )
            own = next(s.own_name for s in binary.slices if s.own_name)
            yield (
                wheel,
                binary.path,
                f"{NAME_FIELD[fmt]} {own!r} is also shipped as {'; '.join(others)}: "
                "two copies load into one process, or the first one loaded answers both",
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


def required_within(graph: Graph, wheel: Wheel) -> set[str]:
    """Distributions ``wheel`` requires directly or through other wheels of the set."""
    return set(required_dists(graph.wheels, wheel))


@rule(
    "SLI007",
    "producer-not-required",
    "error",
    "a consumer's METADATA does not declare the producer distribution (Requires-Dist)",
)
def producer_not_required(graph: Graph) -> Iterator[Failure]:
    for wheel in _consumer_wheels(graph):
        reported = set()
        required = required_within(graph, wheel)
        for link in graph.links_of(wheel):
            if link.via_copy:
                continue  # a vendored copy is SLI004's finding
            producer = link.library.wheel
            if producer.dist == wheel.dist or producer.dist in required:
                continue
            if producer.dist in reported:
                continue
            reported.add(producer.dist)
            yield (
                wheel,
                link.binary.path,
                f"needs {link.dependency.name} from {producer.dist} but METADATA has no "
                f"'Requires-Dist: {producer.dist}', directly or through the given wheels "
                "(its own rpath does not reach it in its own wheel and no wheel it requires "
                "ships it)",
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
    "a producer's package exposes no loader or load function and loads nothing at import",
)
def producer_without_loader(graph: Graph) -> Iterator[Failure]:
    for wheel in _producer_wheels(graph):
        incoming = graph.links_to(wheel)
        if incoming and all(link.reached for link in incoming):
            continue  # consumers find it by rpath, not by preloading: SLI006 says why not
        inits = {m.split("/", 1)[0]: m for m in wheel.texts if _is_top_level_init(m)}
        packages = _packages_holding_libraries(graph, wheel) or set(inits)
        if not packages:
            yield (wheel, "", "ships no top-level package a consumer could import to preload")
            continue
        for package in sorted(packages):
            init = inits.get(package)
            if init is None and any(
                loads_through_extension(graph, wheel, nested)
                for nested in import_packages(wheel)
                if nested.startswith(f"{package}.")
            ):
                continue  # a namespace directory whose package (ns.pkg) loads it at import
            if init is None:
                yield (
                    wheel,
                    f"{package}/",
                    f"{package} is not a package (no __init__.py): nothing to import for preloading",
                )
                continue
            reason = missing_loader(wheel.texts[init], graph.loader_entries)
            if reason is None or loads_through_extension(graph, wheel, package):
                continue
            yield (wheel, init, f"{reason}; consumers cannot have {package} load its library")


def loads_through_extension(graph: Graph, wheel: Wheel, package: str) -> BinaryInfo | None:
    """The extension module ``import package`` loads whose needed libraries (answered by the
    resolver, transitively) include one of the producer's libraries: a preload at import."""
    resolver = graph.resolution
    produced = {library.binary.path for library in graph.produced_by(wheel)}
    for extension in extensions_loaded_by_import(wheel, package):
        mapped = resolver.closure([(wheel, extension)])
        if any(
            owner is wheel and path in produced
            for (owner, _binary) in mapped.values()
            for path in [_binary.path]
        ):
            return extension
    return None


def _is_top_level_init(member: str) -> bool:
    return member.count("/") == 1 and member.endswith("/__init__.py")


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


def import_roots(graph: Graph) -> list[tuple[Wheel, BinaryInfo]]:
    """What a process maps first: every extension module (importable), every library another
    wheel links to (its consumers load it), and every library of a wheel that has neither
    (a producer linted alone, a CMake prefix wheel: its libraries are what it is for)."""
    roots: list[tuple[Wheel, BinaryInfo]] = []
    # the files another wheel's entries are answered with (the resolver's first answer: a
    # wheel whose own rpath finds its own copy of a name does not link to another's)
    linked_to: set[tuple[Path, str]] = set()
    for other in graph.wheels:
        for binary in other.binaries:
            for resolution in graph.resolution.resolutions(other, binary):
                linked_to.update(
                    (p.wheel.path, p.binary.path)
                    for p in resolution.providers
                    if p.wheel is not other
                )
    for wheel in graph.wheels:
        extensions = [b for b in wheel.binaries if names.is_extension_module(b)]
        roots += [(wheel, b) for b in extensions]
        libraries = [b for b in wheel.binaries if not names.is_extension_module(b)]
        linked = [b for b in libraries if (wheel.path, b.path) in linked_to]
        if linked:
            roots += [(wheel, b) for b in linked]
        elif not extensions:
            roots += [(wheel, b) for b in libraries]
    return roots


@rule(
    "SLI010",
    "unresolved-dependency",
    "error",
    "a dependency entry is shipped by no wheel of the set and not provided by the platform",
)
def unresolved_dependency(graph: Graph) -> Iterator[Failure]:
    """One finding per (wheel, missing library), with how many files need it. An error when
    a file an import maps (the resolver's closure of :func:`import_roots`) needs it; a
    warning when only plugins do (files no import reaches: their host opens them by path
    and decides what a missing dependency means, as UCX skips that transport)."""
    near_misses = {
        (id(link.arch_slice), link.dependency) for link in graph.links if not link.via_copy
    }
    resolver = graph.resolution
    mapped = resolver.closure(import_roots(graph))
    groups: dict[tuple[str, str], list[tuple[Wheel, str, str, bool]]] = {}
    for wheel in graph.wheels:
        for binary in wheel.binaries:
            on_import = (wheel.path, binary.path) in mapped
            for arch_slice in binary.slices:
                for dependency in arch_slice.dependencies:
                    if (id(arch_slice), dependency) in near_misses:
                        continue  # SLI003 names the library it should have been
                    resolution = resolver.resolve(wheel, binary, arch_slice, dependency)
                    if resolution.tier != "missing":
                        continue
                    key = (wheel.name, names.as_compared(binary.format, dependency.name))
                    words = f"{dependency.kind} {dependency.name!r}"
                    groups.setdefault(key, []).append(
                        (wheel, binary.label(arch_slice), words, on_import)
                    )
    for needing in groups.values():
        wheel, example, words, _ = needing[0]
        loaded = [item for item in needing if item[3]]
        fmt_words = _PLATFORM_WORDS[_format_of(wheel, needing)]
        count = f"{len(needing)} file{'s' if len(needing) > 1 else ''}"
        if loaded:
            wheel, example, words, _ = loaded[0]
            yield (
                wheel,
                example,
                f"{words} is shipped by no given wheel and is not a {fmt_words}: loading "
                f"fails (needed by {count}, {len(loaded)} of them mapped on import)",
            )
        else:
            yield (
                wheel,
                example,
                f"{words} is a system library needed by plugins only ({count}, none mapped "
                f"on import); no given wheel ships it and it is not a {fmt_words}: those "
                "plugins load only where the system has it",
                "warning",
            )


def _format_of(wheel: Wheel, needing: list[tuple[Wheel, str, str, bool]]) -> BinaryFormat:
    label = needing[0][1].split(" [", 1)[0]
    return next(b.format for b in wheel.binaries if b.path == label)


_PLATFORM_WORDS = {
    "elf": "library the wheel's manylinux/musllinux policy allows",
    "macho": "system library (/usr/lib, /System)",
    "pe": "Windows system DLL",
}


@rule(
    "SLI011",
    "musl-preload-unusable",
    "error",
    "in a musllinux wheel, a consumer relies on preloading, which musl's loader ignores",
)
def musl_preload_unusable(graph: Graph) -> Iterator[Failure]:
    """musl never matches a DT_NEEDED by SONAME against a library loaded by path: only a
    search (an rpath reaching the very file) finds it; see the platform facts."""
    for link in graph.links:
        consumer = link.consumer
        if consumer.libc != "musl" or link.via_copy or not link.exact:
            continue
        if link.binary.format != "elf" or link.reached:
            continue
        producer = link.library
        yield (
            consumer,
            link.binary.label(link.arch_slice),
            f"DT_NEEDED {link.dependency.name!r} is {producer.binary.path} of "
            f"{producer.wheel.dist}; no RPATH/RUNPATH of this binary reaches that file and "
            "musl does not match a preloaded library by SONAME: loading fails",
        )


@rule(
    "SLI012",
    "global-load",
    "warning",
    "a producer's Python code loads a library with RTLD_GLOBAL",
)
def global_load(graph: Graph) -> Iterator[Failure]:
    for wheel in _producer_wheels(graph):
        for member, source in sorted(wheel.texts.items()):
            for line in global_loads(source):
                yield (
                    wheel,
                    member,
                    f"line {line} loads with RTLD_GLOBAL: its symbols take part in every later "
                    "symbol lookup of the process (interposition between unrelated wheels)",
                )


@rule(
    "SLI013",
    "unsafe-member-name",
    "error",
    "a member name is absolute or climbs out of the install directory (zip slip)",
)
def unsafe_member_name(graph: Graph) -> Iterator[Failure]:
    for wheel in graph.wheels:
        for member, reason in wheel.unsafe_members:
            yield (
                wheel,
                member,
                f"member name {reason}: an installer would write outside "
                "site-packages or refuse the wheel; the lint did not read it",
            )
