"""The family under check: its wheels, their requirements, roles, preloads and symbols.

Everything here is read from the wheel files (through :mod:`harness.inspect`); nothing
is installed or imported. Bad input (not a wheel, another platform's wheel, a missing
requirement, no consumer) raises :class:`CheckInputError`, which the command turns
into exit status 2 with the message.
"""

from __future__ import annotations

import email.parser
import hashlib
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import Version

from harness import platforms
from harness.check.preloads import Preload, find_preload
from harness.inspect import BinaryInfo, UnusableInputError
from harness.inspect import elf as inspect_elf
from harness.inspect import links as inspect_links
from harness.inspect import wheel as inspect_wheel
from harness.inspect.names import is_extension_module

SAMPLE_SIZE = 6
"""Exported symbols sampled per producer library for the load-mode evidence."""


class CheckInputError(ValueError):
    """The input cannot be checked; the message names the file or requirement and the fix."""


@dataclass(frozen=True)
class Library:
    """A library a producer ships that a consumer of the family links against."""

    wheel: inspect_wheel.Wheel
    member: str
    install_path: str
    """Where it lands relative to the location (``libfoo/lib/libfoo.so.1``)."""
    file_name: str
    name: str
    """Without suffix and version (``libfoo``): how the evidence counts copies."""
    samples: tuple[str, ...]


@dataclass(frozen=True)
class Family:
    """The checked wheels plus the requirements found for them, with roles settled."""

    wheels: tuple[inspect_wheel.Wheel, ...]
    """Given wheels first, then those found to satisfy requirements."""
    given: frozenset[Path]
    requires: Mapping[Path, tuple[Path, ...]]
    """Wheel -> the wheels its ``Requires-Dist`` resolved to."""
    producers: tuple[inspect_wheel.Wheel, ...]
    consumers: tuple[inspect_wheel.Wheel, ...]
    libraries: tuple[Library, ...]
    links: tuple[inspect_links.Link, ...]
    preloads: Mapping[Path, Preload | None] = field(default_factory=dict)
    python: str = ""

    def by_path(self, path: Path) -> inspect_wheel.Wheel:
        return next(w for w in self.wheels if w.path == path)

    def closure(self, roots: Iterable[inspect_wheel.Wheel]) -> list[inspect_wheel.Wheel]:
        """``roots`` and everything they require, in a stable order."""
        seen: dict[Path, None] = {}
        pending = [w.path for w in roots]
        while pending:
            path = pending.pop(0)
            if path in seen:
                continue
            seen[path] = None
            pending.extend(self.requires.get(path, ()))
        return [w for w in self.wheels if w.path in seen]

    def role(self, wheel: inspect_wheel.Wheel) -> str:
        roles = [
            name
            for name, group in (("producer", self.producers), ("consumer", self.consumers))
            if wheel in group
        ]
        return "+".join(roles) or "dependency"


def wheel_files(paths: Sequence[Path], what: str) -> list[Path]:
    """The ``.whl`` files named or inside the named directories."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(path.glob("*.whl"))
            if not inside:
                raise CheckInputError(f"{what} {path}: directory holds no .whl file")
            found.extend(inside)
        elif path.is_file():
            try:
                parse_wheel_filename(path.name)
            except InvalidWheelFilename as error:
                raise CheckInputError(
                    f"{path}: not a wheel file name ({error}); expected "
                    "<name>-<version>-<python>-<abi>-<platform>.whl"
                ) from None
            found.append(path)
        else:
            raise CheckInputError(f"{what} {path}: no such file or directory")
    return [p.resolve() for p in dict.fromkeys(found)]


def specifiers_of(inputs: Sequence[str]) -> list[tuple[str, Requirement]]:
    """The inputs that are requirement specifiers (``NAME==VERSION``), not paths."""
    found = []
    for text in inputs:
        if Path(text).exists() or text.endswith(".whl") or "/" in text:
            continue
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            raise CheckInputError(
                f"{text}: neither a wheel file, a directory nor a requirement specifier; "
                "give paths to wheels or NAME==VERSION"
            ) from None
        if not requirement.specifier:
            raise CheckInputError(
                f"{text}: no such file, and as a requirement it names no version; "
                f"give {text}==VERSION (or the path to its wheels)"
            )
        found.append((text, requirement))
    return found


_UNREACHABLE = re.compile(
    r"(NewConnectionError|Max retries exceeded|Could not fetch URL|Connection refused|"
    r"Temporary failure in name resolution|Network is unreachable|timed out)",
    re.IGNORECASE,
)


def download_family(requirements: Sequence[Requirement], python: str, cache: Path) -> Path:
    """``pip download`` the requirements with their dependencies (binary wheels for
    ``python`` on this machine) into a directory of the work dir's cache, reused when the
    same specifiers were fetched before."""
    key = hashlib.sha256(
        "\n".join([python, *sorted(str(r) for r in requirements)]).encode()
    ).hexdigest()[:16]
    directory = cache / "check-families" / key
    if (directory / ".complete").is_file():
        return directory
    partial = directory.with_name(f"{key}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check"]
    command += ["--only-binary=:all:", "--python-version", python, "--dest", str(partial)]
    command += ["--retries", "1", "--timeout", "20", "--no-cache-dir"]  # nothing outside
    done = subprocess.run(
        [*command, *map(str, requirements)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        shutil.rmtree(partial, ignore_errors=True)
        text = done.stderr.strip()
        last = (text.splitlines() or ["(no output)"])[-1]
        shown = " ".join(str(r) for r in requirements)
        unreachable = [line for line in text.splitlines() if _UNREACHABLE.search(line)]
        if unreachable:
            raise CheckInputError(
                f"{shown}: the package index cannot be reached ({unreachable[0][:160]}); check the "
                "network or the index (PIP_INDEX_URL / pip.conf), or pass the wheels as files"
            )
        raise CheckInputError(
            f"{shown}: cannot be resolved to wheels for Python {python} on this machine "
            f"({last[:160]}); check the names and versions, or pass --python"
        )
    shutil.rmtree(directory, ignore_errors=True)
    partial.rename(directory)
    (directory / ".complete").write_text("")
    return directory


def _load(path: Path) -> inspect_wheel.Wheel:
    try:
        return inspect_wheel.load(path)
    except UnusableInputError as error:
        raise CheckInputError(str(error)) from None


def python_tags(path: Path) -> set[str]:
    _name, _version, _build, tags = parse_wheel_filename(path.name)
    return {f"{tag.interpreter}-{tag.abi}" for tag in tags}


def runs_on(path: Path, version: str) -> bool:
    """Whether a wheel's python tags accept CPython ``version`` (``3.12``)."""
    major, minor = (int(part) for part in version.split(".")[:2])
    _name, _v, _build, tags = parse_wheel_filename(path.name)
    for tag in tags:
        interpreter = tag.interpreter
        if interpreter in ("py3", f"py{major}{minor}", "py2.py3"):
            return True
        match = re.fullmatch(r"cp(\d)(\d+)", interpreter)
        if match is None:
            continue
        wanted = (int(match.group(1)), int(match.group(2)))
        if wanted == (major, minor) or (tag.abi == "abi3" and wanted <= (major, minor)):
            return True
    return False


def default_python(paths: Sequence[Path]) -> str | None:
    """The CPython version the version-specific wheels are built for (``None``: any)."""
    versions: list[str] = []
    for path in paths:
        _name, _v, _build, tags = parse_wheel_filename(path.name)
        for tag in tags:
            match = re.fullmatch(r"cp(\d)(\d+)", tag.interpreter)
            if match and tag.abi != "abi3":
                versions.append(f"{match.group(1)}.{match.group(2)}")
    return versions[0] if versions else None


def _requirements(path: Path, python: str) -> list[Requirement]:
    """``Requires-Dist`` entries that apply to ``python`` on this machine (no extras)."""
    dist = canonicalize_name(parse_wheel_filename(path.name)[0])
    with zipfile.ZipFile(path) as archive:
        names = [
            n
            for n in archive.namelist()
            if n.count("/") == 1
            and n.endswith(".dist-info/METADATA")
            and canonicalize_name(n.split("-", 1)[0]) == dist
        ]
        text = archive.read(names[0]).decode("utf-8", "replace")
    message = email.parser.Parser().parsestr(text, headersonly=True)
    environment: dict[str, str] = {
        **{key: str(value) for key, value in default_environment().items()},
        "python_version": python,
        "python_full_version": f"{python}.0",
        "extra": "",
    }
    result = []
    for line in message.get_all("Requires-Dist") or []:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        if requirement.marker is None or requirement.marker.evaluate(environment):
            result.append(requirement)
    return result


def _pick(
    requirement: Requirement, pool: Sequence[inspect_wheel.Wheel], given: frozenset[Path]
) -> inspect_wheel.Wheel | None:
    name = canonicalize_name(requirement.name)
    fits = [
        w
        for w in pool
        if w.dist == name and requirement.specifier.contains(Version(w.version), prereleases=True)
    ]
    fits.sort(key=lambda w: (w.path in given, Version(w.version)), reverse=True)
    return fits[0] if fits else None


def download(requirement: Requirement, python: str, directory: Path) -> Path:
    """``pip download`` one binary wheel for ``python`` from the configured index."""
    directory.mkdir(parents=True, exist_ok=True)
    before = set(directory.glob("*.whl"))
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--no-deps",
        "--only-binary=:all:",
        "--python-version",
        python,
        "--dest",
        str(directory),
        str(Requirement(f"{requirement.name}{requirement.specifier}")),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise CheckInputError(
            f"requirement {requirement}: `pip download` found no wheel for Python {python}: {tail}"
        )
    name = canonicalize_name(requirement.name)
    fresh = [p for p in set(directory.glob("*.whl")) - before] or [
        p for p in directory.glob("*.whl") if canonicalize_name(p.name.split("-")[0]) == name
    ]
    if not fresh:
        raise CheckInputError(f"requirement {requirement}: pip download left no wheel")
    return sorted(fresh)[0].resolve()


def resolve(
    given_paths: Sequence[Path],
    find_links: Sequence[Path],
    python: str,
    *,
    index_dir: Path | None = None,
) -> tuple[list[inspect_wheel.Wheel], frozenset[Path], dict[Path, tuple[Path, ...]]]:
    """Read the given wheels, check them for this machine, resolve their requirements."""
    here = platforms.current().name
    loaded = [_load(path) for path in given_paths]

    def fits(wheel: inspect_wheel.Wheel) -> bool:
        return wheel.platform in ("any", here) and runs_on(wheel.path, python)

    # a release's dist/ holds every platform and Python: those of another are skipped
    # when the distribution has a wheel for this machine and this Python
    fitting = {wheel.dist for wheel in loaded if fits(wheel)}
    given_wheels = []
    seen: dict[str, inspect_wheel.Wheel] = {}
    for wheel in loaded:
        if wheel.dist in fitting and not fits(wheel):
            continue
        if wheel.platform not in ("any", here):
            raise CheckInputError(
                f"{wheel.path}: a wheel for {wheel.platform}, but this machine runs {here}; "
                f"check it on {wheel.platform} (or pass this machine's wheels)"
            )
        if not runs_on(wheel.path, python):
            raise CheckInputError(
                f"{wheel.path}: its python tags ({', '.join(sorted(python_tags(wheel.path)))}) "
                f"do not accept Python {python}; pass --python with a version it is built for"
            )
        other = seen.get(wheel.dist)
        if other is not None:
            raise CheckInputError(
                f"two wheels of {wheel.dist!r} given: {other.path.name} and {wheel.path.name}; "
                "pass one (put alternatives in a --find-links directory)"
            )
        seen[wheel.dist] = wheel
        given_wheels.append(wheel)
    given = frozenset(w.path for w in given_wheels)
    pool = list(given_wheels)
    for path in wheel_files(find_links, "--find-links"):
        if path in given:
            continue
        try:
            candidate = inspect_wheel.load(path)
        except UnusableInputError:
            continue  # a find-links directory may hold anything; only usable wheels count
        if candidate.platform in ("any", here) and runs_on(path, python):
            pool.append(candidate)
    chosen: list[inspect_wheel.Wheel] = list(given_wheels)
    requires: dict[Path, tuple[Path, ...]] = {}
    pending = list(given_wheels)
    while pending:
        wheel = pending.pop(0)
        found: list[Path] = []
        for requirement in _requirements(wheel.path, python):
            match = _pick(requirement, chosen, given) or _pick(requirement, pool, given)
            if match is None and index_dir is not None:
                match = _load(download(requirement, python, index_dir))
                pool.append(match)
            if match is None:
                raise CheckInputError(
                    f"{wheel.path.name} requires {requirement}, which no given wheel "
                    "satisfies; pass its wheel too, a --find-links directory holding it, "
                    "or --index to download it"
                )
            found.append(match.path)
            if match not in chosen:
                chosen.append(match)
                pending.append(match)
        requires[wheel.path] = tuple(found)
    return chosen, given, requires


def parse_preload(text: str) -> Preload:
    """``--preload MODULE[:FUNCTION]``."""
    module, _, function = text.partition(":")
    dotted = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
    if not dotted.fullmatch(module) or (function and not dotted.fullmatch(function)):
        raise CheckInputError(
            f"--preload {text!r}: write MODULE or MODULE:FUNCTION (e.g. libfoo:loader.load)"
        )
    if function:
        return Preload("given", call=f"{module}.{function}")
    return Preload("given", module=module)


def sample_symbols(wheel: inspect_wheel.Wheel, member: str) -> tuple[str, ...]:
    """A few functions and objects the library itself exports (from its ``.dynsym``)."""
    with zipfile.ZipFile(wheel.path) as archive:
        data = archive.read(member)
    if not data.startswith(inspect_elf.MAGIC):
        return ()  # Mach-O and PE: no global namespace to sample (Windows) or not yet read
    try:
        exported = inspect_elf.exported_symbols(member, data)
    except UnusableInputError:
        return ()
    # Public names only: C++ mangled ones, not the implementation's reserved ``_x``.
    names = [name for name in exported if name.startswith("_Z") or not name.startswith("_")]
    if len(names) <= SAMPLE_SIZE:
        return tuple(names)
    step = len(names) / SAMPLE_SIZE  # spread over the table, deterministic
    return tuple(names[int(i * step)] for i in range(SAMPLE_SIZE))


_LIBRARY_SUFFIX = re.compile(r"(\.so(\.\d+)*|(\.\d+)*\.dylib|\.dll)$", re.IGNORECASE)


def library_name(file_name: str) -> str:
    """``libfoo.so.1`` -> ``libfoo`` (what scenario library expectations name)."""
    return _LIBRARY_SUFFIX.sub("", file_name) or file_name


def analyse(
    wheels: list[inspect_wheel.Wheel],
    given: frozenset[Path],
    requires: dict[Path, tuple[Path, ...]],
    *,
    producers: Sequence[str] = (),
    consumers: Sequence[str] = (),
    python: str,
) -> Family:
    """Roles from the binaries (``producers``/``consumers`` name distributions to add)."""
    roles = _stated_roles(wheels, producers, consumers)
    if not any(wheel.binaries for wheel in wheels):
        raise CheckInputError(
            "no binary in the family: "
            + ", ".join(w.path.name for w in wheels)
            + " ship no shared library or extension module; give the wheels that do "
            "(the producer and its consumers)"
        )
    graph = inspect_links.build(wheels, roles)
    # a consumer that links its own vendored copy of a producer's library is still one of
    # the family (the copies check is what judges it), and that producer still a producer
    via_copy = [link for link in graph.links if link.via_copy]
    consumer_paths = graph.consumers | {link.consumer.path for link in via_copy}
    producer_paths = graph.producers | {link.library.wheel.path for link in via_copy}
    consumer_wheels = tuple(w for w in wheels if w.path in consumer_paths)
    producer_wheels = tuple(w for w in wheels if w.path in producer_paths)
    if not consumer_wheels:
        raise CheckInputError(
            "no consumer found: no binary of "
            + ", ".join(w.path.name for w in wheels if w.path in given)
            + " depends on a library another of the wheels ships; pass the producer "
            "and its consumers together, or name them with --producer/--consumer"
        )
    if not producer_wheels:
        raise CheckInputError(
            "no producer found: the consumers link against no library of the given wheels; "
            "pass the producer wheel too, or name it with --producer"
        )
    return Family(
        wheels=tuple(wheels),
        given=given,
        requires=requires,
        producers=producer_wheels,
        consumers=consumer_wheels,
        libraries=_libraries(graph, producer_wheels),
        links=graph.links,
        preloads={w.path: find_preload(w) for w in producer_wheels},
        python=python,
    )


def _stated_roles(
    wheels: list[inspect_wheel.Wheel], producers: Sequence[str], consumers: Sequence[str]
) -> dict[Path, inspect_links.Role]:
    """The roles ``--producer``/``--consumer`` state, by wheel path."""
    by_dist = {w.dist: w for w in wheels}
    roles: dict[Path, inspect_links.Role] = {}
    for names, role in ((producers, "producer"), (consumers, "consumer")):
        for name in names:
            wheel = by_dist.get(canonicalize_name(name))
            if wheel is None:
                raise CheckInputError(
                    f"--{role} {name!r}: no such distribution among the wheels "
                    f"({', '.join(sorted(by_dist))})"
                )
            roles[wheel.path] = role  # type: ignore[assignment]
    return roles


def _libraries(
    graph: inspect_links.Graph, producer_wheels: Sequence[inspect_wheel.Wheel]
) -> tuple[Library, ...]:
    """The producer libraries the consumers link, plus every library a producer without
    links ships (its role was stated)."""
    linked: dict[tuple[Path, str], Library] = {}
    for link in _chosen_links(graph.links):
        produced = link.library
        key = (produced.wheel.path, produced.binary.path)
        if key not in linked:
            found = _library(produced.wheel, produced.binary)
            if found is not None:
                linked[key] = found
    for wheel in producer_wheels:
        if any(lib.wheel is wheel for lib in linked.values()):
            continue
        for produced in graph.produced_by(wheel):
            found = _library(wheel, produced.binary) if produced.binary.is_library else None
            if found is not None:
                linked[(wheel.path, produced.binary.path)] = found
    return tuple(linked.values())


def _library(wheel: inspect_wheel.Wheel, binary: BinaryInfo) -> Library | None:
    """``binary`` of ``wheel`` as a family library, None when it installs nowhere."""
    install_path = wheel.install_path(binary.path)
    if install_path is None:
        return None
    return Library(
        wheel=wheel,
        member=binary.path,
        install_path=install_path,
        file_name=binary.file_name,
        name=library_name(binary.file_name),
        samples=sample_symbols(wheel, binary.path),
    )


def _chosen_links(links: Sequence[inspect_links.Link]) -> list[inspect_links.Link]:
    """One library per dependency entry: the file the loader looks for by that name (a
    wheel may ship ``libx.so``, ``libx.so.1`` and ``libx.so.1.0`` as identical copies)."""
    groups: dict[tuple[Path, str, str], list[inspect_links.Link]] = {}
    for link in links:
        key = (link.consumer.path, link.binary.path, link.dependency.name)
        groups.setdefault(key, []).append(link)
    chosen = []
    for group in groups.values():
        wanted = group[0].dependency.name.rsplit("/", 1)[-1]
        named = [link for link in group if link.library.binary.file_name == wanted]
        exact = [link for link in group if link.exact]
        chosen.append((named or exact or group)[0])
    return chosen


def _canonical_binaries(binaries: Sequence[BinaryInfo]) -> list[BinaryInfo]:
    """Binaries without the identical copies a wheel ships under other names: one per
    own name (SONAME), preferring the file named like it."""
    by_name: dict[str, BinaryInfo] = {}
    for binary in binaries:
        own = next((s.own_name for s in binary.slices if s.own_name), None) or binary.path
        current = by_name.get(own)
        if current is None or (binary.file_name == own and current.file_name != own):
            by_name[own] = binary
    return list(by_name.values())


def module_name(install_path: str) -> str:
    """``pyfoo/_pyfoo.cpython-312-x86_64-linux-gnu.so`` -> ``pyfoo._pyfoo``."""
    parts = install_path.split("/")
    parts[-1] = parts[-1].split(".", 1)[0]
    return ".".join(parts)


def entry_points(family: Family) -> list[tuple[str, str, inspect_wheel.Wheel]]:
    """The default steps: ``("import", module, wheel)`` for each consumer extension module
    that links a producer library, else ``("load", install path, wheel)`` for its libraries."""
    found: dict[tuple[str, str], inspect_wheel.Wheel] = {}
    for consumer in family.consumers:
        own = [link for link in family.links if link.consumer is consumer]
        extensions = [link.binary for link in own if is_extension_module(link.binary)]
        binaries = _canonical_binaries(extensions or [link.binary for link in own])
        for binary in binaries:
            path = consumer.install_path(binary.path)
            if path is None:
                continue
            if is_extension_module(binary):
                found.setdefault(("import", module_name(path)), consumer)
            else:
                found.setdefault(("load", path), consumer)
    return [(kind, target, wheel) for (kind, target), wheel in found.items()]
