"""Run a cell's probe inside a bubblewrap (``bwrap``) sandbox: the code of the wheels under
test runs there, not with the user's network, home directory and files.

Inside: new user, PID, network, IPC and UTS namespaces (no network shared with the host;
every process the cell starts dies with it); the system directories and the paths the
command names read-only; writable only the cell directory and a private ``/tmp``; ``HOME``
an empty directory in that ``/tmp``. Everything else of the host (``/home``, ``/root``,
``/tmp``, ``/var``, ``/srv``, ``/mnt``, ``/media``, ``/run``) is not there at all.

The mode comes from ``--sandbox auto|on|off`` or ``$HARNESS_SANDBOX`` (``harness run``'s
pytest workers inherit it); :func:`using` sets it for one command.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

MODES = ("auto", "on", "off")
ENV_VAR = "HARNESS_SANDBOX"
HOME = "/tmp/home"
"""The sandbox's empty home directory (in its private ``/tmp``)."""

# host directories every interpreter and loader needs, bound read-only when they exist
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt")


class SandboxUnavailableError(RuntimeError):
    """``--sandbox on`` where no sandbox can be made; the message says why."""


@dataclass(frozen=True)
class Sandbox:
    """A working ``bwrap``: wraps a command so it runs sandboxed."""

    bwrap: str

    def wrap(self, argv: Sequence[str], *, cwd: Path, readable: Iterable[Path]) -> list[str]:
        """``argv`` run by bwrap, writable only ``cwd`` (and the private ``/tmp``);
        ``readable`` paths (the interpreter, the layout, the probe) are bound read-only."""
        command = [
            self.bwrap,
            "--unshare-all",
            "--die-with-parent",
            "--new-session",
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--tmpfs",
            "/tmp",
            "--dir",
            HOME,
        ]
        for directory in SYSTEM_DIRS:
            path = Path(directory)
            if path.is_symlink():  # /lib -> usr/lib on merged-/usr systems
                command += ["--symlink", str(path.readlink()), directory]
            elif path.is_dir():
                command += ["--ro-bind", directory, directory]
        for path in _outermost(p for p in readable if p.exists() and not _is_system(p)):
            command += ["--ro-bind", str(path), str(path)]
        command += ["--bind", str(cwd), str(cwd), "--chdir", str(cwd), "--", *argv]
        return command

    @staticmethod
    def environment(env: Mapping[str, str]) -> dict[str, str]:
        """The process environment inside: the cell's own, with the empty home and tmp."""
        return {**env, "HOME": HOME, "TMPDIR": "/tmp", "TMP": "/tmp", "TEMP": "/tmp"}


def _is_system(path: Path) -> bool:
    return any(path == Path(d) or Path(d) in path.parents for d in SYSTEM_DIRS)


def _outermost(paths: Iterable[Path]) -> list[Path]:
    """The paths without those inside another (one bind covers them)."""
    chosen: list[Path] = []
    for path in sorted({p.absolute() for p in paths}, key=lambda p: len(p.parts)):
        if not any(path == c or c in path.parents for c in chosen):
            chosen.append(path)
    return chosen


@functools.cache
def availability() -> tuple[Sandbox | None, str]:
    """A working sandbox, or None and the one-line reason (tried once per process)."""
    if not sys.platform.startswith("linux"):
        return None, f"the sandbox needs Linux namespaces (this is {sys.platform})"
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return (
            None,
            "bwrap (bubblewrap) is not on PATH; install it (Debian: apt install bubblewrap)",
        )
    trial = [*Sandbox(bwrap).wrap(["true"], cwd=Path("/"), readable=())]
    try:
        done = subprocess.run(trial, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, f"bwrap cannot run: {error}"
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        return None, (
            f"bwrap cannot make namespaces here ({said}); unprivileged user namespaces may be "
            "disabled (sysctl kernel.unprivileged_userns_clone / user.max_user_namespaces)"
        )
    return Sandbox(bwrap), ""


def choose(mode: str) -> Sandbox | None:
    """The sandbox for ``mode``: ``off`` none, ``auto`` one where available, ``on`` one or
    :class:`SandboxUnavailableError`."""
    if mode not in MODES:
        raise SandboxUnavailableError(
            f"sandbox mode {mode!r} is not one of {', '.join(MODES)} (--sandbox or ${ENV_VAR})"
        )
    if mode == "off":
        return None
    sandbox, reason = availability()
    if sandbox is None and mode == "on":
        raise SandboxUnavailableError(f"--sandbox on: {reason}")
    return sandbox


_chosen: list[Sandbox | None] = []


def active() -> Sandbox | None:
    """The sandbox probes run in now: the one :func:`using` set, else ``$HARNESS_SANDBOX``'s
    (default ``off``)."""
    if _chosen:
        return _chosen[-1]
    return choose(os.environ.get(ENV_VAR, "off") or "off")


@contextlib.contextmanager
def using(mode: str) -> Iterator[Sandbox | None]:
    """Run probes with ``mode``'s sandbox until the block ends (one command's choice)."""
    _chosen.append(choose(mode))
    try:
        yield _chosen[-1]
    finally:
        _chosen.pop()
