"""Read zip members within a fixed memory budget, whatever sizes the archive declares.

A member's declared size is only a claim: a 1 MB wheel can declare (and inflate to)
1 GiB. Small members are read whole up to :data:`WHOLE_LIMIT`; larger ones are
handed to the readers as a seekable stream that keeps at most
:data:`CACHE_CHUNKS` chunks of :data:`CHUNK` bytes, so the ELF and Mach-O readers,
which only touch headers, load commands and the dynamic section, never hold the file.
"""

from __future__ import annotations

import io
import zipfile
from collections import OrderedDict
from typing import IO, cast

WHOLE_LIMIT = 16 * 1024 * 1024
"""Members up to this many bytes are read into memory in one piece."""
CHUNK = 1024 * 1024
CACHE_CHUNKS = 16
"""At most CHUNK * CACHE_CHUNKS bytes of one large member are held at a time."""
PE_LIMIT = 96 * 1024 * 1024
"""pefile needs the image as bytes: a larger DLL is refused with a clear message."""
TEXT_LIMIT = 1024 * 1024
"""Python sources and metadata larger than this are not read (none is that large)."""


class MemberTooLargeError(Exception):
    """A member that would have to be held whole and exceeds the budget."""


def read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """The member's bytes, or :class:`MemberTooLargeError` when it inflates past ``limit``."""
    with archive.open(info) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise MemberTooLargeError(f"inflates to more than {limit // (1024 * 1024)} MiB")
    return data


class ChunkedStream(io.RawIOBase):
    """A read-only, seekable view of one zip member that caches a few chunks.

    ``ZipExtFile`` can seek, but every backward seek inflates again from the start;
    the cache turns the readers' back-and-forth (dynamic section, string table,
    section headers at the end) into a handful of sequential passes.
    """

    def __init__(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        super().__init__()
        self._archive = archive
        self._info = info
        self._handle: IO[bytes] = archive.open(info)
        self._position = 0
        self._cache: OrderedDict[int, bytes] = OrderedDict()
        self._size = info.file_size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            self._position = offset
        elif whence == io.SEEK_CUR:
            self._position += offset
        else:
            self._position = self._size + offset
        self._position = max(self._position, 0)
        return self._position

    def _chunk(self, index: int) -> bytes:
        cached = self._cache.get(index)
        if cached is not None:
            self._cache.move_to_end(index)
            return cached
        start = index * CHUNK
        if self._handle.tell() > start:
            self._handle.close()
            self._handle = self._archive.open(self._info)
        self._handle.seek(start)
        data = self._handle.read(CHUNK)
        self._cache[index] = data
        if len(self._cache) > CACHE_CHUNKS:
            self._cache.popitem(last=False)
        return data

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            size = max(self._size - self._position, 0)
        parts = []
        while size > 0:
            index, offset = divmod(self._position, CHUNK)
            chunk = self._chunk(index)
            piece = chunk[offset : offset + size]
            if not piece:
                break
            parts.append(piece)
            self._position += len(piece)
            size -= len(piece)
        return b"".join(parts)

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._handle.close()
        self._cache.clear()
        super().close()


def open_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> IO[bytes]:
    """A seekable file object for ``info``: in memory when small, chunked otherwise."""
    if info.file_size <= WHOLE_LIMIT:
        with archive.open(info) as handle:
            data = handle.read(WHOLE_LIMIT + 1)
        if len(data) <= WHOLE_LIMIT:
            return io.BytesIO(data)
    return cast(IO[bytes], ChunkedStream(archive, info))
