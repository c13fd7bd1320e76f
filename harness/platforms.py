"""Per-platform facts in one place: library file names, loader search variables, venv layout.

Every other module asks this one instead of branching on ``sys.platform`` itself.
"""

from __future__ import annotations

import platform as _platform
from dataclasses import dataclass
from typing import Literal

OSName = Literal["linux", "macos", "windows"]


@dataclass(frozen=True)
class Platform:
    """How one operating system names, finds and keys shared libraries."""

    name: OSName
    system: str
    """The value of ``platform.system()`` (the key of ``PlatformLibrary``)."""
    loader_key: str
    """What the dynamic loader matches already-loaded libraries by."""
    library_search_var: str
    """The variable the loader reads at process start for extra search directories."""
    scripts_dir: str
    """Directory of a venv that holds its interpreter and console scripts."""
    exe_suffix: str
    path_list_separator: str

    def library_file(self, name: str, major: int | None = None) -> str:
        """File name of library ``name`` (``"foo"``), with its ABI major version when given.

        The file name a producer ships is also what consumers record as their
        dependency: the SONAME on Linux, the tail of the install name on macOS, the
        DLL base name on Windows.
        """
        if self.name == "linux":
            return f"lib{name}.so.{major}" if major is not None else f"lib{name}.so"
        if self.name == "macos":
            return f"lib{name}.{major}.dylib" if major is not None else f"lib{name}.dylib"
        return f"{name}.dll"

    def dependency_key(self, name: str, major: int | None = None) -> str:
        """The string a consumer's dependency entry must equal for preloading to satisfy it."""
        file_name = self.library_file(name, major)
        return f"@rpath/{file_name}" if self.name == "macos" else file_name

    def interpreter_relpath(self, executable_name: str = "python") -> str:
        """Interpreter path inside a venv, relative to the venv root."""
        return f"{self.scripts_dir}/{executable_name}{self.exe_suffix}"


LINUX = Platform(
    name="linux",
    system="Linux",
    loader_key="DT_SONAME",
    library_search_var="LD_LIBRARY_PATH",
    scripts_dir="bin",
    exe_suffix="",
    path_list_separator=":",
)
MACOS = Platform(
    name="macos",
    system="Darwin",
    loader_key="LC_ID_DYLIB install name",
    library_search_var="DYLD_LIBRARY_PATH",
    scripts_dir="bin",
    exe_suffix="",
    path_list_separator=":",
)
WINDOWS = Platform(
    name="windows",
    system="Windows",
    loader_key="DLL base name",
    library_search_var="PATH",
    scripts_dir="Scripts",
    exe_suffix=".exe",
    path_list_separator=";",
)

ALL: dict[OSName, Platform] = {p.name: p for p in (LINUX, MACOS, WINDOWS)}


def by_system(system: str) -> Platform:
    """The platform for a ``platform.system()`` value."""
    for candidate in ALL.values():
        if candidate.system == system:
            return candidate
    raise ValueError(
        f"unsupported platform.system() value {system!r}; expected Linux, Darwin or Windows"
    )


def current() -> Platform:
    """The platform this process runs on."""
    return by_system(_platform.system())
