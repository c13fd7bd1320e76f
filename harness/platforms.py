"""Per-platform facts in one place: library file names, loader search variables, venv layout.

Every other module asks this one instead of branching on ``sys.platform`` itself.
"""

from __future__ import annotations

import functools
import os
import platform as _platform
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TypeVar

from harness.vocabulary import MANGLE_HASH, Libc, OSName

P = TypeVar("P", bound=PurePath)


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


@functools.lru_cache(maxsize=1)
def current_libc() -> Libc | None:
    """The C library of this Linux host (``glibc``, ``musl``), ``None`` elsewhere.

    glibc answers ``confstr(_CS_GNU_LIBC_VERSION)``; musl does not have that name, and
    its loader is ``/lib/ld-musl-<arch>.so.1`` (what Alpine and musllinux wheels use).
    """
    if current().name != "linux":
        return None
    try:
        if os.confstr("CS_GNU_LIBC_VERSION"):
            return "glibc"
    except (ValueError, OSError):
        pass
    return "musl" if any(Path("/lib").glob("ld-musl-*.so.1")) else None


# Repair tools rename the libraries they copy into a wheel by inserting a content hash:
# auditwheel `libfoo-1a2b3c4d.so.1` (8 hex digits), delvewheel `foo-<32 hex digits>.dll`;
# copies made by other tools (or a future delocate) may carry a hash the same way.
_COPY_PATTERNS: dict[OSName, str] = {
    "linux": r"lib{name}(?:-{hash})?\.so(?:\.[0-9]+)*",
    "macos": r"lib{name}(?:-{hash})?(?:\.[0-9]+)*\.dylib",
    "windows": r"{name}(?:-{hash})?\.dll",
}


def library_copy_pattern(platform: Platform, name: str) -> re.Pattern[str]:
    """A regex that fully matches the file name of any copy of library ``name`` (``"foo"``).

    Matches the plain and versioned names (``libfoo.so``, ``libfoo.so.1.2``,
    ``libfoo.1.dylib``, ``foo.dll``) and the hash-mangled names repair tools give the
    copies they bundle, but not other libraries that merely start with the name
    (``libfoobar.so``). Windows file names compare case-insensitively.
    """
    flags = re.IGNORECASE if platform.name == "windows" else 0
    pattern = _COPY_PATTERNS[platform.name].format(name=re.escape(name), hash=MANGLE_HASH)
    return re.compile(pattern, flags)


def is_library_copy(platform: Platform, name: str, file_name: str) -> bool:
    """Whether ``file_name`` (a base name) is a copy of library ``name`` on ``platform``."""
    return library_copy_pattern(platform, name).fullmatch(file_name) is not None


# ---------------------------------------------------------------------------
# Per-OS paths and variables of layouts, as pure functions of a Platform (nothing here
# looks at the running OS, so the Windows and macOS answers are tested on Linux).


def venv_interpreter(venv_root: P, platform: Platform) -> P:
    """``<venv>/bin/python`` or ``<venv>\\Scripts\\python.exe``."""
    return venv_root / platform.scripts_dir / f"python{platform.exe_suffix}"


def prefix_library_dir(prefix: P, platform: Platform) -> P:
    """Where a CMake install prefix keeps its shared libraries.

    CMake installs a DLL as a RUNTIME artifact (``bin/``); ``.so`` / ``.dylib`` are
    LIBRARY artifacts (``lib/``).
    """
    return prefix / ("bin" if platform.name == "windows" else "lib")


def library_search_prepends(dirs: Sequence[PurePath], platform: Platform) -> dict[str, list[str]]:
    """The loader search variable and the directories to put in front of it."""
    return {platform.library_search_var: [str(d) for d in dirs]} if dirs else {}


def pythonpath_prepends(dirs: Sequence[PurePath]) -> dict[str, list[str]]:
    """``PYTHONPATH`` entries (the separator is applied by the layout's platform)."""
    return {"PYTHONPATH": [str(d) for d in dirs]} if dirs else {}


def temp_dir_vars(platform: Platform) -> tuple[str, ...]:
    """Variables that choose where ``tempfile`` and installers write scratch files."""
    return ("TEMP", "TMP") if platform.name == "windows" else ("TMPDIR",)


def temp_dir_env(directory: PurePath, platform: Platform) -> dict[str, str]:
    """Point every temp-dir variable of ``platform`` at ``directory``."""
    return dict.fromkeys(temp_dir_vars(platform), str(directory))


def home_dir_env(directory: PurePath, platform: Platform) -> dict[str, str]:
    """Point the user's home and per-user config/cache roots at ``directory``.

    Setup commands run with these so that neither they nor the tools they start
    (pip asks ``rustc --version`` for its user agent; a rustup proxy then creates
    ``~/.rustup``) read the user's configuration or write into the real home.
    """
    names: tuple[str, ...] = ("HOME",)
    if platform.name == "windows":
        names = ("USERPROFILE", "HOME", "APPDATA", "LOCALAPPDATA")
    return dict.fromkeys(names, str(directory))


def prepend_path_list(
    env: Mapping[str, str], name: str, entries: Sequence[str], platform: Platform
) -> dict[str, str]:
    """``env`` with ``entries`` put in front of path-list variable ``name``.

    Windows variable names are case-insensitive (``Path`` is ``PATH``), so there the
    existing spelling is found and replaced by ``name``.
    """
    result = dict(env)
    key = name
    if platform.name == "windows":
        key = next((k for k in result if k.upper() == name.upper()), name)
    inherited = result.pop(key, "")
    parts = [*entries, *([inherited] if inherited else [])]
    result[name] = platform.path_list_separator.join(parts)
    return result
