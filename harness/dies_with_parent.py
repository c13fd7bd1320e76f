"""Start a child that Linux kills when the harness dies (``PR_SET_PDEATHSIG``), cheaply.

The request has to be made by the child, between fork and exec. A ``preexec_fn`` makes
it, but makes CPython ``fork()`` instead of ``vfork()``, and ``fork()`` copies the
parent's page tables: about 2 ms plus 18 ms per GB the parent holds (a test-suite worker
or a ``harness check`` of a large family holds 300-400 MB: 7-9 ms a child). So where
nothing can tell the two apart, the child starts as ``setpriv --pdeathsig KILL --
/bin/sh -c CHECK <harness pid> COMMAND...``: setpriv makes the request, the shell kills
itself when its parent is no longer the harness (the harness died before the request
took effect, the case the ``preexec_fn`` checks too) and replaces itself with the
command, in the same process: 2.4 ms whatever the parent holds
(``benchmarks/bench_spawn.py``).

Nothing can tell them apart when

- the command is sure to start: its path (absolute, or the first match of its name on
  the child's ``PATH``) is an executable regular file that is an ELF image, or a ``#!``
  script whose interpreter is one. Otherwise ``execve`` could fail, and the shell would
  report that as exit status 126 or 127 (or run the file as a shell script), where
  ``subprocess`` raises the ``OSError`` the harness's fault diagnosis reads (an
  interpreter gone, a tool not executable);
- the child's environment sets no ``LD_*`` variable: setpriv and the shell would load
  under ``LD_PRELOAD`` or ``LD_DEBUG`` too and add to the evidence.

Everything else gets the ``preexec_fn``. Elsewhere than Linux neither is needed (a stop
signal kills the children there).
"""

from __future__ import annotations

import ctypes
import functools
import os
import shutil
import signal
import stat
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

PR_SET_PDEATHSIG = 1
SHELL = "/bin/sh"
CHECK = '[ "$PPID" = "$0" ] || kill -9 $$; exec "$@"'
"""The shell's part: ``$0`` is the harness's pid, ``"$@"`` the command."""
_ELF = b"\x7fELF"


def _load_prctl() -> Callable[[int, int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function: Callable[[int, int], int] = libc.prctl
    except (OSError, AttributeError):
        return None
    return function


PRCTL = _load_prctl()


def preexec() -> Callable[[], None] | None:
    """A ``preexec_fn`` asking Linux to SIGKILL the child when the thread that started
    it exits: a killed harness (even by SIGKILL) leaves no direct child running. None
    elsewhere than Linux."""
    if PRCTL is None:
        return None
    parent = os.getpid()
    prctl = PRCTL

    def request() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os.kill(os.getpid(), signal.SIGKILL)

    return request


@functools.cache
def setpriv() -> str | None:
    """A ``setpriv`` that takes ``--pdeathsig`` (util-linux 2.33 and later), tried once
    per process; None without one (Alpine has it only in ``util-linux-misc``)."""
    found = shutil.which("setpriv")
    if PRCTL is None or found is None or not sure_to_start(Path(SHELL)):
        return None
    try:
        done = subprocess.run(
            [found, "--pdeathsig", "KILL", "--", SHELL, "-c", "exit 0"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return found if done.returncode == 0 else None


def sure_to_start(path: Path, *, interpreted: bool = False) -> bool:
    """``execve(path)`` will start it: an executable regular file that is an ELF image or
    (not for an interpreter) a ``#!`` script whose interpreter is one."""
    try:
        if not stat.S_ISREG(path.stat().st_mode) or not os.access(path, os.X_OK):
            return False
        with path.open("rb") as stream:
            head = stream.read(256)
    except OSError:
        return False
    if head.startswith(_ELF):
        return True
    if interpreted or not head.startswith(b"#!"):
        return False
    line, newline, _ = head[2:].partition(b"\n")
    words = line.split()
    return (
        bool(newline and words)
        and words[0].startswith(b"/")
        and sure_to_start(Path(os.fsdecode(words[0])), interpreted=True)
    )


def resolved(name: str, env: Mapping[str, str]) -> Path | None:
    """The file ``execve`` would start for ``name`` in a child with ``env`` (as
    ``subprocess`` and the shell search: the first existing match on its ``PATH``),
    when it is absolute and sure to start; None otherwise."""
    if "/" in name:
        path = Path(name)
        return path if path.is_absolute() and sure_to_start(path) else None
    for directory in os.get_exec_path(dict(env)):
        candidate = Path(directory) / name
        if candidate.is_symlink() or candidate.exists():
            return candidate if candidate.is_absolute() and sure_to_start(candidate) else None
    return None


def popen_args(
    command: Sequence[str], env: Mapping[str, str]
) -> tuple[list[str], Callable[[], None] | None]:
    """``args`` and ``preexec_fn`` for ``subprocess.Popen`` that start ``command``, with
    ``env``, as a child that dies with this process."""
    argv = list(command)
    if PRCTL is None:
        return argv, None
    wrapper = setpriv()
    if (
        wrapper is None
        or not argv
        or any(name.startswith("LD_") for name in env)
        or resolved(argv[0], env) is None
    ):
        return argv, preexec()
    return wrapped(argv, wrapper, os.getpid()), None


def wrapped(command: Sequence[str], setpriv_path: str, parent: int) -> list[str]:
    """``command`` started by ``setpriv --pdeathsig KILL`` and the shell's check that its
    parent is still ``parent``."""
    return [setpriv_path, "--pdeathsig", "KILL", "--", SHELL, "-c", CHECK, str(parent), *command]
