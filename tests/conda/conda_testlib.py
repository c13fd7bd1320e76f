"""Helpers of the conda tests: a probe C extension and reading /proc/self/maps."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

EXTENSION_SOURCE = r"""
#define PY_SSIZE_T_CLEAN
#include <Python.h>
const char *foo_identity(void);

static PyObject *identity(PyObject *self, PyObject *args) {
    return PyUnicode_FromString(foo_identity());
}
static PyMethodDef methods[] = {{"identity", identity, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "rpathprobe", NULL, -1, methods};
PyMODINIT_FUNC PyInit_rpathprobe(void) { return PyModule_Create(&module); }
"""

# Runs inside the prefix's python: import the probe extension, then report every
# mapped file whose name starts with libfoo, straight from the kernel's view.
PROBE = """
import json, sys
try:
    import rpathprobe
    result = {"ok": True, "identity": rpathprobe.identity()}
except ImportError as error:
    result = {"ok": False, "error": str(error)}
with open("/proc/self/maps") as maps:
    paths = {line.split(None, 5)[5].strip() for line in maps if len(line.split(None, 5)) == 6}
result["libfoo"] = sorted(p for p in paths if p.rsplit("/", 1)[-1].startswith("libfoo"))
print(json.dumps(result))
"""


def build_extension(python: Path, prefix: Path, out_dir: Path) -> Path:
    """``rpathprobe`` with ``DT_NEEDED libfoo.so.1`` and neither RPATH nor RUNPATH."""
    query = "import sysconfig, json; print(json.dumps([sysconfig.get_paths()['include'], sysconfig.get_config_var('EXT_SUFFIX')]))"
    include, suffix = json.loads(
        subprocess.run(
            [str(python), "-c", query], capture_output=True, text=True, check=True
        ).stdout
    )
    source = out_dir / "rpathprobe.c"
    source.write_text(EXTENSION_SOURCE)
    target = out_dir / f"rpathprobe{suffix}"
    compiler = shutil.which("cc") or shutil.which("gcc") or "cc"
    subprocess.run(
        [
            compiler,
            "-shared",
            "-fPIC",
            "-O1",
            f"-I{include}",
            str(source),
            f"-L{prefix / 'lib'}",
            "-l:libfoo.so.1",
            "-o",
            str(target),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return target


def run_probe(python: Path, module_dir: Path, env: dict[str, str]) -> dict[str, object]:
    result = subprocess.run(
        [str(python), "-c", PROBE],
        capture_output=True,
        text=True,
        check=False,
        env={**env, "PYTHONPATH": str(module_dir)},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data
