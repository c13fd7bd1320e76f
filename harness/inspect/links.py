"""Who depends on whom: match every dependency entry to the libraries other wheels ship.

A wheel is a *producer* when another wheel's binary depends on a library it ships
(or when the user says so); a *consumer* when one of its binaries depends on a
library of another wheel (or when the user says so). A wheel can be both (libbar).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from . import names
from .binary import ArchSlice, BinaryInfo, Dependency
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


@dataclass(frozen=True)
class Graph:
    """Libraries on offer, the links found and the role of every wheel."""

    wheels: tuple[Wheel, ...]
    produced: tuple[ProducedLibrary, ...]
    links: tuple[Link, ...]
    producers: frozenset[Path]
    consumers: frozenset[Path]
    explicit_consumers: frozenset[Path]

    def links_of(self, consumer: Wheel) -> list[Link]:
        return [link for link in self.links if link.consumer.path == consumer.path]

    def produced_by(self, wheel: Wheel) -> list[ProducedLibrary]:
        """The libraries ``wheel`` ships (already found by :func:`build`)."""
        return [library for library in self.produced if library.wheel.path == wheel.path]


def produced_libraries(wheel: Wheel) -> list[ProducedLibrary]:
    return [
        ProducedLibrary(wheel, b)
        for b in wheel.binaries
        if not names.is_vendored(b.path) and not names.is_extension_module(b)
    ]


def _links_of_dependency(
    wheel: Wheel,
    binary: BinaryInfo,
    arch_slice: ArchSlice,
    dependency: Dependency,
    offered: list[ProducedLibrary],
) -> list[Link]:
    stem = names.library_stem(dependency.name)
    candidates = [p for p in offered if p.wheel.path != wheel.path and p.stem == stem]
    if not candidates:
        return []

    def exact(library: ProducedLibrary) -> bool:
        key = library.key(arch_slice.arch)
        return key is not None and names.key_matches(binary.format, dependency.name, key)

    def same_file(library: ProducedLibrary) -> bool:
        dep_file = names.as_compared(binary.format, names.base_name(dependency.name))
        return dep_file == names.as_compared(binary.format, library.binary.file_name)

    # Another version of the library (libfoo.so.2 next to libfoo.so.1) is no near
    # miss when some wheel offers exactly what is asked for.
    chosen = [c for c in candidates if exact(c) or same_file(c)] or candidates
    return [Link(wheel, binary, arch_slice, dependency, c, exact(c)) for c in chosen]


def build(wheels: list[Wheel], roles: Mapping[Path, Role] | None = None) -> Graph:
    """Match all dependency entries against all produced libraries and settle roles."""
    roles = dict(roles or {})
    offered = [p for w in wheels for p in produced_libraries(w)]
    links: list[Link] = []
    for wheel in wheels:
        for binary in wheel.binaries:
            for arch_slice in binary.slices:
                for dependency in arch_slice.dependencies:
                    links += _links_of_dependency(wheel, binary, arch_slice, dependency, offered)
    producers = {link.library.wheel.path for link in links}
    consumers = {link.consumer.path for link in links}
    producers |= {p for p, r in roles.items() if r == "producer"}
    explicit_consumers = {p for p, r in roles.items() if r == "consumer"}
    return Graph(
        wheels=tuple(wheels),
        produced=tuple(offered),
        links=tuple(links),
        producers=frozenset(producers),
        consumers=frozenset(consumers | explicit_consumers),
        explicit_consumers=frozenset(explicit_consumers),
    )
