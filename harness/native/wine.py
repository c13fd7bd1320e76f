"""Windows loader semantics under Wine: one prefix per work directory, one server per run.

A Wine prefix costs seconds and hundreds of MB to create, so it is made once in
``<workdir>/envs/wine/prefix-<key>`` (the key hashes ``wine --version``) and reused. A wine
server is started once per run (:class:`WineSession`, persistent while the run lasts) so
each cell pays only for its process, and is stopped at the end. Several processes may
run cells on one prefix at the same time (pytest-xdist workers): each session holds a
shared lock on the prefix, and only the last one to end stops the server.

Everything Wine writes stays in the prefix; no display is needed (``DISPLAY`` is
removed from the environment and Mono/Gecko installers are disabled).

The wine server is looked up where distributions put it, not only on ``PATH``: newer
Ubuntu installs ``wineserver`` only in the wine library folder, so a PATH-only lookup
would skip every Wine cell there (:func:`find_tool`).
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path, PurePosixPath, PureWindowsPath
from types import TracebackType
from typing import IO

from harness.native.build import ToolMissingError
from harness.workdir import WorkDir, atomic_directory

TOOLS = ("wine", "wineserver", "wineboot")
PACKAGE = "wine, wine64"
BOOT_TIMEOUT = 300
LIBRARY_DIRS: tuple[str, ...] = (
    "/usr/lib/x86_64-linux-gnu/wine",  # Debian/Ubuntu multiarch (Ubuntu 26.04: wineserver)
    "/usr/lib/wine",  # Debian 12: wineserver, wineserver64, wine64
    "/usr/lib64/wine",
    "/usr/libexec/wine",
)
"""The wine library folders searched after ``PATH``, in order."""
SERVER_VARIABLE = "WINESERVER"
"""Names the wineserver to use; Wine itself honours it, and so does :func:`find_tool`."""


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def find_tool(name: str) -> str | None:
    """The Wine program ``name`` on ``PATH``; for the server, ``$WINESERVER`` first and the
    library folders last (a ``64``-suffixed file there counts too: Debian's
    ``wineserver64``). ``wine`` and ``wineboot`` stay PATH-only: the launchers in those
    folders are not meant to be run directly (``wineboot`` there execs ``wine-stable``
    from ``PATH``)."""
    if name == "wineserver":
        named = os.environ.get(SERVER_VARIABLE, "")
        if named and _executable(Path(named)):
            return named
    found = shutil.which(name)
    if found or name != "wineserver":
        return found
    for folder in LIBRARY_DIRS:
        for candidate in (name, f"{name}64"):
            if _executable(Path(folder, candidate)):
                return str(Path(folder, candidate))
    return None


def tool(name: str) -> str:
    """:func:`find_tool`, or :class:`ToolMissingError` naming the package to install."""
    found = find_tool(name)
    if found is None:
        raise ToolMissingError(name, PACKAGE, "wine")
    return found


class WineError(RuntimeError):
    """Wine could not create its prefix or start its server; the message says what ran."""


def missing_tool() -> ToolMissingError | None:
    """The error to raise (or skip with) when a Wine program is not installed."""
    for name in TOOLS:
        if find_tool(name) is None:
            return ToolMissingError(name, PACKAGE, "wine")
    return None


def base_env(prefix: Path) -> dict[str, str]:
    """The environment of every Wine process on ``prefix``: quiet, headless, no installers,
    and ``WINESERVER`` naming the server found here, so Wine starts that one."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(
        WINEPREFIX=str(prefix),
        WINEDEBUG="-all",
        WINEDLLOVERRIDES="mscoree,mshtml=",
    )
    server = find_tool("wineserver")
    if server is not None:
        env[SERVER_VARIABLE] = server
    return env


def to_windows(path: Path) -> str:
    """The Windows path of a host file as Wine's default ``Z:`` drive (``/``) shows it."""
    return "Z:" + str(PureWindowsPath(PurePosixPath(path.resolve())))


def to_host(path: str, prefix: Path | None = None) -> Path | None:
    """The host file behind a Windows path from the evidence (``Z:`` or the prefix's ``C:``)."""
    windows = PureWindowsPath(path)
    rest = windows.parts[1:]
    if windows.drive.upper() == "Z:":
        return Path("/", *rest)
    if windows.drive.upper() == "C:" and prefix is not None:
        return prefix.joinpath("drive_c", *rest)
    return None


def _run(command: list[str], env: dict[str, str], timeout: float, log: Path) -> None:
    """Run a Wine tool with its output in ``log``, never in a pipe.

    A Wine program may start a wine server, which inherits its stdout/stderr and lives
    on after the program exits: reading those through a pipe would wait for the server.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as output:
        try:
            returncode = subprocess.run(
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                check=False,
                timeout=timeout,
            ).returncode
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise WineError(f"{' '.join(command)} did not finish: {exc} (log: {log})") from None
    if returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").strip()[-2000:]
        raise WineError(
            f"{' '.join(command)} failed (exit {returncode}): {tail or 'no output'} (log: {log})"
        )


def _version() -> str:
    result = subprocess.run(
        [tool("wine"), "--version"], capture_output=True, text=True, check=False, timeout=60
    )
    return result.stdout.strip() or result.stderr.strip()


@contextlib.contextmanager
def _locked(path: Path, mode: int) -> Iterator[IO[str]]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as handle:
        fcntl.flock(handle.fileno(), mode)
        try:
            yield handle
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def ensure_prefix(workdir: WorkDir) -> Path:
    """The work directory's Wine prefix, created on first use (seconds; reused after)."""
    missing = missing_tool()
    if missing is not None:
        raise missing
    key = hashlib.sha256(_version().encode()).hexdigest()[:12]
    home = workdir.envs / "wine"
    final = home / f"prefix-{key}"
    if (final / "system.reg").is_file():
        return final
    with _locked(home / f"prefix-{key}.create.lock", fcntl.LOCK_EX):
        if (final / "system.reg").is_file():  # another process made it meanwhile
            return final
        with atomic_directory(final, workdir.tmp) as scratch:
            env = base_env(scratch)
            log = workdir.logs / "wine-prefix.log"
            _run([tool("wineboot"), "--init"], env, BOOT_TIMEOUT, log)
            _run([tool("wineserver"), "--wait"], env, BOOT_TIMEOUT, log.with_suffix(".wait.log"))
            if not (scratch / "system.reg").is_file():
                raise WineError(f"wineboot --init left no registry in {scratch}")
    return final


class WineSession:
    """A wine server kept running on one prefix while a run's cells use it."""

    def __init__(self, workdir: WorkDir) -> None:
        self.workdir = workdir
        self.prefix = ensure_prefix(workdir)
        self._lock_path = self.prefix.parent / (self.prefix.name + ".sessions.lock")
        self._lock: IO[str] | None = None

    @property
    def env(self) -> dict[str, str]:
        return base_env(self.prefix)

    @property
    def running(self) -> bool:
        return self._lock is not None

    def start(self) -> WineSession:
        """Start the server (``wineserver -p``: persistent), or join one another run started."""
        if self._lock is not None:
            return self
        handle = self._lock_path.open("a+", encoding="utf-8")
        fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
        self._lock = handle
        # Exit code 2: a server already runs on this prefix (another session's): join it.
        self._wineserver("--persistent")
        return self

    def _wineserver(self, flag: str) -> None:
        subprocess.run(
            [tool("wineserver"), flag],
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
            timeout=60,
        )

    def stop(self) -> None:
        """Release the session; the last session on the prefix stops the server."""
        handle, self._lock = self._lock, None
        if handle is None:
            return
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return  # another session still uses the server
            self._wineserver("--kill")
        finally:
            handle.close()

    def __enter__(self) -> WineSession:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


_shared: dict[Path, WineSession] = {}
_shared_lock = threading.Lock()


def shared_session(workdir: WorkDir) -> WineSession:
    """This process's session on ``workdir``'s prefix: started on first use, stopped at exit."""
    with _shared_lock:
        session = _shared.get(workdir.root)
        if session is None:
            session = _shared[workdir.root] = WineSession(workdir)
            atexit.register(session.stop)
        return session.start()
