"""SLI014: a binary whose run-time search path points into a build environment that is gone.

A wheel built from an sdist by pip or uv is compiled in a temporary build environment
(``pip-build-env-*``, uv's ``builds-v0/.tmp*``; its producer wheels installed there) and no
repair tool runs afterwards. A build system that turns its link directories into the
install RPATH (CMake's ``INSTALL_RPATH_USE_LINK_PATH``) leaves an absolute entry into that
environment, which the frontend deletes right after the build: the loader finds nothing
there, and the extension loads only if something else (a preload, a system copy) answers
its dependency. Kept in its own module (registered by :mod:`harness.inspect.lint`) because
it also serves the sdist cells, which read the same entries from installed files.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator

from .findings import rule
from .links import Graph
from .wheel import Wheel

BUILD_ENV_PATTERNS = (
    re.compile(r"/pip-build-env-[^/]+/"),
    re.compile(r"/builds-v\d+/\.tmp[^/]+/"),
    re.compile(r"/pip-(?:req-build|install|wheel)-[^/]+/"),
    re.compile(r"/build-env-[^/]+/"),
)
"""Directories of frontends' temporary build environments: pip's (``pip-build-env-``,
``pip-req-build-``), uv's (``<cache>/builds-v0/.tmpXXXX``) and pypa/build's
(``build-env-``)."""


def in_build_env(path: str) -> bool:
    """Whether ``path`` lies inside a frontend's temporary build environment."""
    probe = path if path.endswith("/") else path + "/"
    return any(pattern.search(probe) for pattern in BUILD_ENV_PATTERNS)


def vanished(paths: Iterable[str], exists: Callable[[str], bool] = os.path.exists) -> list[str]:
    """The absolute ``paths`` inside a build environment that no longer exist here."""
    return [p for p in paths if p.startswith("/") and in_build_env(p) and not exists(p)]


ABSOLUTE_PATH = re.compile(rb"/[A-Za-z0-9_.+@~%=,-]+(?:/[A-Za-z0-9_.+@~%=,-]+)+")


def embedded_paths(data: bytes) -> list[str]:
    """Absolute POSIX paths written anywhere in a binary's bytes (string tables, RPATH,
    debug info), in order, once each."""
    found = dict.fromkeys(m.group().decode("ascii") for m in ABSOLUTE_PATH.finditer(data))
    return list(found)


@rule(
    "SLI014",
    "rpath-into-vanished-build-env",
    "error",
    "an RPATH / RUNPATH / LC_RPATH entry points into a build environment that no longer exists",
)
def rpath_into_vanished_build_env(graph: Graph) -> Iterator[tuple[Wheel, str, str]]:
    for wheel in graph.wheels:
        for binary in wheel.binaries:
            for arch_slice in binary.slices:
                entries = [entry.value for entry in arch_slice.rpaths]
                for entry in vanished(entries):
                    yield (
                        wheel,
                        binary.label(arch_slice),
                        f"RPATH entry {entry!r} is a temporary build environment of the "
                        "frontend that built this wheel from its sdist, deleted after the "
                        "build: nothing is found there at run time",
                    )
