"""The small interface every environment provider implements.

A layout is an interpreter plus named *locations* (directories wheels can be
installed into, such as ``site`` or ``target``) plus the environment variables a
process must start with for the layout to work (``PYTHONPATH``, ``PYTHONUSERBASE``,
``LD_LIBRARY_PATH``...). Evidence refers to locations by label, never by machine path.

A layout is built once in some directory and may be used from a copy in another
(template reuse), so everything in it can be rebased onto a new root
(:meth:`Layout.relocated`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Protocol

from harness import platforms, processes, sandbox
from harness.evidence import locate, locator
from harness.platforms import Platform
from harness.vocabulary import Installer


class LayoutError(RuntimeError):
    """Creating or installing into a layout failed; the message names the step and the log.

    A failed setup command also carries its parts (``command``, ``log``, ``tail``), so a
    verdict can name them without reading the message.
    """

    def __init__(
        self,
        message: str,
        *,
        command: str | None = None,
        log: Path | None = None,
        tail: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.command = command
        self.log = log
        self.tail = tuple(tail)


@dataclass
class Layout:
    """A ready environment: what a probe needs to run inside it."""

    kind: str
    root: Path
    python: Path
    locations: dict[str, Path]
    env: dict[str, str] = field(default_factory=dict)
    """Variables set at process start, on top of a scrubbed base environment."""
    path_prepends: dict[str, list[str]] = field(default_factory=dict)
    """Path-list variables whose entries go *in front of* the inherited value.

    Needed where the variable is also inherited from the host (``PATH`` is Windows'
    library search variable); for scrubbed variables it is simply the value.
    """
    extra_dirs: dict[str, list[Path]] = field(default_factory=dict)
    """More directories that belong to a label (``platlib`` where it differs from ``purelib``)."""
    platform: Platform = field(default_factory=platforms.current)

    def location(self, label: str) -> Path:
        """The directory of location ``label``; a clear error for an unknown label."""
        try:
            return self.locations[label]
        except KeyError:
            known = ", ".join(sorted(self.locations)) or "none"
            raise KeyError(
                f"layout {self.kind!r} has no location {label!r} (known: {known})"
            ) from None

    def label_of(self, path: PurePath | str) -> tuple[str, str] | None:
        """``(label, relative/posix/path)`` of the location holding ``path``, or ``None``
        (:func:`harness.evidence.locate` over the locations and the extra directories)."""
        return locate(path, self.locations, self.extra_dirs)

    def locator(self) -> Callable[[PurePath | str], tuple[str, str] | None]:
        """:meth:`label_of` for many paths of the finished layout: its directories are
        resolved once (:func:`harness.evidence.locator`)."""
        return locator(self.locations, self.extra_dirs)

    def process_env(
        self,
        extra: Mapping[str, str] | None = None,
        *,
        host: Mapping[str, str] | None = None,
    ) -> dict[str, str]:
        """A minimal, reproducible environment for a process of this layout.

        ``host`` defaults to ``os.environ``; only :data:`PASSTHROUGH` variables survive.
        """
        source = os.environ if host is None else host
        base = {k: v for k, v in source.items() if k in PASSTHROUGH}
        base.update(self.env)
        for name, entries in self.path_prepends.items():
            base = platforms.prepend_path_list(base, name, entries, self.platform)
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
    ) -> processes.Finished:
        """Run this layout's interpreter with ``args``: nothing it starts outlives it, and
        in the active sandbox (:mod:`harness.sandbox`) when there is one."""
        env = self.process_env(extra_env)
        return processes.run_contained(
            [str(self.python), *args],
            env=env,
            cwd=cwd or self.root,
            timeout=timeout,
            sandbox=sandbox.active(),
            readable=self.readable_paths(
                [*args, *(v for k, v in env.items() if k not in ("PATH", "HOME"))]
            ),
        )

    def readable_paths(self, words: Sequence[str]) -> list[Path]:
        """What a sandboxed process of this layout reads besides the system: the layout,
        its interpreter's installation, and every absolute path ``words`` name."""
        paths = [self.root, *self.locations.values()]
        paths += [d for dirs in self.extra_dirs.values() for d in dirs]
        prefixes = [Path(os.path.realpath(self.python)).parent.parent]  # <prefix>/bin/python
        for config in (self.root / "pyvenv.cfg", Path(self.python).parent.parent / "pyvenv.cfg"):
            for line in config.read_text().splitlines() if config.is_file() else ():
                key, _, value = line.partition("=")
                if key.strip() == "home" and value.strip():
                    prefixes.append(Path(os.path.realpath(value.strip())).parent)
        for prefix in list(prefixes):
            # a prefix whose standard library is linked from elsewhere (the 'base' copy)
            for landmark in prefix.glob("lib/python3*/os.py"):
                prefixes.append(Path(os.path.realpath(landmark)).parents[2])
        paths += prefixes
        for word in words:
            for item in word.split(os.pathsep):
                if Path(item).is_absolute() and item != os.sep:
                    paths.append(Path(item))
        return paths

    def relocated(self, new_root: Path) -> Layout:
        """The same layout after its root directory was copied or moved to ``new_root``.

        Paths under the old root (fields, and items of path-list values in ``env``)
        are rebased; paths outside it (a base interpreter, a system prefix) are kept.
        """
        old = self.root

        def move(path: Path) -> Path:
            return new_root / path.relative_to(old) if _is_under(path, old) else path

        def move_value(value: str) -> str:
            items = value.split(self.platform.path_list_separator)
            moved = [str(move(Path(i))) if i and Path(i).is_absolute() else i for i in items]
            return self.platform.path_list_separator.join(moved)

        return Layout(
            kind=self.kind,
            root=new_root,
            python=move(self.python),
            locations={k: move(v) for k, v in self.locations.items()},
            env={k: move_value(v) for k, v in self.env.items()},
            path_prepends={k: [move_value(i) for i in v] for k, v in self.path_prepends.items()},
            extra_dirs={k: [move(d) for d in v] for k, v in self.extra_dirs.items()},
            platform=self.platform,
        )


def _is_under(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


# Variables a cell inherits from the host; everything else (PYTHONPATH, LD_LIBRARY_PATH,
# VIRTUAL_ENV, CONDA_PREFIX...) is dropped so the host cannot leak into the evidence.
PASSTHROUGH = frozenset(
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


class CommandRunner(Protocol):
    """Runs one setup command of a layout, logging it; raises :class:`LayoutError` on failure."""

    def __call__(
        self,
        argv: Sequence[str],
        *,
        step: str,
        env: Mapping[str, str] | None = None,
        location: str | None = None,
        wheels: Sequence[Path] = (),
    ) -> str:
        """Run ``argv`` with the runner's hermetic environment plus ``env``; return its output."""
        ...


class BaseProvider(Protocol):
    """Makes the *base* of a layout (interpreter + its own locations) for
    `harness.envs.layouts.make_layout`, which adds wheel locations, installs,
    system libraries and template reuse the same way for every kind.
    """

    kind: str
    relocatable: bool
    """Whether a layout built in one directory still works from a copy elsewhere.

    Only relocatable kinds are reused from templates; the others are built per cell.
    """

    def fingerprint(self, python: Path) -> str:
        """Everything besides the spec that decides what :meth:`create_base` makes (cache key)."""
        ...

    def create_base(
        self,
        root: Path,
        python: Path,
        *,
        installer: Installer,
        user_site: bool,
        run: CommandRunner,
    ) -> Layout:
        """Make the base layout under ``root`` (which exists and is empty).

        ``user_site``: the layout will get a ``user`` location, so the interpreter
        must honour ``PYTHONUSERBASE`` (a venv needs ``include-system-site-packages``).
        """
        ...
