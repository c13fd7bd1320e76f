"""Facts about a CPython installation on this machine, asked from the interpreter itself."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from harness.conda.errors import CondaError

_QUERY = """
import json, sys, sysconfig
try:
    import pip
    pip_dir, pip_version = pip.__path__[0], pip.__version__
except ImportError:
    pip_dir, pip_version = None, None
print(json.dumps({
    "version": "%d.%d.%d" % sys.version_info[:3],
    "short": "%d.%d" % sys.version_info[:2],
    "implementation": sys.implementation.name,
    "prefix": sys.base_prefix,
    "executable": sys.executable,
    "stdlib": sysconfig.get_path("stdlib"),
    "include": sysconfig.get_path("include"),
    "pip_dir": pip_dir,
    "pip_version": pip_version,
}))
"""


@dataclass(frozen=True)
class CPythonInstall:
    """One installed CPython: where its parts are and how it was configured."""

    version: str
    short: str
    prefix: Path
    executable: Path
    stdlib: Path
    include: Path
    pip_dir: Path | None
    pip_version: str | None


def inspect(executable: Path) -> CPythonInstall:
    """Ask ``executable`` about its installation; a clear error if it is not a usable CPython."""
    try:
        result = subprocess.run(
            [str(executable), "-I", "-c", _QUERY],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
    except OSError as error:
        raise CondaError(
            f"cannot run {executable} to package it as conda python: {error}"
        ) from error
    if result.returncode != 0:
        raise CondaError(f"{executable} failed to describe itself: {result.stderr.strip()}")
    data = json.loads(result.stdout)
    if data["implementation"] != "cpython":
        raise CondaError(f"{executable} is {data['implementation']}, not CPython")
    pip_dir = data["pip_dir"]
    return CPythonInstall(
        version=data["version"],
        short=data["short"],
        prefix=Path(data["prefix"]).resolve(),
        executable=Path(data["executable"]),
        stdlib=Path(data["stdlib"]).resolve(),
        include=Path(data["include"]).resolve(),
        pip_dir=Path(pip_dir).resolve() if pip_dir else None,
        pip_version=data["pip_version"],
    )
