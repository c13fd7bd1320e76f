"""Content-addressed cache of built wheels and prefixes under ``WorkDir.cache``.

An entry is a directory named by the hash of everything that decides its contents
(sources and variant, build-time wheel inputs, interpreter tag, toolchain). It is made
with :func:`harness.workdir.atomic_directory`, so it exists complete or not at all: an
interrupted or failing build leaves no entry behind, and a second run finds it and
builds nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ENTRY_FILE = "entry.json"
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
    """The entry at ``directory`` if it is complete (its product and metadata exist)."""
    meta_file = directory / ENTRY_FILE
    if not meta_file.is_file():
        return None
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    entry = Entry(directory, meta)
    return entry if entry.product.exists() else None


def write_meta(scratch: Path, meta: dict[str, object]) -> None:
    """Record an entry's metadata inside its scratch directory (last step before it is published)."""
    (scratch / ENTRY_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True), encoding="utf-8")
