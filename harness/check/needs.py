"""What a cell's steps need: the binaries the steps load and, through the one resolver
``harness lint`` uses, every library those need in that layout (the DT_NEEDED /
``LC_LOAD_DYLIB`` / import-table closure). A cell expects exactly these, each loaded once;
a family library outside the closure is *not exercised*, listed and never failed.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.inspect import names
from harness.inspect.binary import BinaryInfo
from harness.inspect.imports import extensions_loaded_by_import
from harness.inspect.resolve import Resolution, Resolver
from harness.inspect.wheel import Wheel

Node = tuple[Wheel, BinaryInfo]


@dataclass(frozen=True)
class Needed:
    """One library a step needs, with the wheel whose file answers it in this layout."""

    wheel: Wheel
    binary: BinaryInfo
    install_path: str | None
    """Where it lands relative to its location; ``None`` for wheel data outside it."""
    name: str
    """What the evidence counts copies by (``libfoo``: no suffix, version or hash)."""
    ambiguous: tuple[Wheel, ...] = ()
    """Every wheel that ships the name, when there are several."""


def counted_name(file_name: str) -> str:
    """``libfoo-1a2b3c4d.so.1`` -> ``libfoo``: how the evidence counts copies."""
    stem = posixpath.basename(names.unmangled(file_name))
    for suffix in (".dll", ".pyd"):
        if stem.lower().endswith(suffix):
            return stem[: -len(suffix)]
    if ".so" in stem:
        return stem.split(".so", 1)[0]
    if stem.endswith(".dylib"):
        return stem.split(".", 1)[0]
    return stem


def binary_at(wheels: Iterable[Wheel], install_path: str) -> Node | None:
    """The binary a wheel installs at ``install_path`` (a copy's path counts)."""
    for wheel in wheels:
        for binary in wheel.binaries:
            if install_path in {wheel.install_path(p) for p in wheel.binary_paths(binary)}:
                return wheel, binary
    return None


def step_roots(wheels: Sequence[Wheel], imports: Iterable[str], loads: Iterable[str]) -> list[Node]:
    """The binaries the steps map themselves: each ``import`` maps the extension modules
    its package imports at module level (parents first); each ``load`` its file."""
    roots: list[Node] = []
    for module in imports:
        parts = module.split(".")
        for wheel in wheels:
            if parts[0] not in wheel.top_level_names:
                continue
            for depth in range(1, len(parts) + 1):
                dotted = ".".join(parts[:depth])
                roots += [(wheel, b) for b in extensions_loaded_by_import(wheel, dotted)]
    for path in loads:
        found = binary_at(wheels, path)
        if found is not None:
            roots.append(found)
    return list(dict.fromkeys(roots))


class Needs:
    """The closure of a cell's steps in one layout, and the answers that built it."""

    def __init__(
        self,
        wheels: Sequence[Wheel],
        locations: Mapping[Path, str],
        imports: Iterable[str],
        loads: Iterable[str],
    ) -> None:
        self.wheels = tuple(wheels)
        self.resolver = Resolver(self.wheels, locations)
        self.roots = step_roots(self.wheels, imports, loads)
        self.closure = self.resolver.closure(self.roots)

    def resolutions(self) -> list[Resolution]:
        """Every entry of every binary in the closure, answered."""
        return [
            r
            for wheel, binary in self.closure.values()
            for r in self.resolver.resolutions(wheel, binary)
        ]

    def libraries(self) -> list[Needed]:
        """The libraries of the family the steps need (extension modules left out)."""
        found: dict[tuple[Path, str], Needed] = {}
        for resolution in self.resolutions():
            provider = resolution.provider
            if provider is None or names.is_extension_module(provider.binary):
                continue
            key = (provider.wheel.path, provider.binary.path)
            if key in found:
                continue
            found[key] = Needed(
                wheel=provider.wheel,
                binary=provider.binary,
                install_path=provider.installed,
                name=counted_name(provider.binary.file_name),
                ambiguous=resolution.wheels if resolution.ambiguous else (),
            )
        for wheel, binary in self.roots:  # a library a step loads itself
            key = (wheel.path, binary.path)
            if key not in found and not names.is_extension_module(binary):
                found[key] = Needed(
                    wheel, binary, wheel.install_path(binary.path), counted_name(binary.file_name)
                )
        return list(found.values())

    def not_exercised(self, producers: Iterable[Wheel]) -> list[str]:
        """Libraries of the producers that no step needs (``libfoo/lib/libbar.so.1``)."""
        needed = {(n.wheel.path, n.binary.path) for n in self.libraries()}
        return [
            wheel.install_path(binary.path) or binary.path
            for wheel in producers
            for binary in wheel.binaries
            if not names.is_extension_module(binary) and (wheel.path, binary.path) not in needed
        ]


def shared_names(wheels: Sequence[Wheel]) -> dict[str, list[tuple[Wheel, str]]]:
    """Own names (SONAME, install id, DLL name) that several distributions ship, with each
    wheel's file: the family summary lists them, each cell says which copy it used."""
    by_name: dict[str, list[tuple[Wheel, str]]] = {}
    for wheel in wheels:
        for binary in wheel.binaries:
            if names.is_extension_module(binary):
                continue
            for own in {s.own_name for s in binary.slices if s.own_name}:
                key = own.lower() if binary.format == "pe" else own
                entry = (wheel, wheel.install_path(binary.path) or binary.path)
                if entry not in by_name.setdefault(key, []):
                    by_name[key].append(entry)
    return {key: found for key, found in by_name.items() if len({w.dist for w, _ in found}) > 1}
