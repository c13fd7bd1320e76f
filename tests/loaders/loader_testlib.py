"""Helpers for the loader tests: compile real libraries, run Python in a clean process.

Kept separate from the tests so each test reads as the scenario it checks.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MANAGER_DIR = ROOT / "wheels-src" / "shared_lib_manager"
CONSUMER_DIR = ROOT / "wheels-src" / "shared_lib_consumer"

LINUX_ONLY = pytest.mark.skipif(
    not sys.platform.startswith("linux"),
    reason="needs Linux: checks glibc's DT_SONAME / DT_NEEDED matching with gcc-built ELF files",
)

# A library with an identity string, a value, and a constructor counter: the counter
# tells how many times the loader really mapped and initialised the file.
DEP_SOURCE = r"""
#include <unistd.h>
int dep_ctor_runs = 0;
__attribute__((constructor)) static void dep_ctor(void) {
    dep_ctor_runs++;
#ifdef CTOR_SLEEP_US
    usleep(CTOR_SLEEP_US);
#endif
}
const char *dep_identity(void) { return IDENTITY; }
int dep_value(void) { return 41; }
"""

# A consumer with a DT_NEEDED entry on the dependency and no RPATH/RUNPATH.
USER_SOURCE = r"""
int dep_value(void);
const char *dep_identity(void);
int user_value(void) { return dep_value() + 1; }
const char *user_dep_identity(void) { return dep_identity(); }
"""


def c_compiler() -> str:
    """The system C compiler (``$CC``, ``cc`` or ``gcc``); skips when there is none."""
    for candidate in (os.environ.get("CC"), "cc", "gcc"):
        if candidate and shutil.which(candidate):
            return candidate
    pytest.skip("needs a C compiler: none of $CC, cc, gcc is on PATH")


def compile_library(
    out_dir: Path,
    file_name: str,
    source: str,
    *,
    soname: str | None = None,
    needed: tuple[Path, ...] = (),
    defines: dict[str, str] | None = None,
) -> Path:
    """Build ``out_dir/file_name`` as a shared library; ``needed`` become DT_NEEDED entries.

    Each needed library is linked as ``-L<dir> -l:<file>`` so the consumer records the
    dependency's SONAME (or its file name when it has none) and no path, and no RPATH
    is added: the loader cannot find the dependency by searching.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    source_file = out_dir / (file_name + ".c")
    source_file.write_text(source, encoding="utf-8")
    output = out_dir / file_name
    command = [c_compiler(), "-shared", "-fPIC", "-O1", "-o", str(output), str(source_file)]
    for key, value in (defines or {}).items():
        command.append(f"-D{key}={value}")
    if soname is not None:
        command.append(f"-Wl,-soname,{soname}")
    for library in needed:
        command += [f"-L{library.parent}", f"-l:{library.name}"]
    subprocess.run(command, check=True, capture_output=True, text=True)
    source_file.unlink()
    return output


def build_dep(
    out_dir: Path,
    identity: str,
    *,
    file_name: str = "libdep.so.1",
    soname: str | None = "libdep.so.1",
    ctor_sleep_us: int | None = None,
) -> Path:
    """The dependency library (``dep_identity()`` returns ``identity``)."""
    defines = {"IDENTITY": f'"{identity}"'}
    if ctor_sleep_us is not None:
        defines["CTOR_SLEEP_US"] = str(ctor_sleep_us)
    return compile_library(out_dir, file_name, DEP_SOURCE, soname=soname, defines=defines)


def build_user(out_dir: Path, dep: Path, file_name: str = "libuser.so") -> Path:
    """A library whose DT_NEEDED names ``dep`` (by its SONAME) and that has no RPATH."""
    return compile_library(out_dir, file_name, USER_SOURCE, soname=file_name, needed=(dep,))


# Python run in the child processes: report mapped libraries as evidence.
EVIDENCE_PRELUDE = r"""
import ctypes, json, os, sys

def mapped(fragment):
    paths = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            parts = line.split(None, 5)
            if len(parts) == 6 and fragment in os.path.basename(parts[5].strip()):
                path = parts[5].strip()
                if path not in paths:
                    paths.append(path)
    return paths

def global_symbol(name):
    libc = ctypes.CDLL(None)
    libc.dlsym.restype = ctypes.c_void_p
    libc.dlsym.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    return libc.dlsym(None, name.encode()) is not None  # RTLD_DEFAULT is NULL on glibc

def emit(**evidence):
    print("EVIDENCE " + json.dumps(evidence))
"""


def clean_env(**extra: str) -> dict[str, str]:
    """The current environment without loader search or PREFER_* variables, plus ``extra``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("LD_LIBRARY_PATH", "LD_PRELOAD", "DYLD_LIBRARY_PATH", "PYTHONPATH")
        and not (key.startswith("PREFER_") and key.endswith("_SYSTEM_LIBRARY"))
    }
    env["PYTHONPATH"] = os.pathsep.join([str(MANAGER_DIR), str(CONSUMER_DIR)])
    env.update(extra)
    return env


def run_python(
    code: str,
    *,
    env: dict[str, str] | None = None,
    python: str = sys.executable,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``EVIDENCE_PRELUDE + code`` in a fresh interpreter whose environment is set at start."""
    return subprocess.run(
        [python, "-c", EVIDENCE_PRELUDE + code],
        env=env if env is not None else clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
    )


def evidence(result: subprocess.CompletedProcess[str]) -> dict[str, object]:
    """The JSON the child printed with ``emit``; fails with the child's output otherwise."""
    for line in reversed(result.stdout.splitlines()):
        if line.startswith("EVIDENCE "):
            loaded: dict[str, object] = json.loads(line[len("EVIDENCE ") :])
            return loaded
    pytest.fail(
        f"child printed no evidence (exit {result.returncode})\n"
        f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
