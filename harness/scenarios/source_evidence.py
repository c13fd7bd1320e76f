"""Evidence only a build from source has: read from the installed binary and its build log.

An sdist is built at install time with no repair tool afterwards, so what its consumer
binary says about finding the producer is what the build system wrote. Per cell, for the
extension module a scenario installed from its sdist:

- its run-time search path (``DT_RPATH`` / ``DT_RUNPATH``, ``LC_RPATH``) and the library
  names it needs (``DT_NEEDED``, ``LC_LOAD_DYLIB`` install names);
- every absolute path written in the file that points into a frontend's temporary build
  environment which no longer exists (:func:`harness.inspect.build_env.vanished`);
- the producer file its build linked against (the build log's ``links against`` line,
  kept by :mod:`harness.envs.source_builds`), to compare with the file the probe saw
  loaded at run time.

The sdist scenarios' ``test_sdist_*_evidence.py`` checks assert on this.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from harness.envs.layout import Layout
from harness.envs.source_builds import recorded
from harness.inspect import readers
from harness.inspect.build_env import embedded_paths, in_build_env, vanished
from harness.scenarios.observed import Observed


@dataclass(frozen=True)
class SourceBuild:
    """What one extension built from an sdist says about its producer."""

    binary: Path
    rpaths: tuple[str, ...]
    needed: tuple[str, ...]
    dangling: tuple[str, ...]
    """Absolute paths inside the binary into build environments that are gone."""
    linked_against: tuple[str, ...]
    """The producer files its build linked (from the build log; several sdists' builds in
    the layout are all listed)."""

    @property
    def linked_in_build_env(self) -> bool:
        """Whether every producer file the build linked lay in a temporary build env."""
        return bool(self.linked_against) and all(map(in_build_env, self.linked_against))


def extension_of(layout: Layout, package: str) -> Path:
    """The one extension module file of ``package`` in any of the layout's locations."""
    found = sorted(
        {
            path.resolve()
            for directory in layout.locations.values()
            for pattern in ("*.so", "*.pyd")
            for path in (directory / package).glob(pattern)
        }
    )
    if len(found) != 1:
        raise AssertionError(f"expected one extension of {package!r} in the layout, got {found}")
    return found[0]


_Facts = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]


def _read_binary(binary: Path) -> _Facts | None:
    """``(rpaths, needed, dangling)`` of one installed binary (see :class:`SourceBuild`);
    ``None`` for a file the lint's readers do not take for a binary."""
    data = binary.read_bytes()
    fmt = readers.detect(data[: readers.HEAD_SIZE])
    if fmt is None:
        return None
    info = readers.read(fmt, binary.name, io.BytesIO(data), str(binary))
    rpaths = tuple(entry.value for part in info.slices for entry in part.rpaths)
    needed = tuple(dep.name for part in info.slices for dep in part.dependencies)
    return rpaths, needed, tuple(vanished(embedded_paths(data)))


def source_build(layout: Layout, package: str) -> SourceBuild:
    """The evidence of ``package``'s extension as installed in ``layout``."""
    binary = extension_of(layout, package)
    facts = _read_binary(binary)
    if facts is None:
        raise AssertionError(f"{binary} is no binary the lint can read")
    rpaths, needed, dangling = facts
    linked = tuple(str(p) for build in recorded(layout.root) for p in _list(build))
    return SourceBuild(
        binary=binary, rpaths=rpaths, needed=needed, dangling=dangling, linked_against=linked
    )


def _list(build: dict[str, object]) -> list[object]:
    value = build.get("linked_against", [])
    return value if isinstance(value, list) else []


def check_clean_build(layout: Layout, package: str, *, linked_from: str | None) -> SourceBuild:
    """Assert the safe build of a consumer sdist: no RPATH, no path into a vanished build
    environment, and the producer linked at build time from ``linked_from`` (``None``: a
    temporary build environment, deleted since; a location label: that location of this
    layout). Returns the evidence for further checks."""
    build = source_build(layout, package)
    assert build.rpaths == (), build
    assert build.dangling == (), build
    assert build.linked_against, build
    if linked_from is None:
        assert build.linked_in_build_env, build
        assert not any(Path(path).exists() for path in build.linked_against), build
    else:
        where = layout.locations[linked_from]
        assert all(Path(path).is_relative_to(where) for path in build.linked_against), build
    return build


def consumer_check(
    *, linked_from: str | None, loaded_from: str
) -> Callable[[Layout, Observed], None]:
    """The check of a scenario installing ``pyfoo`` from its sdist beside a producer wheel:
    :func:`check_clean_build` (``linked_from``), and libfoo loaded once, from the producer
    wheel's copy in ``loaded_from``. A scenario's ``test_*.py`` binds it to a ``test_``
    name; pytest gives it the cell's fixtures."""

    def check(scenario_layout: Layout, scenario_observed: Observed) -> None:
        build = check_clean_build(scenario_layout, "pyfoo", linked_from=linked_from)
        loaded = [copy.origin for copy in scenario_observed.copies_of("libfoo")]
        assert loaded == [f"{loaded_from}:libfoo/lib/libfoo.so.1"], (loaded, build)
        assert all(path not in build.linked_against for path in loaded)

    return check


BINARY_SUFFIXES = (".so", ".pyd", ".dylib", ".dll")


def _where(layout: Layout, path: str) -> str:
    """``label:relative/path`` for a file in the layout, ``build-env:relative/path`` for one
    in a frontend's temporary build environment (relative to its site-packages: the
    environment's own directory is a random name that is gone), else the path as it is."""
    found = layout.label_of(path)
    if found:
        return f"{found[0]}:{found[1]}"
    if in_build_env(path):
        return "build-env:" + path.rpartition("/site-packages/")[2]
    return path


def _installed_binaries(layout: Layout, location: str, sdist: str) -> list[Path]:
    """The binaries the distribution built from ``sdist`` installed, from its RECORD."""
    directory = layout.locations.get(location)
    if directory is None:
        return []
    dist = sdist.split("-", 1)[0].replace("-", "_").replace(".", "_")
    found: list[Path] = []
    for record in sorted(directory.glob(f"{dist}-*.dist-info/RECORD")):
        for line in record.read_text(encoding="utf-8").splitlines():
            name = line.split(",", 1)[0]
            if name.endswith(BINARY_SUFFIXES) or ".so." in name:
                found.append((directory / name).resolve())
    return [path for path in found if path.is_file()]


def recorded_builds(layout: Layout) -> list[dict[str, object]]:
    """Per source build of the layout, what a reader of the verdict needs: the sdist,
    where and how it was built, the producer files it linked against (by location, or a
    build environment's path), and per installed binary its search path, needed names and
    dangling paths into vanished build environments. Empty for a layout of wheels only."""
    builds = []
    for build in recorded(layout.root):
        sdist, location = str(build.get("sdist", "")), str(build.get("location", ""))
        binaries = []
        for binary in _installed_binaries(layout, location, sdist):
            facts = _read_binary(binary)
            if facts is None:
                continue
            rpaths, needed, dangling = facts
            binaries.append(
                {
                    "binary": _where(layout, str(binary)),
                    "rpaths": [_where(layout, entry) for entry in rpaths],
                    "needed": list(needed),
                    "dangling": [_where(layout, path) for path in dangling],
                }
            )
        builds.append(
            {
                "sdist": sdist,
                "location": location,
                "installer": build.get("installer"),
                "build_isolation": build.get("build_isolation"),
                "linked_against": [_where(layout, str(p)) for p in _list(build)],
                "binaries": binaries,
            }
        )
    return builds
