"""Per-OS paths and variables of layouts, as pure functions of a :class:`Platform`.

Nothing here looks at the running OS, so the Windows and macOS answers are unit
tested on Linux by passing ``platforms.WINDOWS`` / ``platforms.MACOS``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath
from typing import TypeVar

from harness.platforms import Platform

P = TypeVar("P", bound=PurePath)


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
