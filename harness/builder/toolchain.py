"""The tools a build depends on, located once and fingerprinted for the cache key.

A wheel built by another compiler, CMake or repair tool is another wheel: their versions
are part of every cache key, so upgrading a tool rebuilds instead of reusing stale wheels.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
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

    def fingerprint(self) -> str:
        return "\n".join(f"{tool}={version}" for tool, version in sorted(self.versions.items()))


def _first_line(command: list[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    except OSError:
        return "unavailable"
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0] if text else "unknown"


def _find_uv() -> Path:
    found = tools.uv_executable()
    if found is None:
        raise ToolMissingError("uv is not installed; install it with `python -m pip install uv`")
    return found


def _find_cmake() -> Path:
    found = shutil.which("cmake")
    if not found:
        raise ToolMissingError(
            "cmake is not on PATH; install CMake >= 3.15 (e.g. `python -m pip install cmake`)"
        )
    return Path(found)


def _package_version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "missing"


@functools.cache
def detect() -> Toolchain:
    """Locate uv and CMake and record the versions of everything that shapes a wheel."""
    uv = _find_uv()
    cmake = _find_cmake()
    compiler = os.environ.get("CC") or ("cl" if platforms.current().name == "windows" else "cc")
    repair_tool = REPAIR_TOOL[platforms.current().name]
    versions = {
        "uv": _first_line([str(uv), "--version"]),
        "cmake": _first_line([str(cmake), "--version"]),
        "cc": _first_line([compiler, "--version"]),
        repair_tool: _package_version(repair_tool),
    }
    return Toolchain(uv=uv, cmake=cmake, versions=versions)
