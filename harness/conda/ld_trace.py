"""Read glibc's ``LD_DEBUG=libs`` trace: where the loader searched for one library, and why.

The conda scenarios prove *which* RPATH put ``$CONDA_PREFIX/lib`` on the search path
(the python executable's, or the one of the object that called ``dlopen``); glibc says
so itself in lines like::

    find library=libfoo.so.1 [0]; searching
     search path=/p/bin/../lib		(RPATH from file /p/bin/python)
      trying file=/p/bin/../lib/libfoo.so.1
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class SearchedPath:
    """One ``search path=`` line: the directories and glibc's reason for them."""

    directories: tuple[str, ...]
    reason: str
    """``RPATH from file /p/bin/python``, ``RUNPATH from file ...``, ``system search path``..."""

    @property
    def from_rpath_of(self) -> str | None:
        """The file whose ``DT_RPATH`` this is, or ``None`` for any other reason."""
        prefix = "RPATH from file "
        return self.reason[len(prefix) :] if self.reason.startswith(prefix) else None


@dataclass(frozen=True)
class LibrarySearch:
    """The loader's search for one library name, in trace order."""

    library: str
    searched: tuple[SearchedPath, ...] = ()
    tried: tuple[str, ...] = field(default=())
    """Every ``trying file=`` path; the last one is the file found when the search succeeded."""


def _message(line: str) -> str:
    """The text after glibc's ``<pid>:`` prefix."""
    return line.split(":", 1)[1].strip() if ":" in line else line.strip()


def searches(trace: str, library: str) -> list[LibrarySearch]:
    """Every search for ``library`` (``"libfoo.so.1"``) in ``trace``, in order."""
    found: list[LibrarySearch] = []
    current: tuple[list[SearchedPath], list[str]] | None = None
    for raw in trace.splitlines():
        line = _message(raw)
        if line.startswith("find library="):
            if current is not None:
                found.append(LibrarySearch(library, tuple(current[0]), tuple(current[1])))
            name = line.removeprefix("find library=").split(" ", 1)[0]
            current = ([], []) if name == library else None
        elif current is not None and line.startswith("search path="):
            directories, _, reason = line.removeprefix("search path=").partition("\t")
            current[0].append(SearchedPath(tuple(directories.split(":")), reason.strip("\t ()")))
        elif current is not None and line.startswith("search cache="):
            current[0].append(SearchedPath((line.removeprefix("search cache="),), "cache"))
        elif current is not None and line.startswith("trying file="):
            current[1].append(line.removeprefix("trying file="))
        elif current is not None and line.startswith("calling init:"):
            found.append(LibrarySearch(library, tuple(current[0]), tuple(current[1])))
            current = None
    if current is not None:
        found.append(LibrarySearch(library, tuple(current[0]), tuple(current[1])))
    return found


def first_search(trace: str, library: str) -> LibrarySearch:
    """The first search for ``library``; a clear error when the trace has none."""
    found = searches(trace, library)
    if not found:
        raise LookupError(
            f"the LD_DEBUG trace has no search for {library} (it was loaded by path, was "
            "already loaded, or LD_DEBUG=libs was not set)"
        )
    return found[0]


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two trace paths (``/p/bin/../lib/x``) name the same file."""
    return Path(a).resolve() == Path(b).resolve()
