"""Find CPython interpreters by version ("3.12") on this machine.

pyenv shims answer only for the selected version, so installed pyenv versions are
looked up directly before falling back to ``pythonX.Y`` on ``PATH``.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from harness import platforms

_VERSION_RE = re.compile(r"^3\.(\d+)$")


class InterpreterNotFoundError(LookupError):
    """No working interpreter of the requested version exists on this machine."""


def running_version() -> str:
    """The running interpreter's ``"3.11"``."""
    return f"{sys.version_info[0]}.{sys.version_info[1]}"


def tag(version: str) -> str:
    """The CPython wheel tag of a version: ``"3.12"`` -> ``"cp312"``."""
    return "cp" + version.replace(".", "")


@dataclass(frozen=True)
class Interpreter:
    """One CPython interpreter the harness can build for and run cells with."""

    version: str
    """``"3.12"``."""
    executable: Path

    @property
    def tag(self) -> str:
        """The CPython wheel tag, ``"cp312"``."""
        return tag(self.version)


@functools.lru_cache(maxsize=64)
def _reports_version(executable: Path, version: str) -> bool:
    """Whether ``executable`` runs and is CPython ``version`` (asked once per process: every
    cell of a run resolves its interpreter, and each answer costs an interpreter start)."""
    try:
        out = subprocess.run(
            [str(executable), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError:
        return False
    return out.returncode == 0 and out.stdout.strip() == version


def _running_base_executable() -> Path:
    """The running interpreter, or the base CPython behind it when it runs inside a venv.

    Layouts are made *from* a base interpreter (a venv's python is only a link to one,
    and copying it into a conda package would copy the link).
    """
    if sys.prefix == sys.base_prefix:
        return Path(sys.executable)
    base = getattr(sys, "_base_executable", "")
    if base and Path(base).exists() and Path(base).resolve() != Path(sys.executable).resolve():
        return Path(base)
    name = f"python{sys.version_info[0]}.{sys.version_info[1]}{platforms.current().exe_suffix}"
    scripts = "" if platforms.current().name == "windows" else platforms.current().scripts_dir
    return Path(sys.base_prefix) / scripts / name


def _candidates(version: str) -> list[Path]:
    found: list[Path] = []
    if running_version() == version:
        found.append(_running_base_executable())
    pyenv_root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    versions_dir = Path(pyenv_root) / "versions"
    if versions_dir.is_dir():
        for entry in sorted(versions_dir.iterdir(), reverse=True):
            if entry.name == version or entry.name.startswith(version + "."):
                exe = entry / platforms.current().scripts_dir / f"python{version}"
                if platforms.current().name == "windows":
                    exe = entry / "python.exe"
                found.append(exe)
    on_path = shutil.which(f"python{version}")
    if on_path:
        found.append(Path(on_path))
    launcher = _from_windows_launcher(version)
    if launcher:
        found.append(launcher)
    return found


def _from_windows_launcher(version: str) -> Path | None:
    """Ask the Windows ``py`` launcher, which knows installs that have no ``pythonX.Y``."""
    py = shutil.which("py")
    if py is None:
        return None
    try:
        out = subprocess.run(
            [py, f"-{version}", "-c", "import sys; print(sys.executable)"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError:
        return None
    executable = out.stdout.strip()
    return Path(executable) if out.returncode == 0 and executable else None


def find(version: str) -> Interpreter:
    """Resolve ``"3.12"`` (or ``"current"``) to a working interpreter."""
    if version == "current":
        version = running_version()
    if not _VERSION_RE.match(version):
        raise InterpreterNotFoundError(f"--python expects versions like 3.12, got {version!r}")
    for candidate in _candidates(version):
        if candidate.exists() and _reports_version(candidate, version):
            return Interpreter(version=version, executable=candidate)
    raise InterpreterNotFoundError(
        f"no working CPython {version} found (looked in the running interpreter, pyenv versions "
        f"and python{version} on PATH); install it, e.g. `pyenv install {version}` or `uv python install {version}`"
    )


SUPPORTED_MINORS = range(9, 16)
"""CPython 3.9 (the oldest the loader packages support) up to the newest we know of."""


KEYWORDS = ("current", "oldest", "newest", "all")
"""``--python`` words that stand for versions found on this machine."""


@functools.lru_cache(maxsize=1)
def available_versions() -> tuple[str, ...]:
    """Every supported CPython version with a working interpreter here, oldest first."""
    found: list[str] = []
    for minor in SUPPORTED_MINORS:
        try:
            find(f"3.{minor}")
        except InterpreterNotFoundError:
            continue
        found.append(f"3.{minor}")
    return tuple(found)


def expand_keywords(versions: tuple[str, ...]) -> tuple[str, ...]:
    """Replace ``current``/``oldest``/``newest``/``all`` with versions; keep order, drop repeats.

    ``oldest,newest`` lets one command line (tox, the README) test the extremes of
    whatever this machine has: 3.9 and 3.13 here, just the running one elsewhere.
    """
    expanded: list[str] = []
    for word in versions:
        if word == "current":
            chosen: tuple[str, ...] = (running_version(),)
        elif word in ("oldest", "newest", "all"):
            available = available_versions() or (running_version(),)
            chosen = {"oldest": available[:1], "newest": available[-1:], "all": available}[word]
        else:
            chosen = (word,)
        expanded.extend(version for version in chosen if version not in expanded)
    return tuple(expanded)


def is_version_word(word: str) -> bool:
    """``3.12`` or a keyword (``current``, ``oldest``...): what ``--python`` accepts."""
    return word in KEYWORDS or bool(_VERSION_RE.match(word))


def parse_versions(spec: str) -> list[str]:
    """Split ``"3.9,3.12"`` into versions, keeping order and dropping repeats."""
    versions: list[str] = []
    for part in spec.split(","):
        version = part.strip()
        if version and version not in versions:
            versions.append(version)
    return versions
