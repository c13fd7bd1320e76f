"""The wheel catalogue: every wheel and prefix the builder makes, as data.

A variant is a project under ``wheels-src/`` plus a few differences (a name, a version,
CMake cache entries, requirements) applied to a staging copy of its ``pyproject.toml``
(see :mod:`harness.builder.staging`); no project is ever copied by hand. The ids, names and
versions follow "The wheel catalogue" in docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from harness.platforms import ALL as PLATFORM_FACTS
from harness.platforms import Platform
from harness.vocabulary import OSName

Role = Literal["loader", "producer", "consumer"]

EVERY_PLATFORM: frozenset[OSName] = frozenset(PLATFORM_FACTS)
"""Where a wheel or prefix is built unless its spec says otherwise."""

PYPROJECT_OVERRIDE = Mapping[tuple[str, ...], object]


@dataclass(frozen=True)
class Library:
    """A native library by stem and ABI major (``foo``, 1), named per platform on demand."""

    stem: str
    major: int

    def file_name(self, platform: Platform) -> str:
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
    platforms: frozenset[OSName] = EVERY_PLATFORM
    """Operating systems the wheel is built on. A variant whose defect has no meaning on
    an OS (no SONAME outside ELF, no RPATH on Windows) is left out of that OS's
    wheelhouse instead of failing its build."""
    expected_lint_on: Mapping[OSName, frozenset[str]] = field(default_factory=dict)
    """Per-OS replacement of ``expected_lint`` where the repair tools leave different marks."""
    editable_only: bool = False
    """A project variant scenarios only install editable (``location = "editable"``): never
    built into a wheelhouse. meson-python tags a wheel of a library without extension
    modules cp3XY-cp3XY, not the py3-none of the catalogue's producers."""
    source_only: bool = False
    """A variant scenarios only install from its sdist (``sdists = [...]``): never built
    into a wheelhouse, because its defect is made by the install-time build itself."""

    @property
    def python_specific(self) -> bool:
        """Consumers are cpXY-cpXY; producers (py3-none-<platform>) and loaders serve every interpreter."""
        return self.role == "consumer"

    def built_on(self, platform: Platform) -> bool:
        return not (self.editable_only or self.source_only) and platform.name in self.platforms

    def lint_expected_on(self, platform: Platform) -> frozenset[str]:
        """The rule ids the lint of ``platform``'s wheelhouse must report for this wheel."""
        return self.expected_lint_on.get(platform.name, self.expected_lint)


@dataclass(frozen=True)
class PrefixSpec:
    """A plain CMake install of a project into a prefix (plays a system or conda copy)."""

    id: str
    project: str
    defines: Mapping[str, str]
    platforms: frozenset[OSName] = EVERY_PLATFORM

    def built_on(self, platform: Platform) -> bool:
        return platform.name in self.platforms


FOO = Library("foo", 1)
BAR = Library("bar", 1)


def _pyfoo_variant(
    dist: str,
    link_mode: str | None = None,
    platforms: frozenset[OSName] = EVERY_PLATFORM,
    *,
    source_only: bool = False,
) -> WheelSpec:
    """A variant of the pyfoo consumer: its own distribution and import package
    (``pyfoo-twin`` -> ``pyfoo_twin``), ``PYFOO_LINK_MODE`` when given, libfoo excluded."""
    module = dist.replace("-", "_")
    defines = {"PYFOO_MODULE": module}
    if link_mode is not None:
        defines["PYFOO_LINK_MODE"] = link_mode
    return WheelSpec(
        dist,
        "pyfoo",
        dist,
        "1.0",
        "consumer",
        build_requires=("libfoo",),
        requires=("libfoo", "shared_lib_consumer"),
        defines=defines,
        overrides={("project", "name"): dist},
        leave_to_other_wheels=(FOO,),
        platforms=platforms,
        source_only=source_only,
    )


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


def _meson_producer(wheel_id: str, version: str, setup_args: tuple[str, ...]) -> WheelSpec:
    """libfoo built by meson-python from wheels-src/libfoo/meson.build (the same C source),
    for its editable mode only (scenarios editable-meson-*): the staged pyproject.toml
    names the mesonpy backend, with meson and ninja from the index."""
    overrides: dict[tuple[str, ...], object] = {
        ("project", "version"): version,
        ("build-system", "requires"): ["meson-python>=0.16", "meson>=1.1", "ninja>=1.8.2"],
        ("build-system", "build-backend"): "mesonpy",
    }
    if setup_args:
        overrides["tool", "meson-python", "args", "setup"] = list(setup_args)
    return WheelSpec(
        wheel_id,
        "libfoo",
        "libfoo",
        version,
        "producer",
        requires=("shared_lib_manager",),
        overrides=overrides,
        editable_only=True,
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
        # Only ELF has a library name that can be left out: a Mach-O dylib always has an
        # install id and a DLL is known by its file name (wheels-src/libfoo/CMakeLists.txt).
        platforms=frozenset({"linux"}),
    ),
    WheelSpec(
        "libfoo-nohook",
        "libfoo",
        "libfoo",
        "1.0+nohook",
        "producer",
        requires=("shared_lib_manager",),
        defines={"LIBFOO_PYINSTALLER_HOOK": "OFF"},
        overrides={("project", "version"): "1.0+nohook"},
        # the hook concerns PyInstaller's one-folder bundles, scenarios on Linux
        platforms=frozenset({"linux"}),
    ),
    WheelSpec(
        "libfoo-linkerscript",
        "libfoo",
        "libfoo",
        "1.0+linkerscript",
        "producer",
        requires=("shared_lib_manager",),
        defines={"LIBFOO_LOADER_FILE": "linker-script"},
        overrides={("project", "version"): "1.0+linkerscript"},
        # The real lib/libfoo.so.1 plus lib/libfoo.so, a GNU ld script `INPUT(libfoo.so.1)`,
        # which the generated loader declares (failure mode 9). The lint reads libraries,
        # not the loader's declaration, so it finds nothing to report.
        # GNU ld scripts exist only for ELF toolchains (wheels-src/libfoo/CMakeLists.txt).
        platforms=frozenset({"linux"}),
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
        "libfoo-srcpkg",
        "libfoo",
        "libfoo",
        "1.0+srcpkg",
        "producer",
        requires=("shared_lib_manager",),
        # The same library with its Python package in the source tree (python/libfoo/,
        # shipped through wheel.packages) instead of installed by CMake: as a wheel it is
        # libfoo 1.0; installed editable (redirect) its __init__ is served from the source
        # tree while lib/ is in site-packages (scenarios editable-srcpkg-*).
        defines={"LIBFOO_PYTHON_PACKAGE": "source"},
        overrides={
            ("project", "version"): "1.0+srcpkg",
            ("tool", "scikit-build", "wheel", "packages"): ["python/libfoo"],
        },
    ),
    _meson_producer("libfoo-meson", "1.0+meson", ()),
    # The same, with the library and __init__.py built in meson/libfoo/{lib/,} of the build
    # tree (-Dpackage_tree=true): the package's own layout, so lib/ is beside __file__.
    _meson_producer("libfoo-meson-tree", "1.0+meson.tree", ("-Dpackage_tree=true",)),
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
    _pyfoo_variant("pyfoo-twin"),
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
        # DT_RUNPATH $ORIGIN/../libfoo/lib, LC_RPATH @loader_path/../libfoo/lib: into
        # another distribution's directory of the same site dir.
        expected_lint=frozenset({"SLI006"}),
        platforms=frozenset({"linux", "macos"}),  # Windows has no RPATH
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
        # SLI004: the private copy. Every repair tool leaves one: auditwheel
        # `pyfoo_vendored.libs/libfoo-<8 hex>.so.1` (DT_NEEDED renamed), delocate
        # `pyfoo_vendored/.dylibs/libfoo.1.dylib` (LC_LOAD_DYLIB
        # `@loader_path/.dylibs/libfoo.1.dylib`), delvewheel
        # `pyfoo_vendored.libs/foo-<32 hex>.dll` (import renamed). The renamed entry names
        # the wheel's own copy, so it is no near miss of the producer's key (no SLI003).
        expected_lint=frozenset({"SLI004"}),
    ),
    _pyfoo_variant("pyfoo-nopreload", link_mode="none"),
    _pyfoo_variant(
        "pyfoo-buildtree",
        link_mode="buildtree",
        platforms=frozenset({"linux", "macos"}),
        source_only=True,
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


class NotOnPlatformError(UnknownIdError):
    """A catalogue id that is not built on the platform asked for."""


def ids_on(platform: Platform) -> list[str]:
    """Every wheel and prefix id built on ``platform``, in catalogue order."""
    specs: list[WheelSpec | PrefixSpec] = [*WHEELS, *PREFIXES]
    return [spec.id for spec in specs if spec.built_on(platform)]


def _spec(item: str) -> WheelSpec | PrefixSpec:
    spec: WheelSpec | PrefixSpec | None = WHEELS_BY_ID.get(item) or PREFIXES_BY_ID.get(item)
    if spec is None:
        known = ", ".join([*WHEELS_BY_ID, *PREFIXES_BY_ID])
        raise UnknownIdError(f"unknown wheel or prefix id {item!r}; known ids: {known}")
    return spec


def _not_on(spec: WheelSpec | PrefixSpec, platform: Platform, needed_by: str | None) -> str:
    why = f" (needed by {needed_by!r})" if needed_by else ""
    if isinstance(spec, WheelSpec) and spec.editable_only:
        return (
            f"{spec.id!r}{why} is never built as a wheel: scenarios install its project "
            '`location = "editable"` only (editable_only in harness/builder/catalogue.py)'
        )
    if isinstance(spec, WheelSpec) and spec.source_only:
        return (
            f"{spec.id!r}{why} is never built as a wheel: scenarios install it from its sdist "
            "(`sdists = [...]`) only (source_only in harness/builder/catalogue.py)"
        )
    return (
        f"{spec.id!r}{why} is not built on {platform.name}: the catalogue builds it on "
        f"{', '.join(sorted(spec.platforms))} only (platforms in harness/builder/catalogue.py); "
        f"ids on {platform.name}: {', '.join(ids_on(platform))}"
    )


def closure(ids: Iterable[str], platform: Platform | None = None) -> list[str]:
    """``ids`` plus every wheel they need to build or run, dependencies first (catalogue order).

    With ``platform``, every id (asked for or needed) must be built there, else
    :class:`NotOnPlatformError` names the id, the platform and where it is built.
    """
    wanted: set[str] = set()
    pending: list[tuple[str, str | None]] = [(item, None) for item in ids]
    while pending:
        item, needed_by = pending.pop()
        if item in wanted:
            continue
        spec = _spec(item)
        if platform is not None and not spec.built_on(platform):
            raise NotOnPlatformError(_not_on(spec, platform, needed_by))
        wanted.add(item)
        if isinstance(spec, WheelSpec):
            pending.extend((need, item) for need in (*spec.build_requires, *spec.requires))
    order = [spec.id for spec in WHEELS] + [spec.id for spec in PREFIXES]
    return [item for item in order if item in wanted]


def build_inputs(spec: WheelSpec) -> list[str]:
    """Wheel ids that may be installed into ``spec``'s build environment (its build closure)."""
    inputs = closure(spec.build_requires)
    return [item for item in inputs if item in WHEELS_BY_ID]
