"""Content-addressed cache of built wheels and prefixes under ``WorkDir.cache``.

An entry is a directory named by the hash of everything that decides its contents
(sources and variant, build-time wheel inputs, interpreter tag, toolchain). It is made
with :func:`harness.workdir.atomic_directory`, so it exists complete or not at all: an
interrupted or failing build leaves no entry behind, and a second run finds it and
builds nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ENTRY_FILE = "entry.json"
WHEELS = "wheels"
PREFIXES = "prefixes"
KINDS = (WHEELS, PREFIXES)
"""The kinds of entry, each a directory of the cache: built wheels and system prefixes."""
FORMAT = 1
"""Bump when the builder changes what an entry holds or how it is made."""


def key(parts: Iterable[tuple[str, str]]) -> str:
    """Hash of named key parts, e.g. ``("sources", digest)``; order independent."""
    text = json.dumps({"format": FORMAT, "parts": sorted(parts)})
    return hashlib.sha256(text.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Entry:
    """A finished cache entry: a directory with ``entry.json`` and the built product."""

    directory: Path
    meta: dict[str, object]

    @property
    def product(self) -> Path:
        return self.directory / str(self.meta["product"])


def entry_dir(cache_root: Path, kind: str, item_id: str, item_key: str) -> Path:
    return cache_root / kind / f"{item_id}-{item_key}"


def lookup(directory: Path) -> Entry | None:
    """The entry at ``directory`` if it is complete (its product and metadata exist).

    An entry is published whole, so one whose ``entry.json`` is empty, not JSON or names
    a missing product was damaged afterwards (a full disk, a hand edit, a crash of the
    filesystem): it is reported with its path and removed, and the caller rebuilds it.
    """
    meta_file = directory / ENTRY_FILE
    if not meta_file.is_file():
        return None
    meta, problem = _read(directory)
    if problem is None:
        return Entry(directory, meta) if meta is not None else None
    print(
        f"harness: cache entry {directory} is damaged ({problem}); removing it and rebuilding",
        file=sys.stderr,
        flush=True,
    )
    _discard(directory)
    return None


def _read(directory: Path) -> tuple[dict[str, object] | None, str | None]:
    """A published entry's metadata, or what is wrong with it (both None: it is gone)."""
    meta_file = directory / ENTRY_FILE
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, None  # removed by another process meanwhile: a miss, not damage
    except (OSError, ValueError) as error:  # JSONDecodeError, UnicodeDecodeError
        return None, f"{meta_file.name} is unreadable: {type(error).__name__}: {error}"
    if not isinstance(meta, dict) or not isinstance(meta.get("product"), str):
        return None, f"{meta_file.name} has no product name"
    if not (directory / meta["product"]).exists():
        return None, f"its product {meta['product']} is missing"
    return meta, None


def _discard(directory: Path) -> None:
    """Take a damaged entry out of the way atomically (another process may be looking)."""
    aside = directory.with_name(f"{directory.name}.damaged-{os.getpid()}")
    try:
        directory.rename(aside)
    except OSError:
        return  # another process took it away first
    if _read(aside)[0] is not None:
        # a healthy entry was published between our read and the rename: put it back
        with contextlib.suppress(OSError):
            aside.rename(directory)
            return
    shutil.rmtree(aside, ignore_errors=True)


def write_meta(scratch: Path, meta: dict[str, object]) -> None:
    """Record an entry's metadata inside its scratch directory (last step before it is published)."""
    (scratch / ENTRY_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True), encoding="utf-8")
