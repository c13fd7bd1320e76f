"""Cheap copies of directory trees: hard links where possible, real copies otherwise.

A hard-linked copy shares file contents with its source: creating, deleting or
replacing files in the copy leaves the source alone, but writing *into* an existing
file would change both. Layouts a scenario mutates that way use ``mode="copy"``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Literal

CopyMode = Literal["link", "copy"]


def link_or_copy(src: str | Path, dst: str | Path) -> str | Path:
    """Hard-link file ``src`` as ``dst``, or copy it where a link cannot be made."""
    try:
        os.link(src, dst)
    except OSError:  # another filesystem, or links not allowed: copy instead
        shutil.copy2(src, dst)
    return dst


def copy_tree(source: Path, destination: Path, *, mode: CopyMode = "link") -> None:
    """Copy ``source`` to the new directory ``destination``; symlinks stay symlinks."""
    copier = link_or_copy if mode == "link" else shutil.copy2
    shutil.copytree(source, destination, symlinks=True, copy_function=copier)
