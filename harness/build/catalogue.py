"""The wheel catalogue: every wheel and prefix the builder makes, as data.

A variant is a project under ``wheels-src/`` plus a few differences (a name, a version,
CMake cache entries, requirements) applied to a staging copy of its ``pyproject.toml``
(see :mod:`harness.build.staging`); no project is ever copied by hand. The ids, names and
versions follow "The wheel catalogue" in docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from harness import platforms

Role = Literal["loader", "producer", "consumer"]

PYPROJECT_OVERRIDE = Mapping[tuple[str, ...], object]


@dataclass(frozen=True)
class Library:
    """A native library by stem and ABI major (``foo``, 1), named per platform on demand."""

    stem: str
    major: int

    def file_name(self, platform: platforms.Platform) -> str:
        return platform.library_file(self.stem, self.major)


@dataclass(frozen=True)
class WheelSpec:
    """One wheel of the catalogue and how to make it from its project."""

    id: str
    project: str
    """Directory under ``wheels-src/``."""
    dist: str
    version: str
    role: Role
    build_requires: tuple[str, ...] = ()
    """Wheel ids the build environment installs (pinned to our files, never an index copy)."""
    requires: tuple[str, ...] = ()
    """Wheel ids the wheel depends on at run time (pinned alongside when it is a build input)."""
    defines: Mapping[str, str] = field(default_factory=dict)
    """CMake cache entries written into the staging ``[tool.scikit-build.cmake.define]``."""
    overrides: PYPROJECT_OVERRIDE = field(default_factory=dict)
    """Other ``pyproject.toml`` keys (as paths) replaced in the staging copy."""
    leave_to_other_wheels: tuple[Library, ...] = ()
    """Libraries the repair tool must not copy in: they belong to producer wheels."""
    repair_search: tuple[str, ...] = ()
    """Build-input wheel ids whose library directories the repair tool may search.

    Normally empty: a producer's library is excluded, so the repair tool never looks for
    it. A variant that forgets the exclude needs the library found at repair time, as a
    real build would through its build environment; the builder unpacks these wheels and
    puts their library directories on the loader search variable of the repair step only
    (``LD_LIBRARY_PATH`` / ``DYLD_LIBRARY_PATH`` / ``PATH``)."""
    expected_lint: frozenset[str] = frozenset()
    """Lint rule ids (``harness lint``) this wheel's deliberate defect must trigger when
    the whole wheelhouse is linted; every other wheel must be clean."""

    @property
    def python_specific(self) -> bool:
        """Consumers are cpXY-cpXY; producers (py3-none-<platform>) and loaders serve every interpreter."""
        return self.role == "consumer"


@dataclass(frozen=True)
class PrefixSpec:
    """A plain CMake install of a project into a prefix (plays a system or conda copy)."""

    id: str
    project: str
    defines: Mapping[str, str]


FOO = Library("foo", 1)
BAR = Library("bar", 1)


def _clash_producer(name: str) -> WheelSpec:
    package = f"libclash{name}"
    return WheelSpec(
        id=package,
        project="libclash",
        dist=package,
        version="1.0",
        role="producer",
        requires=("shared_lib_manager",),
        defines={"CLASH_NAME": name},
        overrides={
            ("project", "name"): package,
            ("project", "entry-points", "cmake.prefix"): {package: package},
        },
    )


def _clash_consumer(name: str) -> WheelSpec:
    producer = f"libclash{name}"
    requirement = f"{producer}>=1.0,<2"
    return WheelSpec(
        id=f"pyclash{name}",
        project="pyclash",
        dist=f"pyclash{name}",
        version="1.0",
        role="consumer",
        build_requires=(producer,),
        requires=(producer, "shared_lib_consumer"),
        defines={"CLASH_NAME": name},
        overrides={
            ("project", "name"): f"pyclash{name}",
            ("build-system", "requires"): ["scikit-build-core>=0.10", requirement],
            ("project", "dependencies"): [requirement, "shared-lib-consumer"],
        },
        leave_to_other_wheels=(Library(f"clash{name}", 1),),
    )


WHEELS: tuple[WheelSpec, ...] = (
    WheelSpec("shared_lib_manager", "shared_lib_manager", "shared-lib-manager", "", "loader"),
    WheelSpec("shared_lib_consumer", "shared_lib_consumer", "shared-lib-consumer", "", "loader"),
    WheelSpec("libfoo", "libfoo", "libfoo", "1.0", "producer", requires=("shared_lib_manager",)),
    WheelSpec(
        "libfoo-nosoname",
        "libfoo",
        "libfoo",
        "1.0+nosoname",
        "producer",
        requires=("shared_lib_manager",),
        defines={"LIBFOO_SONAME": "OFF"},
        overrides={("project", "version"): "1.0+nosoname"},
        expected_lint=frozenset({"SLI001"}),  # no DT_SONAME
    ),
    WheelSpec(
        "libfoo2",
        "libfoo",
        "libfoo",
        "2.0",
        "producer",
        requires=("shared_lib_manager",),
        defines={"LIBFOO_MAJOR": "2"},
        overrides={("project", "version"): "2.0"},
    ),
    WheelSpec(
        "pyfoo",
        "pyfoo",
        "pyfoo",
        "1.0",
        "consumer",
        build_requires=("libfoo",),
        requires=("libfoo", "shared_lib_consumer"),
        leave_to_other_wheels=(FOO,),
    ),
    WheelSpec(
        "pyfoo-twin",
        "pyfoo",
        "pyfoo-twin",
        "1.0",
        "consumer",
        build_requires=("libfoo",),
        requires=("libfoo", "shared_lib_consumer"),
        defines={"PYFOO_MODULE": "pyfoo_twin"},
        overrides={("project", "name"): "pyfoo-twin"},
        leave_to_other_wheels=(FOO,),
    ),
    WheelSpec(
        "pyfoo-rpath",
        "pyfoo",
        "pyfoo-rpath",
        "1.0",
        "consumer",
        build_requires=("libfoo",),
        requires=("libfoo", "shared_lib_consumer"),
        defines={"PYFOO_MODULE": "pyfoo_rpath", "PYFOO_LINK_MODE": "rpath"},
        overrides={("project", "name"): "pyfoo-rpath"},
        leave_to_other_wheels=(FOO,),
        expected_lint=frozenset({"SLI006"}),  # RPATH into ../libfoo/lib of the same site dir
    ),
    WheelSpec(
        "pyfoo-vendored",
        "pyfoo",
        "pyfoo-vendored",
        "1.0",
        "consumer",
        build_requires=("libfoo",),
        requires=("libfoo", "shared_lib_consumer"),
        defines={"PYFOO_MODULE": "pyfoo_vendored"},
        overrides={("project", "name"): "pyfoo-vendored"},
        # The forgotten exclude: no leave_to_other_wheels, so the repair tool copies
        # libfoo in under a new name and points the extension's dependency at the copy.
        repair_search=("libfoo",),
        # SLI004: the private copy; SLI003: the dependency entry no longer equals the
        # producer's SONAME, which is why preloading the producer cannot satisfy it.
        expected_lint=frozenset({"SLI003", "SLI004"}),
    ),
    WheelSpec(
        "pyfoo-nopreload",
        "pyfoo",
        "pyfoo-nopreload",
        "1.0",
        "consumer",
        build_requires=("libfoo",),
        requires=("libfoo", "shared_lib_consumer"),
        defines={"PYFOO_MODULE": "pyfoo_nopreload", "PYFOO_LINK_MODE": "none"},
        overrides={("project", "name"): "pyfoo-nopreload"},
        leave_to_other_wheels=(FOO,),
    ),
    WheelSpec(
        "libbar",
        "libbar",
        "libbar",
        "1.0",
        "producer",
        build_requires=("libfoo",),
        requires=("libfoo", "shared_lib_manager", "shared_lib_consumer"),
        leave_to_other_wheels=(FOO,),
    ),
    WheelSpec(
        "pybar",
        "pybar",
        "pybar",
        "1.0",
        "consumer",
        build_requires=("libbar",),
        requires=("libbar", "shared_lib_consumer"),
        leave_to_other_wheels=(BAR, FOO),
    ),
    _clash_producer("a"),
    _clash_producer("b"),
    _clash_consumer("a"),
    _clash_consumer("b"),
)

PREFIXES: tuple[PrefixSpec, ...] = (
    PrefixSpec("libfoo-system", "libfoo", {"LIBFOO_FLAVOR": "system"}),
)

WHEELS_BY_ID: dict[str, WheelSpec] = {spec.id: spec for spec in WHEELS}
PREFIXES_BY_ID: dict[str, PrefixSpec] = {spec.id: spec for spec in PREFIXES}


class UnknownIdError(KeyError):
    """An id that is neither a wheel nor a prefix of the catalogue."""

    def __str__(self) -> str:
        return str(self.args[0])


def closure(ids: Iterable[str]) -> list[str]:
    """``ids`` plus every wheel they need to build or run, dependencies first (catalogue order)."""
    wanted: set[str] = set()
    pending = list(ids)
    while pending:
        item = pending.pop()
        if item in wanted:
            continue
        if item in PREFIXES_BY_ID:
            wanted.add(item)
            continue
        spec = WHEELS_BY_ID.get(item)
        if spec is None:
            known = ", ".join([*WHEELS_BY_ID, *PREFIXES_BY_ID])
            raise UnknownIdError(f"unknown wheel or prefix id {item!r}; known ids: {known}")
        wanted.add(item)
        pending.extend(spec.build_requires)
        pending.extend(spec.requires)
    order = [spec.id for spec in WHEELS] + [spec.id for spec in PREFIXES]
    return [item for item in order if item in wanted]


def build_inputs(spec: WheelSpec) -> list[str]:
    """Wheel ids that may be installed into ``spec``'s build environment (its build closure)."""
    inputs = closure(spec.build_requires)
    return [item for item in inputs if item in WHEELS_BY_ID]
