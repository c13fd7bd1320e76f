"""Who provides each library a binary needs: one model for ``harness lint`` and ``harness check``.

For one binary of one wheel, in one layout, a dependency entry is answered in the loader's
order as far as wheels decide it:

1. ``own-rpath``: the binary's own rpath (or ``@loader_path`` entry) reaches a file of its
   own wheel;
2. ``required``: a wheel the binary's wheel requires (directly or through other wheels of
   the set) ships the library;
3. ``given``: any other given wheel ships it;
4. ``own-wheel``: only its own wheel ships it, where its search path does not reach (its
   own package must load it first);
5. ``platform``: the platform provides it (manylinux policy, ``/usr/lib``, system DLLs);
6. ``missing``: nobody does (``unknown`` when the platform cannot be told).

When several wheels ship one name (SONAME, install name, DLL name), every one of them is
kept in :attr:`Resolution.shipped_by`, so the ambiguity is explicit and both lint findings
and check causes name the copy that answers and the others.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from . import names, platform_libs
from .binary import ArchSlice, BinaryFormat, BinaryInfo, Dependency
from .wheel import Wheel, resolve_in_tree

Tier = Literal["own-rpath", "required", "given", "own-wheel", "platform", "missing", "unknown"]
TIERS: tuple[Tier, ...] = ("own-rpath", "required", "given", "own-wheel")
"""The tiers a wheel answers, in the loader's order."""

_WORDS: dict[Tier, str] = {
    "own-rpath": "its own rpath (or its own directory) reaches it inside its own wheel",
    "required": "a wheel it requires ships it",
    "own-wheel": "its own wheel ships it (not on its rpath)",
    "given": "a wheel it does not require ships it",
    "platform": "the platform provides it",
    "missing": "no wheel ships it and the platform does not provide it",
    "unknown": "no wheel ships it; whether the platform does cannot be told",
}


def rpath_anchor(binary: BinaryInfo, value: str) -> tuple[str, str] | None:
    """(anchor token, rest) when ``value`` is relative to the binary or the executable."""
    tokens: tuple[str, ...] = ("@loader_path", "@executable_path")
    if binary.format == "elf":
        tokens = ("$ORIGIN", "${ORIGIN}")
    for token in tokens:
        if value == token or value.startswith(token + "/"):
            return token, value[len(token) :].lstrip("/")
    return None


def rpath_targets(wheel: Wheel, binary: BinaryInfo, arch_slice: ArchSlice) -> list[str]:
    """Site-packages-relative directories the binary's own-relative rpaths name (for a
    wheel-data binary, from where it lands: ``data/lib/x.so`` is ``../../x.so``)."""
    installed = wheel.install_path(binary.path) or wheel.data_path(binary.path)
    if installed is None:
        return []
    targets = []
    for entry in arch_slice.rpaths:
        anchor = rpath_anchor(binary, entry.value)
        if anchor is not None and anchor[0] != "@executable_path":
            targets.append(resolve_in_tree(posixpath.dirname(installed), anchor[1]))
    return targets


def searched_paths(
    wheel: Wheel, binary: BinaryInfo, arch_slice: ArchSlice, dependency: Dependency
) -> list[str]:
    """Site-packages-relative paths the loader tries for ``dependency`` through the binary's
    own-relative entries (rpaths, ``@loader_path``); system directories are not listed."""
    installed = wheel.install_path(binary.path) or wheel.data_path(binary.path)
    if installed is None:
        return []
    name = dependency.name
    if binary.format == "pe":
        # CPython loads extensions with LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR: the DLL's own
        # directory is searched for its imports (PATH is not, since 3.8)
        return [resolve_in_tree(posixpath.dirname(installed), names.base_name(name))]
    if binary.format == "macho":
        anchor = rpath_anchor(binary, name)
        if anchor is not None:
            if anchor[0] == "@executable_path":
                return []
            return [resolve_in_tree(posixpath.dirname(installed), anchor[1])]
        if not name.startswith("@rpath/"):
            return []
        name = name.removeprefix("@rpath/")
    elif "/" in name:
        return []
    return [f"{target}/{name}" for target in rpath_targets(wheel, binary, arch_slice)]


def required_dists(wheels: Sequence[Wheel], wheel: Wheel) -> frozenset[str]:
    """Distributions ``wheel`` requires directly or through other wheels of the set."""
    by_dist: dict[str, set[str]] = {}
    for other in wheels:
        by_dist.setdefault(other.dist, set()).update(other.requires)
    required: set[str] = set()
    pending = list(wheel.requires)
    while pending:
        dist = pending.pop()
        if dist in required:
            continue
        required.add(dist)
        pending.extend(by_dist.get(dist, ()))
    return frozenset(required)


@dataclass(frozen=True)
class Provider:
    """One file of one wheel that a dependency entry can be answered with."""

    wheel: Wheel
    binary: BinaryInfo
    installed: str | None
    """Where it lands relative to site-packages; ``None`` outside it (wheel data)."""
    exact: bool
    """Its own name (SONAME / install id / DLL name) equals the entry: preloading it
    satisfies the entry; otherwise only a search by file name finds it."""
    reached: bool
    """The consumer's own rpath reaches this very file (when both share one location)."""

    def describe(self) -> str:
        where = self.installed or f"{self.binary.path} (outside site-packages)"
        return f"{where} of {self.wheel.dist}"


@dataclass(frozen=True)
class Resolution:
    """The answer for one dependency entry of one binary."""

    wheel: Wheel
    binary: BinaryInfo
    arch_slice: ArchSlice
    dependency: Dependency
    tier: Tier
    providers: tuple[Provider, ...]
    """The files of the answering tier (several when that tier is ambiguous)."""
    shipped_by: tuple[Provider, ...]
    """Every file of every wheel that ships the name, answering tier first."""

    @property
    def resolved(self) -> bool:
        return self.tier in (*TIERS, "platform")

    @property
    def provider(self) -> Provider | None:
        """The file that answers, when one tier of wheels answers."""
        return self.providers[0] if self.providers else None

    @property
    def wheels(self) -> tuple[Wheel, ...]:
        """Distinct wheels shipping the name, answering one first."""
        seen: dict[int, Wheel] = {}
        for provider in self.shipped_by:
            seen.setdefault(id(provider.wheel), provider.wheel)
        return tuple(seen.values())

    @property
    def ambiguous(self) -> bool:
        """Several wheels ship the name: which copy loads depends on order and layout."""
        return len(self.wheels) > 1

    def describe(self) -> str:
        """The words both lint and check use for this answer."""
        text = f"{self.dependency.name}: {_WORDS[self.tier]}"
        if self.provider is not None:
            text += f" ({self.provider.describe()})"
        if self.ambiguous:
            others = [p.describe() for p in self.shipped_by if p not in self.providers]
            if others:
                text += f"; also shipped as {', '.join(others)}"
        return text


BinaryKey = tuple[Path, str]
"""(wheel path, binary member path): one binary of the set."""


class Resolver:
    """Answers :class:`Resolution` for every dependency entry of a set of wheels.

    ``locations`` maps each wheel path to the location it is installed in (one label
    per directory); wheels without an entry share one location. An rpath reaching
    another wheel's file counts as ``reached`` only when both share one location.
    """

    def __init__(
        self, wheels: Sequence[Wheel], locations: Mapping[Path, str] | None = None
    ) -> None:
        self.wheels = tuple(wheels)
        self._locations = dict(locations or {})
        self._by_name: dict[tuple[BinaryFormat, str], list[tuple[Wheel, BinaryInfo]]] = {}
        self._by_key: dict[tuple[BinaryFormat, str], list[tuple[Wheel, BinaryInfo]]] = {}
        self._required: dict[Path, frozenset[str]] = {}
        self._cache: dict[tuple[int, Dependency], Resolution] = {}
        for wheel in self.wheels:
            for binary in wheel.binaries:
                # any file the loader can find by name, an extension module included
                for path in wheel.binary_paths(binary):
                    key = (
                        binary.format,
                        names.as_compared(binary.format, posixpath.basename(path)),
                    )
                    self._by_name.setdefault(key, []).append((wheel, binary))
                for arch_slice in binary.slices:
                    if arch_slice.own_name:
                        own = (binary.format, _compared_key(binary.format, arch_slice.own_name))
                        entries = self._by_key.setdefault(own, [])
                        if (wheel, binary) not in entries:
                            entries.append((wheel, binary))

    def location(self, wheel: Wheel) -> str:
        return self._locations.get(wheel.path, "")

    def required(self, wheel: Wheel) -> frozenset[str]:
        if wheel.path not in self._required:
            self._required[wheel.path] = required_dists(self.wheels, wheel)
        return self._required[wheel.path]

    def resolve(
        self, wheel: Wheel, binary: BinaryInfo, arch_slice: ArchSlice, dependency: Dependency
    ) -> Resolution:
        cache_key = (id(arch_slice), dependency)
        found = self._cache.get(cache_key)
        if found is None:
            found = self._resolve(wheel, binary, arch_slice, dependency)
            self._cache[cache_key] = found
        return found

    def _candidates(
        self, fmt: BinaryFormat, dependency: Dependency
    ) -> list[tuple[Wheel, BinaryInfo]]:
        by_key = self._by_key.get((fmt, _compared_key(fmt, dependency.name)), [])
        base = names.as_compared(fmt, names.base_name(dependency.name))
        by_name = self._by_name.get((fmt, base), [])
        return list(dict.fromkeys([*by_key, *by_name]))

    def _resolve(
        self, wheel: Wheel, binary: BinaryInfo, arch_slice: ArchSlice, dependency: Dependency
    ) -> Resolution:
        fold = str.lower if binary.format == "pe" else str
        searched = {fold(p) for p in searched_paths(wheel, binary, arch_slice, dependency)}
        here = self.location(wheel)
        providers: list[Provider] = []
        for owner, library in self._candidates(binary.format, dependency):
            installed = {
                owner.install_path(p) or owner.data_path(p) for p in owner.binary_paths(library)
            }
            reached = bool(searched & {fold(p) for p in installed if p is not None}) and (
                owner is wheel or self.location(owner) == here
            )
            exact = any(
                s.own_name is not None
                and names.key_matches(binary.format, dependency.name, s.own_name)
                for s in library.slices
            )
            providers.append(
                Provider(owner, library, owner.install_path(library.path), exact, reached)
            )
        required = self.required(wheel)

        def tier_of(provider: Provider) -> Tier:
            if provider.wheel is wheel:
                return "own-rpath" if provider.reached else "own-wheel"
            if provider.wheel.dist in required:
                return "required"
            return "given"

        ordered = sorted(
            providers,
            key=lambda p: (TIERS.index(tier_of(p)), not p.exact, not p.reached, p.wheel.name),
        )
        if ordered:
            tier = tier_of(ordered[0])
            answering = tuple(p for p in ordered if tier_of(p) == tier)
            return Resolution(
                wheel, binary, arch_slice, dependency, tier, answering, tuple(ordered)
            )
        platform = platform_libs.provided_by_platform(
            binary.format, dependency.name, wheel.platform_tags
        )
        tier_left: Tier = "platform" if platform else ("unknown" if platform is None else "missing")
        return Resolution(wheel, binary, arch_slice, dependency, tier_left, (), ())

    def resolutions(self, wheel: Wheel, binary: BinaryInfo) -> list[Resolution]:
        """Every dependency entry of every architecture slice of ``binary``, answered."""
        return [
            self.resolve(wheel, binary, arch_slice, dependency)
            for arch_slice in binary.slices
            for dependency in arch_slice.dependencies
        ]

    def closure(
        self, roots: Iterable[tuple[Wheel, BinaryInfo]]
    ) -> dict[BinaryKey, tuple[Wheel, BinaryInfo]]:
        """``roots`` and every file the loader maps for them: each entry answered by the
        first tier of wheels, then that file's own entries, transitively."""
        seen: dict[BinaryKey, tuple[Wheel, BinaryInfo]] = {}
        pending = list(roots)
        while pending:
            wheel, binary = pending.pop()
            key = (wheel.path, binary.path)
            if key in seen:
                continue
            seen[key] = (wheel, binary)
            for resolution in self.resolutions(wheel, binary):
                for provider in resolution.providers[:1]:
                    pending.append((provider.wheel, provider.binary))
        return seen


def _compared_key(fmt: BinaryFormat, name: str) -> str:
    """A loader key as its loader compares it: DLL base names ignore case and directory."""
    if fmt == "pe":
        return names.base_name(name).lower()
    return name
