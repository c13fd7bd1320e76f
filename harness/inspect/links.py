"""Who depends on whom: match every dependency entry to the libraries other wheels ship.

A wheel is a *producer* when another wheel's binary depends on a library it ships
(or when the user says so); a *consumer* when one of its binaries depends on a
library of another wheel (or when the user says so). A wheel can be both (libbar).
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from . import names
from .binary import ArchSlice, BinaryInfo, Dependency
from .resolve import Resolver, searched_paths
from .wheel import Wheel

Role = Literal["producer", "consumer"]


@dataclass(frozen=True)
class ProducedLibrary:
    """A linkable library shipped (not vendored) by a wheel."""

    wheel: Wheel
    binary: BinaryInfo

    @property
    def stem(self) -> str:
        return names.library_stem(self.binary.file_name)

    def key(self, arch: str) -> str | None:
        """The loader key for ``arch`` (its own name), falling back to any slice's."""
        for arch_slice in self.binary.slices:
            if arch_slice.arch == arch:
                return arch_slice.own_name
        return self.binary.slices[0].own_name


@dataclass(frozen=True)
class Link:
    """One dependency entry of a consumer binary that refers to a producer library."""

    consumer: Wheel
    binary: BinaryInfo
    arch_slice: ArchSlice
    dependency: Dependency
    library: ProducedLibrary
    exact: bool
    """The entry equals the library's loader key (what preloading needs)."""
    via_copy: bool = False
    """The entry names the consumer's own vendored copy of the library, not the library."""
    reached: bool = False
    """One of the binary's rpaths (or an ``@loader_path`` entry) finds the producer's file
    when both wheels share one site-packages directory."""


@dataclass(frozen=True)
class Graph:
    """Libraries on offer, the links found and the role of every wheel."""

    wheels: tuple[Wheel, ...]
    produced: tuple[ProducedLibrary, ...]
    links: tuple[Link, ...]
    producers: frozenset[Path]
    consumers: frozenset[Path]
    explicit_consumers: frozenset[Path]
    loader_entries: tuple[str, ...] = ("loader", "load_library")
    """Names a producer's package may bind for consumers to call before importing."""
    resolver: Resolver | None = None
    """Who provides each needed library (all wheels in one site-packages directory)."""

    @property
    def resolution(self) -> Resolver:
        return self.resolver if self.resolver is not None else Resolver(self.wheels)

    def links_of(self, consumer: Wheel) -> list[Link]:
        return [link for link in self.links if link.consumer.path == consumer.path]

    def links_to(self, producer: Wheel) -> list[Link]:
        return [link for link in self.links if link.library.wheel.path == producer.path]

    def produced_by(self, wheel: Wheel) -> list[ProducedLibrary]:
        """The libraries ``wheel`` ships (already found by :func:`build`)."""
        return [library for library in self.produced if library.wheel.path == wheel.path]

    def owners_of(self, installed: str) -> list[Wheel]:
        """The wheels whose RECORD lists the site-packages path ``installed``."""
        return [w for w in self.wheels if installed in w.installed_files]


def produced_libraries(wheel: Wheel) -> list[ProducedLibrary]:
    return [
        ProducedLibrary(wheel, b)
        for b in wheel.binaries
        if not names.is_vendored(b.path) and not names.is_extension_module(b)
    ]


def _own_file(wheel: Wheel, dependency: Dependency, fmt: str) -> BinaryInfo | None:
    """The binary of ``wheel`` (or one of its copies) whose file name the entry names."""
    wanted = names.as_compared(fmt, names.base_name(dependency.name))  # type: ignore[arg-type]
    for binary in wheel.binaries:
        for path in wheel.binary_paths(binary):
            if names.as_compared(binary.format, posixpath.basename(path)) == wanted:
                return binary
    return None


def _links_of_dependency(
    wheel: Wheel,
    binary: BinaryInfo,
    arch_slice: ArchSlice,
    dependency: Dependency,
    offered: list[ProducedLibrary],
    *,
    resolver: Resolver,
) -> list[Link]:
    """The resolver's answer first: a file its own rpath reaches in its own wheel, or its
    own wheel's file, is the wheel's own business (a vendored copy links to the library it
    copies); a required wheel's library before any other given wheel's. Only when no wheel
    ships the name, a near miss by name stem."""
    others = [p for p in offered if p.wheel.path != wheel.path]
    searched = searched_paths(wheel, binary, arch_slice, dependency)

    def reached(library: ProducedLibrary) -> bool:
        paths = library.wheel.binary_paths(library.binary)
        files = {library.wheel.install_path(p) for p in paths}
        return any(path in files for path in searched)

    def link(library: ProducedLibrary, is_exact: bool, via_copy: bool = False) -> Link:
        return Link(
            wheel, binary, arch_slice, dependency, library, is_exact, via_copy, reached(library)
        )

    resolution = resolver.resolve(wheel, binary, arch_slice, dependency)
    stem = names.library_stem(dependency.name)
    candidates = [p for p in others if p.stem == stem]
    if resolution.tier in ("required", "given"):
        answering = {(id(p.wheel), p.binary.path): p.exact for p in resolution.providers}
        chosen = [
            (p, answering[(id(p.wheel), p.binary.path)])
            for p in others
            if (id(p.wheel), p.binary.path) in answering
        ]
        if chosen:
            return [link(p, is_exact) for p, is_exact in chosen]
    own = _own_file(wheel, dependency, binary.format)
    if own is not None:
        if not candidates or not names.is_vendored(own.path):
            return []  # the wheel's own library: nothing to do with other wheels
        return [link(c, False, via_copy=True) for c in candidates]
    if not candidates:
        return []

    def same_file(library: ProducedLibrary) -> bool:
        dep_file = names.as_compared(binary.format, names.base_name(dependency.name))
        return dep_file == names.as_compared(binary.format, library.binary.file_name)

    # Another version of the library (libfoo.so.2 next to libfoo.so.1) is no near
    # miss when some wheel offers exactly what is asked for.
    chosen_near = [c for c in candidates if same_file(c)] or candidates
    return [link(c, False) for c in chosen_near]


def build(
    wheels: list[Wheel],
    roles: Mapping[Path, Role] | None = None,
    loader_entries: tuple[str, ...] = ("loader", "load_library"),
) -> Graph:
    """Match all dependency entries against all produced libraries and settle roles."""
    roles = dict(roles or {})
    offered = [p for w in wheels for p in produced_libraries(w)]
    resolver = Resolver(wheels)
    links: list[Link] = []
    for wheel in wheels:
        for binary in wheel.binaries:
            for arch_slice in binary.slices:
                for dependency in arch_slice.dependencies:
                    links += _links_of_dependency(
                        wheel, binary, arch_slice, dependency, offered, resolver=resolver
                    )
    direct = [link for link in links if not link.via_copy]
    producers = {link.library.wheel.path for link in direct}
    consumers = {link.consumer.path for link in direct}
    producers |= {p for p, r in roles.items() if r == "producer"}
    explicit_consumers = {p for p, r in roles.items() if r == "consumer"}
    return Graph(
        wheels=tuple(wheels),
        produced=tuple(offered),
        links=tuple(links),
        producers=frozenset(producers),
        consumers=frozenset(consumers | explicit_consumers),
        explicit_consumers=frozenset(explicit_consumers),
        loader_entries=loader_entries,
        resolver=resolver,
    )
