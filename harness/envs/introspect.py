"""Ask an interpreter where things are, instead of computing paths ourselves.

Install directories depend on the interpreter's build (``platlib`` may be ``lib64``,
a macOS framework build has its own user scheme), so the answers come from
``sysconfig`` / ``site`` run by that interpreter.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from harness.envs.layout import CommandRunner, LayoutError

# Runs under Python >= 3.9; prints one JSON line last.
_SNIPPET = """\
import json, os, site, sys, sysconfig
out = {"purelib": sysconfig.get_path("purelib"), "platlib": sysconfig.get_path("platlib"),
       "version": "%d.%d.%d" % sys.version_info[:3], "prefix": sys.prefix}
if os.environ.get("PYTHONUSERBASE"):
    get_scheme = getattr(sysconfig, "get_preferred_scheme", None)
    framework = sys.platform == "darwin" and getattr(sys, "_framework", "")
    scheme = get_scheme("user") if get_scheme else (
        "osx_framework_user" if framework else os.name + "_user")
    base = {"userbase": os.environ["PYTHONUSERBASE"]}
    out["user_site"] = site.getusersitepackages()
    out["user_purelib"] = sysconfig.get_path("purelib", scheme, base)
    out["user_platlib"] = sysconfig.get_path("platlib", scheme, base)
    out["user_enabled"] = bool(site.ENABLE_USER_SITE)
print(json.dumps(out))
"""


@dataclass(frozen=True)
class InstallPaths:
    """Where an interpreter installs and imports from."""

    purelib: Path
    platlib: Path
    version: str
    user_site: Path | None = None
    user_platlib: Path | None = None
    user_enabled: bool = False


def install_paths(python: Path, env: Mapping[str, str], run: CommandRunner) -> InstallPaths:
    """``sysconfig``'s answers from ``python`` (with ``PYTHONUSERBASE`` from ``env`` if set)."""
    output = run([str(python), "-c", _SNIPPET], step="query install paths", env=env)
    try:
        data = json.loads(output.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise LayoutError(
            f"{python} did not report its install paths; output was:\n{output}"
        ) from None
    user_site = data.get("user_site")
    user_platlib = data.get("user_platlib")
    return InstallPaths(
        purelib=Path(data["purelib"]),
        platlib=Path(data["platlib"]),
        version=data["version"],
        user_site=Path(user_site) if user_site else None,
        user_platlib=Path(user_platlib) if user_platlib else None,
        user_enabled=bool(data.get("user_enabled", False)),
    )


@functools.cache
def interpreter_identity(python: Path) -> tuple[str, str]:
    """``(real path, full version)`` of a base interpreter, for cache keys."""
    real = os.path.realpath(python)
    try:
        done = subprocess.run(
            [real, "-c", "import sys; print(sys.version)"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
            env={"PATH": os.environ.get("PATH", "")},
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise LayoutError(
            f"interpreter {python} does not run ({exc}); pass a working Python "
            "(see harness.interpreters.find)"
        ) from None
    return real, done.stdout.strip()
