"""The rpath rules (SLI005, SLI006): where each rpath entry of a binary leads once installed.

Registered with the other rules when :mod:`harness.inspect.rules` is imported.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from . import names
from .findings import Failure, rule
from .links import Graph
from .resolve import rpath_anchor
from .wheel import Wheel, resolve_in_tree


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
                    if rpath_anchor(binary, entry.value) is not None:
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


def _foreign_files(graph: Graph, wheel: Wheel, target: str, asked: set[str]) -> list[str]:
    """``target/<name>`` files other distributions own (by their RECORD), for the names
    the binary asks for, when ``wheel`` owns no file of that name there."""
    found = []
    for name in sorted(asked):
        path = f"{target}/{name}"
        if path in wheel.installed_files:
            continue
        owners = sorted({w.dist for w in graph.owners_of(path) if w.dist != wheel.dist})
        if owners:
            found.append(f"{path} of distribution {', '.join(owners)}")
    return found


@rule(
    "SLI006",
    "rpath-into-other-distribution",
    "warning",
    "an rpath reaches files another distribution owns (works only in one shared site dir)",
)
def rpath_into_other_distribution(graph: Graph) -> Iterator[Failure]:
    """Ownership comes from each wheel's RECORD, not from directory names: namespace
    directories (``nvidia/``, ``cmeel.prefix/lib``) hold files of many distributions."""
    for wheel in graph.wheels:
        for binary in wheel.binaries:
            installed = wheel.install_path(binary.path)
            if installed is None:
                continue
            for arch_slice in binary.slices:
                asked = set()
                for dependency in arch_slice.dependencies:
                    base = names.base_name(dependency.name)
                    if binary.format == "elf" and "/" not in dependency.name:
                        asked.add(base)
                    elif dependency.name.startswith("@rpath/"):
                        asked.add(dependency.name.removeprefix("@rpath/"))
                for entry in arch_slice.rpaths:
                    anchor = rpath_anchor(binary, entry.value)
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
                    if target.split("/", 1)[0] == "..":
                        yield (
                            wheel,
                            label,
                            f"{entry.kind} {entry.value!r} leaves site-packages ({target})",
                        )
                        continue
                    foreign = _foreign_files(graph, wheel, target, asked)
                    if foreign:
                        yield (
                            wheel,
                            label,
                            f"{entry.kind} {entry.value!r} reaches {'; '.join(foreign)}: "
                            "found only when both share one site dir",
                        )
                    elif not any(
                        d == target or d.startswith(target + "/") for d in wheel.installed_dirs
                    ):
                        owners = sorted(
                            {
                                w.dist
                                for w in graph.wheels
                                if w.dist != wheel.dist
                                and any(
                                    d == target or d.startswith(target + "/")
                                    for d in w.installed_dirs
                                )
                            }
                        )
                        whose = f"distribution {', '.join(owners)}" if owners else "no wheel given"
                        yield (
                            wheel,
                            label,
                            f"{entry.kind} {entry.value!r} points into {target}/ "
                            f"({whose}), which this wheel does not install: found only when "
                            "both share one site dir",
                        )
