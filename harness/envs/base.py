"""The small interface every environment provider implements.

A layout is an interpreter plus named *locations* (directories wheels can be
installed into, such as ``site`` or ``target``) plus the environment variables a
process must start with for the layout to work (``PYTHONPATH``, ``PYTHONUSERBASE``,
``LD_LIBRARY_PATH``...). Evidence refers to locations by label, never by machine path.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

Installer = Literal["uv", "pip"]


class LayoutError(RuntimeError):
    """Creating or installing into a layout failed; the message names the step and the log."""


@dataclass(frozen=True)
class InstallRequest:
    """Install these wheel files into one location of a layout."""

    location: str
    wheels: Sequence[Path]
    deps: bool = False
    """Resolve ``Requires-Dist`` from the wheels given (never from an index)."""


@dataclass
class Layout:
    """A ready environment: what a probe needs to run inside it."""

    kind: str
    root: Path
    python: Path
    locations: dict[str, Path]
    env: dict[str, str] = field(default_factory=dict)
    """Variables set at process start, on top of a scrubbed base environment."""

    def location(self, label: str) -> Path:
        """The directory of location ``label``; a clear error for an unknown label."""
        try:
            return self.locations[label]
        except KeyError:
            known = ", ".join(sorted(self.locations)) or "none"
            raise KeyError(
                f"layout {self.kind!r} has no location {label!r} (known: {known})"
            ) from None

    def process_env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """A minimal, reproducible environment for a process of this layout."""
        base = {k: v for k, v in os.environ.items() if k in _PASSTHROUGH}
        base.update(self.env)
        if extra:
            base.update(extra)
        return base

    def run(
        self,
        args: Sequence[str],
        *,
        extra_env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess[str]:
        """Run this layout's interpreter with ``args``."""
        return subprocess.run(
            [str(self.python), *args],
            env=self.process_env(extra_env),
            cwd=str(cwd or self.root),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


# Variables a cell inherits from the host; everything else (PYTHONPATH, LD_LIBRARY_PATH,
# VIRTUAL_ENV, CONDA_PREFIX...) is dropped so the host cannot leak into the evidence.
_PASSTHROUGH = frozenset(
    {
        "PATH",
        "HOME",
        "LANG",
        "LC_ALL",
        "TMPDIR",
        "TEMP",
        "TMP",
        "SYSTEMROOT",
        "SystemRoot",
        "COMSPEC",
        "WINDIR",
        "USERPROFILE",
        "APPDATA",
        "LOCALAPPDATA",
    }
)


class Provider(Protocol):
    """Creates layouts of one kind."""

    kind: str

    def create(self, cell_dir: Path, python: Path, installs: Sequence[InstallRequest]) -> Layout:
        """Make a layout in ``cell_dir`` for interpreter ``python`` with the wheels installed."""
        ...
