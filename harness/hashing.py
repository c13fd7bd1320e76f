"""Content hashes of files, shared by the build cache and the layout templates."""

from __future__ import annotations

import hashlib
from pathlib import Path

_memo: dict[tuple[str, int, int], str] = {}


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, remembered per (real path, size, mtime) within the process.

    Wheels are hashed for every cache key that names them; a cell run would otherwise
    read each wheel again for every template lookup.
    """
    stat = path.stat()
    memo = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    known = _memo.get(memo)
    if known is None:
        digest = hashlib.sha256()
        with path.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
        known = _memo[memo] = digest.hexdigest()
    return known
