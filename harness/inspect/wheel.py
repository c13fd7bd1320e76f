"""A wheel as the rules see it: name, platform, declared dependencies, files, binaries.

Everything is read from the zip in memory; nothing is extracted to disk.
"""

from __future__ import annotations

import email.parser
import posixpath
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from . import readers
from .binary import BinaryInfo, UnusableInputError

WheelPlatform = Literal["linux", "macos", "windows", "any", "other"]

_DATA_TO_SITE = ("purelib", "platlib")


@dataclass(frozen=True, eq=False)
class Wheel:
    """One wheel file, read once (compared by identity: each file is loaded once)."""

    path: Path
    dist: str
    """Distribution name normalised per PEP 503."""
    version: str
    platform: WheelPlatform
    requires: frozenset[str]
    """PEP 503 names of unconditional (non-extra) ``Requires-Dist`` entries."""
    members: tuple[str, ...]
    binaries: tuple[BinaryInfo, ...]
    texts: dict[str, str] = field(repr=False)
    """Decoded top-level package ``__init__.py`` files, by member path."""

    @property
    def name(self) -> str:
        return self.path.name

    def install_path(self, member: str) -> str | None:
        """Where a member lands relative to site-packages; ``None`` outside it.

        ``<dist>.data/purelib|platlib/x`` installs as ``x``; other ``.data`` schemes
        (scripts, headers, data) go elsewhere in the prefix.
        """
        first, _, rest = member.partition("/")
        if first.endswith(".data"):
            scheme, _, inside = rest.partition("/")
            return inside if scheme in _DATA_TO_SITE else None
        return member

    @property
    def top_level_names(self) -> frozenset[str]:
        """First path components this wheel installs into site-packages."""
        names = set()
        for member in self.members:
            installed = self.install_path(member)
            if installed:
                names.add(installed.split("/", 1)[0])
        return frozenset(names)


def _platform(tags: frozenset[object]) -> WheelPlatform:
    platforms = {str(getattr(tag, "platform", "")) for tag in tags}
    if platforms <= {"any"}:
        return "any"
    if any(p.startswith(("manylinux", "musllinux", "linux")) for p in platforms):
        return "linux"
    if any(p.startswith("macosx") for p in platforms):
        return "macos"
    if any(p.startswith("win") for p in platforms):
        return "windows"
    return "other"


def _requires(metadata: str) -> frozenset[str]:
    message = email.parser.Parser().parsestr(metadata, headersonly=True)
    names = set()
    for line in message.get_all("Requires-Dist") or []:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        if requirement.marker is not None and "extra" in str(requirement.marker):
            continue  # only installed with an extra: not a dependency the loader can rely on
        names.add(canonicalize_name(requirement.name))
    return frozenset(names)


def _metadata_member(members: list[str], dist: str, wheel: Path) -> str:
    candidates = [
        m
        for m in members
        if m.count("/") == 1
        and m.endswith(".dist-info/METADATA")
        and canonicalize_name(m.split("-", 1)[0]) == dist
    ]
    if len(candidates) != 1:
        raise UnusableInputError(
            f"{wheel}: expected exactly one <name>-<version>.dist-info/METADATA for "
            f"distribution {dist!r}, found {len(candidates)}; this is not a valid wheel"
        )
    return candidates[0]


def _is_top_level_init(member: str) -> bool:
    return member.count("/") == 1 and member.endswith("/__init__.py")


def _read_binaries(archive: zipfile.ZipFile, members: list[str], wheel: Path) -> list[BinaryInfo]:
    binaries = []
    for member in members:
        if member.endswith("/") or ".dist-info/" in member:
            continue
        with archive.open(member) as handle:
            head = handle.read(readers.HEAD_SIZE)
        fmt = readers.detect(head)
        if fmt is None:
            if readers.looks_like_library(member) and not readers.is_linker_script(head):
                raise UnusableInputError(
                    f"{wheel}: {member} is named like a shared library but is not ELF, "
                    f"Mach-O or PE (starts with {head!r}); remove it or fix the build"
                )
            continue
        binaries.append(readers.read(fmt, member, archive.read(member), str(wheel)))
    return binaries


def load(path: Path) -> Wheel:
    """Open one wheel; raise :class:`UnusableInputError` naming the file when it is unusable."""
    if not path.is_file():
        raise UnusableInputError(f"{path}: no such file")
    try:
        dist, version, _build, tags = parse_wheel_filename(path.name)
    except InvalidWheelFilename as error:
        raise UnusableInputError(
            f"{path}: not a wheel file name ({error}); expected "
            "<name>-<version>-<python>-<abi>-<platform>.whl"
        ) from error
    try:
        with zipfile.ZipFile(path) as archive:
            members = [i.filename for i in archive.infolist()]
            metadata = archive.read(_metadata_member(members, dist, path)).decode(
                "utf-8", "replace"
            )
            texts = {
                m: archive.read(m).decode("utf-8", "replace")
                for m in members
                if _is_top_level_init(m)
            }
            binaries = _read_binaries(archive, members, path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError) as error:
        raise UnusableInputError(f"{path}: not a readable zip archive ({error})") from error
    return Wheel(
        path=path,
        dist=str(dist),
        version=str(version),
        platform=_platform(frozenset(tags)),
        requires=_requires(metadata),
        members=tuple(members),
        binaries=tuple(binaries),
        texts=texts,
    )


def resolve_in_tree(directory: str, relative: str) -> str:
    """Normalise ``directory/relative`` (``/``-separated, may start with ``..``)."""
    return posixpath.normpath(posixpath.join(directory, relative))
