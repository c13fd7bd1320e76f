"""The ``system`` location: a directory of native libraries found through the loader's
search variable (``LD_LIBRARY_PATH`` / ``DYLD_LIBRARY_PATH`` / ``PATH``).

The variable is read when the process starts, so it is part of the layout's start
environment, never set from inside Python. The libraries are linked (or copied) into
the cell so the cell is self-contained and evidence paths fall under the cell.
"""

from __future__ import annotations

from pathlib import Path

from harness import platforms
from harness.copying import copy_tree
from harness.envs.layout import Layout, LayoutError
from harness.vocabulary import SYSTEM

SYSTEM_DIR = "system"


def add_system(layout: Layout, libraries: Path, *, into: Path | None = None) -> None:
    """Make the native libraries in directory ``libraries`` the layout's ``system`` location.

    ``libraries`` is the library directory itself (for a CMake prefix use
    :func:`harness.platforms.prefix_library_dir`); they are linked into ``into`` (the
    cell's directory; by default the layout's root).
    """
    if not libraries.is_dir():
        raise LayoutError(
            f"system library directory {libraries} does not exist; build the prefix first "
            "(e.g. `harness build`) or pass the prefix's library directory"
        )
    directory = (into or layout.root) / SYSTEM_DIR
    copy_tree(libraries, directory, mode="link")
    layout.locations[SYSTEM] = directory
    for name, entries in platforms.library_search_prepends([directory], layout.platform).items():
        layout.path_prepends.setdefault(name, []).extend(entries)
