"""The parsed form of a ``scenario.toml`` (schema 1).

These dataclasses are what the rest of the harness sees: validated, defaulted and
independent of TOML. ``harness.scenarios.parse`` builds them; docs/scenario-format.md
documents the file format they come from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from harness.vocabulary import CONDA_LIB, NATIVE, SYSTEM, OSName

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Install:
    """Wheels (by wheel id) installed into one location."""

    location: str
    wheels: tuple[str, ...]
    deps: bool = False
    remove: tuple[str, ...] = ()
    """Paths relative to the location deleted right after the install (POSIX separators):
    an installed-but-broken producer, as a half-uninstall or a bad repackaging leaves it."""
    mode: str | None = None
    """Location ``editable`` only: the build backend's editable mode (scikit-build-core's
    ``redirect``, ``inplace``; meson-python's ``meson``); the wheel ids name the projects
    installed with ``-e``."""
    sdists: tuple[str, ...] = ()
    """Wheel ids installed from their sdists (built at install time) after ``wheels``."""
    build_isolation: bool = True
    """``False``: the sdists build with ``--no-build-isolation`` against the layout."""


@dataclass(frozen=True)
class SystemPrefix:
    """A builder prefix exposed as the ``system`` location."""

    prefix: str
    """Builder prefix id (``libfoo-system``); its library directory goes on the loader's
    search variable (``LD_LIBRARY_PATH``...) at process start."""


@dataclass(frozen=True)
class StepExpectation:
    """What one step's outcome must be."""

    ok: bool = True
    value: Any = None
    has_value: bool = False
    """``value`` was given (so ``None``/``null``-like values can still be expected)."""
    value_matches: str | None = None
    error_type: str | None = None
    error_matches: str | None = None


@dataclass(frozen=True)
class Step:
    """An import, a call or a dlopen the probe performs, and its expected outcome.

    In a ``native`` scenario a step is a ``load`` of a library (``target``: a native build
    name such as ``producer``, or ``{location:LABEL}/file``) or a ``call`` of the C
    function ``target`` through the library an earlier load step (``library``) loaded.
    """

    id: str
    action: Literal["import", "call", "load"]
    target: str
    """A dotted name, or for ``load`` a file path (``{location:LABEL}`` placeholders allowed)."""
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    expect: StepExpectation = field(default_factory=StepExpectation)
    library: str | None = None
    """Native ``call``: the id of the load step whose library the function is looked up in."""
    mode: Literal["local", "global"] = "local"
    """Native ``load``: ``RTLD_LOCAL`` (as ctypes) or ``RTLD_GLOBAL``."""


@dataclass(frozen=True)
class LibraryExpectation:
    """Where the loaded copies of one native library must come from."""

    name: str
    """``"libfoo"``: matched against loaded file names the platform's way."""
    copies: int = 1
    location: str | None = None
    file: str | None = None
    """Path of the copy relative to its location (``libfoo/lib/libfoo.so.1``)."""
    identity: str | None = None
    identity_function: str = ""


@dataclass(frozen=True)
class SymbolExpectations:
    must_be_global: tuple[str, ...] = ()
    must_not_be_global: tuple[str, ...] = ()
    samples: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Library file name (``libfoo.so.1``) -> a few of its own exported symbols: the probe
    reports each loaded copy's load mode (are they in the global namespace?)."""
    local_libraries: tuple[str, ...] = ()
    """File names of ``samples`` whose sampled symbols must not be global (an expectation)."""

    @property
    def names(self) -> tuple[str, ...]:
        return (*self.must_be_global, *self.must_not_be_global)


@dataclass(frozen=True)
class Scenario:
    """One validated scenario directory."""

    name: str
    path: Path
    """The ``scenario.toml`` file."""
    description: str
    platforms: tuple[OSName, ...]
    layouts: tuple[str, ...]
    installers: tuple[str, ...]
    installs: tuple[Install, ...]
    system: SystemPrefix | None
    env: dict[str, str]
    steps: tuple[Step, ...]
    libraries: tuple[LibraryExpectation, ...]
    symbols: SymbolExpectations
    load_order: tuple[str, ...] = ()
    wheel_files: Mapping[str, str] = field(default_factory=dict)
    """``[wheels]``: wheel id -> file pattern outside the catalogue (relative to the scenario
    directory, ``${VAR}`` expanded, globs allowed); resolved when a cell runs."""
    conda_packages: tuple[str, ...] = ()
    """Conda match specs (``"libfoo 1.*"``) installed into the prefix of a ``conda`` layout
    besides python and pip (``[conda] packages``; only with ``layouts = ["conda"]``)."""
    loaders: tuple[str, ...] = ()
    """A ``native`` scenario's ``loaders``: where its expectations hold. Its cells cover every
    native loader (``installers``); cells of the others are reported not applicable."""

    libcs: tuple[str, ...] = ("glibc",)
    """On a Linux host, the C libraries the expectations hold for (``libc``; default glibc):
    cells on a host with another libc are reported not applicable."""

    @property
    def is_native(self) -> bool:
        return NATIVE in self.layouts

    def applies_to_loader(self, loader: str) -> bool:
        return not self.is_native or loader in self.loaders

    def applies_to_libc(self, libc: str | None) -> bool:
        """Native cells bring their own loader, so the host's libc does not matter to them."""
        return self.is_native or libc is None or libc in self.libcs

    @property
    def summary(self) -> str:
        """The description's first sentence on one line (for listings and report titles)."""
        text = " ".join(self.description.split())
        end = text.find(". ")
        return text if end < 0 else text[: end + 1]

    @property
    def directory(self) -> Path:
        return self.path.parent

    @property
    def locations(self) -> tuple[str, ...]:
        """Location labels this scenario installs into or exposes."""
        labels = [install.location for install in self.installs]
        if self.system is not None:
            labels.append(SYSTEM)
        if self.conda_packages:
            labels.append(CONDA_LIB)
        return tuple(dict.fromkeys(labels))

    def applies_to(self, platform: str) -> bool:
        return platform in self.platforms
