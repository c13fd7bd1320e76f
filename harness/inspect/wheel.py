"""A wheel as the rules see it: name, platform, declared dependencies, files, binaries.

Everything is read from the zip in memory; nothing is extracted to disk.
"""

from __future__ import annotations

import csv
import dataclasses
import email.parser
import functools
import io
import lzma
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from . import names, readers, stream
from .binary import BinaryInfo, UnusableInputError

WheelPlatform = Literal["linux", "macos", "windows", "any", "other"]

_DATA_TO_SITE = ("purelib", "platlib")
_COMPRESSIONS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_MEMBER_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    RuntimeError,
    NotImplementedError,
    ValueError,
)
"""What zipfile raises for a member it cannot inflate (corrupt data, bad CRC, truncation)."""


@dataclass(frozen=True, eq=False)
class Wheel:
    """One wheel file, read once (compared by identity: each file is loaded once)."""

    path: Path
    dist: str
    """Distribution name normalised per PEP 503."""
    version: str
    platform: WheelPlatform
    platform_tags: frozenset[str]
    """The platform parts of the wheel's tags (``manylinux_2_28_x86_64``, ``win_amd64``)."""
    requires: frozenset[str]
    """PEP 503 names of unconditional (non-extra) ``Requires-Dist`` entries."""
    members: tuple[str, ...]
    """Member paths with safe names (see :func:`unsafe_reason`)."""
    record: tuple[str, ...]
    """Paths the wheel's ``RECORD`` lists: the files this distribution owns once installed."""
    unsafe_members: tuple[tuple[str, str], ...]
    """(member name, why it is unsafe): never parsed, reported by a rule."""
    binaries: tuple[BinaryInfo, ...]
    """Parsed binaries, one per set of identical copies (see ``copies``)."""
    copies: dict[str, tuple[str, ...]] = field(repr=False)
    """Binary path -> the other members with the same bytes in the same directory."""
    texts: dict[str, str] = field(repr=False)
    """Decoded Python sources (``.py`` members up to 1 MiB), by member path."""

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

    def data_path(self, member: str) -> str | None:
        """Where a ``<dist>.data/data/...`` member lands relative to site-packages on a POSIX
        prefix (``<prefix>/lib/pythonX.Y/site-packages``): ``data/lib/libx.so`` is
        ``<prefix>/lib/libx.so``, that is ``../../libx.so``. ``None`` for other members."""
        first, _, rest = member.partition("/")
        scheme, _, inside = rest.partition("/")
        if not first.endswith(".data") or scheme != "data" or not inside:
            return None
        if inside.startswith("lib/"):
            return resolve_in_tree("../..", inside.removeprefix("lib/"))
        return resolve_in_tree("../../..", inside)

    @property
    def top_level_names(self) -> frozenset[str]:
        """First path components this wheel installs into site-packages."""
        found = set()
        for member in self.members:
            installed = self.install_path(member)
            if installed:
                found.add(installed.split("/", 1)[0])
        return frozenset(found)

    @functools.cached_property
    def installed_files(self) -> frozenset[str]:
        """Site-packages-relative paths of the files this distribution owns (from RECORD)."""
        found = set()
        for member in self.record:
            installed = self.install_path(member)
            if installed:
                found.add(posixpath.normpath(installed))
        return frozenset(found)

    @functools.cached_property
    def installed_dirs(self) -> frozenset[str]:
        """Every directory holding at least one file this distribution owns."""
        return frozenset(posixpath.dirname(f) for f in self.installed_files)

    @property
    def libc(self) -> Literal["glibc", "musl"] | None:
        """The C library a Linux wheel's tag promises (``manylinux``: glibc)."""
        if any(t.startswith("musllinux") for t in self.platform_tags):
            return "musl"
        if any(t.startswith(("manylinux", "linux")) for t in self.platform_tags):
            return "glibc"
        return None

    def binary_paths(self, binary: BinaryInfo) -> tuple[str, ...]:
        """The binary's member path and those of its identical copies."""
        return (binary.path, *self.copies.get(binary.path, ()))

    @functools.cached_property
    def binary_file_names(self) -> frozenset[str]:
        """File names (any case kept) of every library-named member, copies included."""
        return frozenset(posixpath.basename(p) for b in self.binaries for p in self.binary_paths(b))


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


_DANGEROUS_NAME = re.compile(r"^([A-Za-z]:|[/\\])")


def unsafe_reason(member: str) -> str | None:
    """Why a member name would write outside the install directory (zip slip), if it would."""
    if _DANGEROUS_NAME.match(member):
        return "is an absolute path"
    if "\\" in member:
        return "contains a backslash, a directory separator on Windows"
    if "\x00" in member:
        return "contains a NUL character"
    if ".." in member.split("/"):
        return "has a '..' component"
    return None


def _check_member(info: zipfile.ZipInfo, wheel: Path) -> None:
    """Refuse members no installer can read, naming wheel and member."""
    if info.flag_bits & 0x1:
        raise UnusableInputError(
            f"{wheel}: member {info.filename} is encrypted; installers cannot read it, "
            "rebuild the wheel without encryption"
        )
    if info.compress_type not in _COMPRESSIONS:
        raise UnusableInputError(
            f"{wheel}: member {info.filename} uses zip compression method "
            f"{info.compress_type}, which installers cannot read; rebuild the wheel with "
            "deflate (method 8)"
        )


def _read_error(wheel: Path, member: str, error: BaseException) -> UnusableInputError:
    return UnusableInputError(
        f"{wheel}: member {member} cannot be read ({type(error).__name__}: {error}); "
        "the wheel is corrupt or truncated"
    )


def _read_text(archive: zipfile.ZipFile, info: zipfile.ZipInfo, wheel: Path) -> str | None:
    try:
        return stream.read_capped(archive, info, stream.TEXT_LIMIT).decode("utf-8", "replace")
    except stream.MemberTooLargeError:
        return None
    except _MEMBER_ERRORS as error:
        raise _read_error(wheel, info.filename, error) from error


def _read_binaries(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], wheel: Path
) -> tuple[list[BinaryInfo], dict[str, tuple[str, ...]]]:
    """Parse every member named like a library or extension, each identical copy once.

    Wheels cannot hold symlinks, so ``libucs.so``, ``libucs.so.0`` and
    ``libucs.so.0.0.0`` arrive as three regular files with one content; they are
    grouped by directory, size and CRC, parsed once, and reported under the name the
    library's own name points at (the copies are kept in the returned mapping).
    """
    groups: dict[tuple[str, int, int], list[zipfile.ZipInfo]] = {}
    for info in infos:
        member = info.filename
        if member.endswith("/") or ".dist-info/" in member:
            continue
        if not readers.looks_like_library(member):
            continue
        key = (posixpath.dirname(member), info.file_size, info.CRC)
        groups.setdefault(key, []).append(info)
    binaries: list[BinaryInfo] = []
    copies: dict[str, tuple[str, ...]] = {}
    for group in groups.values():
        first = group[0]
        member = first.filename
        try:
            with archive.open(first) as handle:
                head = handle.read(readers.HEAD_SIZE)
            fmt = readers.detect(head)
            if fmt is None:
                if not readers.is_linker_script(head):
                    raise UnusableInputError(
                        f"{wheel}: {member} is named like a shared library but is not ELF, "
                        f"Mach-O or PE (starts with {head[:16]!r}); remove it or fix the build"
                    )
                continue
            with stream.open_member(archive, first) as handle:
                binary = readers.read(fmt, member, handle, str(wheel))
        except UnusableInputError:
            raise
        except _MEMBER_ERRORS as error:
            raise _read_error(wheel, member, error) from error
        names_in_group = [i.filename for i in group]
        canonical = member
        own_names = {names.base_name(s.own_name) for s in binary.slices if s.own_name}
        for name in names_in_group:
            if posixpath.basename(name) in own_names:
                canonical = name
                break
        if canonical != member:
            binary = dataclasses.replace(binary, path=canonical)
        binaries.append(binary)
        others = tuple(n for n in names_in_group if n != canonical)
        if others:
            copies[canonical] = others
    return binaries, copies


def _record_paths(text: str) -> list[str]:
    rows = csv.reader(io.StringIO(text))
    return [row[0] for row in rows if row and row[0]]


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
        archive = zipfile.ZipFile(path)
    except UnicodeDecodeError as error:
        raw = bytes(error.object)
        raise UnusableInputError(
            f"{path}: member {raw.decode('utf-8', 'backslashreplace')!r} is flagged as a UTF-8 "
            "name but is not valid UTF-8; installers cannot read it, rebuild the wheel"
        ) from error
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError) as error:
        raise UnusableInputError(f"{path}: not a readable zip archive ({error})") from error
    with archive:
        infos = archive.infolist()
        unsafe: list[tuple[str, str]] = []
        safe: list[zipfile.ZipInfo] = []
        for info in infos:
            _check_member(info, path)
            reason = unsafe_reason(info.filename)
            if reason is None:
                safe.append(info)
            else:
                unsafe.append((info.filename, reason))
        members = [i.filename for i in safe]
        by_name = {i.filename: i for i in safe}
        metadata_member = _metadata_member(members, dist, path)
        metadata = _read_text(archive, by_name[metadata_member], path) or ""
        record_member = metadata_member.rsplit("/", 1)[0] + "/RECORD"
        record_text = (
            _read_text(archive, by_name[record_member], path) if record_member in by_name else None
        )
        record = _record_paths(record_text) if record_text else members
        texts: dict[str, str] = {}
        for info in safe:
            if info.filename.endswith(".py") and ".dist-info/" not in info.filename:
                text = _read_text(archive, info, path)
                if text is not None:
                    texts[info.filename] = text
        binaries, copies = _read_binaries(archive, safe, path)
    platform_tags = frozenset(str(getattr(tag, "platform", "")) for tag in tags)
    return Wheel(
        path=path,
        dist=str(dist),
        version=str(version),
        platform=_platform(frozenset(tags)),
        platform_tags=platform_tags,
        requires=_requires(metadata),
        members=tuple(members),
        record=tuple(r for r in record if unsafe_reason(r) is None),
        unsafe_members=tuple(unsafe),
        binaries=tuple(binaries),
        copies=copies,
        texts=texts,
    )


def resolve_in_tree(directory: str, relative: str) -> str:
    """Normalise ``directory/relative`` (``/``-separated, may start with ``..``)."""
    return posixpath.normpath(posixpath.join(directory, relative))
