"""The protocol every location of a layout follows (``site``, ``target``, ``user``, ...).

A *location* is a directory wheels are installed into plus what makes the layout's
interpreter import from it. Each one is a module of :mod:`harness.envs.locations` holding
one :class:`Location`; :mod:`harness.envs.locations` is the registry (label -> location),
and :mod:`harness.envs.layouts` builds every layout through it, without naming any.

A location says:

- ``directory``: the entry it owns under the layout's root (``target``, ``prefix``...;
  ``None`` when the provider makes it, like a venv's ``site``);
- ``relocatable``: whether a layout holding it still works from a copy (templates are
  copied per cell); ``False`` when installs write absolute paths into their own root;
- ``user_site``: whether the interpreter must honour ``PYTHONUSERBASE`` and the
  system site (a venv made with ``include-system-site-packages``);
- :meth:`Location.interpreter`: the base interpreter the provider makes the layout from
  (another one only for ``base``, which is such an interpreter);
- :meth:`Location.add`: create the directory and make the interpreter find it
  (``PYTHONPATH``, ``PYTHONUSERBASE``, a ``.pth``...);
- :meth:`Location.check`: a clear error for a request it cannot take, before anything runs;
- :meth:`Location.install`: put one :class:`~harness.installs.InstallRequest`'s wheels in
  (by default the one installer command :meth:`Location.command` returns).

- ``order``: where it comes among a layout's locations (their ``PYTHONPATH`` order).

A location whose tool is missing raises :class:`LocationUnavailableError`: the cell is
skipped naming the tool, not failed. Adding a location is one module under
``harness/envs/locations/`` (the registry finds it), its label in
:mod:`harness.vocabulary`, tests and a docs row.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from harness import platforms
from harness.envs.layout import CommandRunner, Layout, LayoutError
from harness.envs.removing import check_removals
from harness.installs import InstallRequest
from harness.vocabulary import Installer


class LocationUnavailableError(LayoutError):
    """A location cannot be made here because a tool it needs is missing (a skip)."""


@dataclass(frozen=True)
class Setup:
    """What a location is added with: the spec's labels, its installer, the command runner."""

    labels: Set[str]
    """Every location label of the layout (a location may depend on another's presence)."""
    installer: Installer
    run: CommandRunner
    provider_kind: str
    """The layout's kind (``venv``, ``conda``)."""


class Location:
    """One location; subclasses set the class attributes and override what differs."""

    label: ClassVar[str]
    order: ClassVar[int]
    """Where it comes among the locations a layout adds (site first, 0)."""
    directory: ClassVar[str | None] = None
    relocatable: ClassVar[bool] = True
    user_site: ClassVar[bool] = False

    def interpreter(self, root: Path, python: Path, setup: Setup) -> Path:
        """The interpreter the provider makes the layout's base from (default: ``python``)."""
        del root, setup
        return python

    def fingerprint(self) -> str:
        """What besides the spec decides what this location makes (its tools' inputs), so
        a change of it is never served from an old template; empty: nothing."""
        return ""

    def add(self, layout: Layout, setup: Setup) -> None:
        """Create this location in ``layout`` (its directory exists under the root after it)."""
        raise NotImplementedError

    def check(self, request: InstallRequest) -> None:
        """A clear error before any installer runs (default: existing ``.whl`` files)."""
        if not request.wheels and not request.sdists:
            raise LayoutError(f"install request for location {self.label!r} names no wheels")
        for wheel in request.wheels:
            if not wheel.is_file():
                raise LayoutError(
                    f"wheel file {wheel} (for location {self.label!r}) does not exist; "
                    "build it first (`harness build`) or fix the path"
                )
            if wheel.suffix != ".whl":
                raise LayoutError(
                    f"{wheel} (for location {self.label!r}) is not a .whl file; "
                    "only built wheels are installed"
                )
        check_removals(request.remove, self.label)

    def command(self, layout: Layout, request: InstallRequest, installer: Installer) -> list[str]:
        """The one installer command that installs ``request`` (locations that install in
        more than one step override :meth:`install` instead)."""
        raise LayoutError(f"location {self.label!r} installs in more than one command")

    def install_env(self, layout: Layout, installer: Installer) -> tuple[str, dict[str, str]]:
        """The installer the command uses and the variables it runs with (by default the
        cell's installer, no more variables)."""
        del layout
        return installer, {}

    def install(
        self, layout: Layout, request: InstallRequest, installer: Installer, run: CommandRunner
    ) -> None:
        """Install ``request``'s wheels into this location of ``layout``."""
        used, env = self.install_env(layout, installer)
        run(
            self.command(layout, request, installer),
            step=f"install into {self.label} ({used})",
            env=env or None,
            location=self.label,
            wheels=list(request.wheels),
        )

    def own_directory(self, layout: Layout) -> Path:
        """``layout.root / directory``, created."""
        if self.directory is None:
            raise LayoutError(f"location {self.label!r} has no directory of its own")
        directory = layout.root / self.directory
        directory.mkdir(parents=True, exist_ok=True)
        return directory


def on_pythonpath(layout: Layout, directories: list[Path]) -> None:
    """Put ``directories`` in front of the layout's import path, in order."""
    for name, entries in platforms.pythonpath_prepends(directories).items():
        layout.path_prepends.setdefault(name, []).extend(entries)
