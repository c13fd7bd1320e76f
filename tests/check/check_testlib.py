"""Small synthetic families for ``harness check``: real libraries and extension modules
compiled with gcc for the running CPython, packed into wheels written here.

Kept out of conftest.py so test modules import it by a name unique in the suite.
"""

from __future__ import annotations

import subprocess
import sysconfig
from collections.abc import Iterable, Mapping
from pathlib import Path

import suite_testlib

EXT_SUFFIX = str(sysconfig.get_config_var("EXT_SUFFIX"))
PY_TAG = f"cp{sysconfig.get_python_version().replace('.', '')}"
INCLUDE = sysconfig.get_paths()["include"]


def load_function(library: str) -> str:
    """A producer ``__init__.py`` with a RAPIDS-style ``load_library()`` (stdlib only)."""
    return (
        "import ctypes, os\n"
        "_HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib')\n"
        "def load_library():\n"
        f"    return ctypes.CDLL(os.path.join(_HERE, {library!r}), ctypes.RTLD_LOCAL)\n"
    )


class Builder:
    """Compile into ``directory``: libraries by SONAME, extensions for this interpreter."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._count = 0

    def _fresh(self) -> Path:
        self._count += 1
        path = self.directory / f"b{self._count}"
        path.mkdir()
        return path

    def library(
        self,
        soname: str,
        function: str,
        *,
        calls: str | None = None,
        link: Iterable[Path] = (),
        rpath: str | None = None,
    ) -> Path:
        """``soname`` defining ``function`` (which calls ``calls`` when given)."""
        work = self._fresh()
        body = f"return {calls}() + 1;" if calls else "return 1;"
        declare = f"int {calls}(void);\n" if calls else ""
        (work / "lib.c").write_text(f"{declare}int {function}(void) {{ {body} }}\n")
        out = work / soname
        command = ["gcc", "-shared", "-fPIC", "-o", str(out), str(work / "lib.c")]
        command += [f"-Wl,-soname,{soname}", "-Wl,--no-as-needed", *map(str, link)]
        if rpath:
            command.append(f"-Wl,-rpath,{rpath}")
        subprocess.run(command, check=True, capture_output=True)
        return out

    def extension(
        self,
        name: str,
        *,
        calls: str | None = None,
        link: Iterable[Path] = (),
        rpath: str | None = None,
    ) -> Path:
        """An importable extension module ``name`` (its ``PyInit``), calling ``calls`` at
        import when given, linked to ``link``."""
        work = self._fresh()
        declare = f"int {calls}(void);\n" if calls else ""
        call = f"{calls}();" if calls else ""
        (work / "ext.c").write_text(
            "#include <Python.h>\n"
            f"{declare}"
            f'static struct PyModuleDef def = {{PyModuleDef_HEAD_INIT, "{name}", NULL, -1, NULL}};\n'
            f"PyMODINIT_FUNC PyInit_{name}(void) {{ {call} return PyModule_Create(&def); }}\n"
        )
        out = work / f"{name}{EXT_SUFFIX}"
        command = ["gcc", "-shared", "-fPIC", f"-I{INCLUDE}", "-o", str(out), str(work / "ext.c")]
        command += ["-Wl,--no-as-needed", *map(str, link)]
        if rpath:
            command.append(f"-Wl,-rpath,{rpath}")
        subprocess.run(command, check=True, capture_output=True)
        return out


def write_wheel(
    directory: Path,
    dist: str,
    files: Mapping[str, bytes | str | Path],
    *,
    requires: Iterable[str] = (),
    pure: bool = False,
) -> Path:
    """A wheel with METADATA, WHEEL and RECORD (``linux_x86_64`` for this CPython)."""
    tag = suite_testlib.PURE_TAG if pure else f"{PY_TAG}-{PY_TAG}-linux_x86_64"
    return suite_testlib.write_wheel(directory, dist, files, tag=tag, requires=requires, mode=0o755)


def wheel_of_files(directory: Path, name: str, files: Mapping[str, str]) -> Path:
    """A pure-Python wheel ``name`` 1.0 holding ``files`` (path in the wheel -> text), with
    its dist-info and RECORD: a wheel no build would make."""
    return write_wheel(directory, name, files, pure=True)


# A package whose import forks a child that calls setsid and forks a grandchild sleeping
# for an hour, its parent gone: the process a probe must not leave behind (the tests of
# harness.processes and bench_concurrent_check).
FORK_SLEEPER = """
import os, time

def _start_helper():
    child = os.fork()
    if child == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(3600)
        os._exit(0)
    os.waitpid(child, 0)

_start_helper()
"""
