"""What a layout is asked to install: ready requests, made by the builder's supply.

The data passed from the wheel side (:mod:`harness.builder.supply`, which knows the
catalogue, the wheelhouse and the scenarios' own wheel files) to the layouts
(:mod:`harness.envs`), which install exactly these files and never look a wheel id up.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class EditableSource:
    """A project ready to be copied into a cell and installed with ``-e``.

    ``files`` and ``pyproject`` are the builder's staging of the project's variant, so the
    copy in the cell is the tree ``harness build`` would build the wheel from.
    """

    name: str
    """The wheel id the project builds (``libfoo``, ``libfoo-meson``)."""
    project: Path
    """The project directory under ``wheels-src/`` the files are copied from."""
    files: tuple[str, ...]
    """The project's source files, relative POSIX paths (no build trees or caches)."""
    pyproject: str | None
    """The variant's ``pyproject.toml`` text; ``None``: the project's own file."""
    backend: str
    """``build-system.build-backend`` of the staged project."""
    requires: tuple[str, ...]
    """``build-system.requires`` of the staged project."""
    digest: str
    """Hash of the files and the variant: an edited source tree gets a new layout."""

    def copy_to(self, destination: Path) -> Path:
        """Copy the staged project into ``destination`` (created); return it."""
        for name in self.files:
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.project / name, target)
        if self.pyproject is not None:
            (destination / "pyproject.toml").write_text(self.pyproject, encoding="utf-8")
        return destination


@dataclass(frozen=True)
class InstallRequest:
    """Install these wheel files into one location of a layout."""

    location: str
    wheels: Sequence[Path]
    deps: bool = False
    """Resolve ``Requires-Dist`` from the wheels' own directories (never from an index)."""
    remove: tuple[str, ...] = ()
    """Paths relative to the location (``libfoo/lib/libfoo.so.1``) unlinked right after
    this install: an installed-but-broken producer (:mod:`harness.envs.removing`)."""
    projects: tuple[EditableSource, ...] = ()
    """Location ``editable`` only: projects copied into the cell and installed with ``-e``
    (:mod:`harness.envs.locations.editable`), in order; ``wheels`` stays empty."""
    editable_mode: str = "redirect"
    """The backend's editable mode for those projects (:data:`harness.vocabulary.EDITABLE_MODES`)."""
    build_inputs: tuple[Path, ...] = ()
    """Wheel files the editable builds must take their build requirements from (pinned)."""
    sdists: tuple[Path, ...] = ()
    """Source distributions built by the installer and installed into the location after
    ``wheels``, one command each (:mod:`harness.envs.source_builds`)."""
    build_isolation: bool = True
    """``False``: the sdists build with ``--no-build-isolation``, against what the layout
    already holds (the backend's requirements are installed into it first)."""
    build_requirements: tuple[str, ...] = ()
    """The sdists' build backend requirements besides the catalogue's producers
    (``scikit-build-core>=0.10``), taken from ``find_links``."""
    find_links: Path | None = None
    """A directory holding wheels of ``build_requirements``: sdist installs stay offline."""
