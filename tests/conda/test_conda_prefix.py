"""A conda prefix made by py-rattler from the local channel is real and behaves like conda-forge's."""

from __future__ import annotations

import json
import os
import py_compile
import re
import subprocess
from pathlib import Path

import pytest
from conda_testlib import build_extension, run_probe

from harness.conda import cpython, elf
from harness.conda import prefix as conda_prefix
from harness.conda.prefix import CondaPrefix
from harness.workdir import WorkDir

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def made(
    conda_workdir: WorkDir, interpreter: Path, tmp_path_factory: pytest.TempPathFactory
) -> CondaPrefix:
    dest = tmp_path_factory.mktemp("prefix") / "env"
    return conda_prefix.create_prefix(
        conda_workdir, interpreter, dest, ["libfoo 1.*"], backend="rattler"
    )


def _env(made: CondaPrefix) -> dict[str, str]:
    return {
        "PATH": f"{made.path / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "CONDA_PREFIX": str(made.path),
        "PYTHONNOUSERSITE": "1",
        "HOME": os.environ.get("HOME", "/"),
    }


def test_conda_meta_records_what_was_installed(made: CondaPrefix) -> None:
    records = {
        json.loads(p.read_text())["name"]: json.loads(p.read_text())
        for p in (made.path / "conda-meta").glob("*.json")
    }
    assert set(records) == {"python", "pip", "libfoo"}
    assert records["libfoo"]["version"] == "1.0"
    for name, record in records.items():
        assert record["files"], f"conda-meta record of {name} lists no files"
        missing = [f for f in record["files"] if not (made.path / f).exists()]
        assert not missing, f"{name}: files recorded in conda-meta but absent: {missing[:5]}"
    assert "lib/libfoo.so.1" in records["libfoo"]["files"]


def test_python_has_dt_rpath_origin_lib_not_runpath(made: CondaPrefix, interpreter: Path) -> None:
    executable = elf.read(made.python.resolve())
    assert elf.search_path(executable, "DT_RPATH") == ["$ORIGIN/../lib"]
    assert elf.search_path(executable, "DT_RUNPATH") == []
    # Negative control: the source interpreter did not already carry it, so the
    # packaging step is what gave the prefix's python its conda-forge-like RPATH.
    source = cpython.inspect(interpreter)
    original = elf.read(source.prefix / "bin" / f"python{source.short}")
    assert elf.search_path(original, "DT_RPATH") != ["$ORIGIN/../lib"]


def test_python_runs_and_imports_stdlib_from_the_prefix(made: CondaPrefix) -> None:
    code = (
        "import json, sys, ssl, ctypes, sqlite3, decimal, zlib, hashlib; "
        "print(json.dumps({'prefix': sys.prefix, 'files': [m.__file__ for m in "
        "(ssl, ctypes, sqlite3, decimal, zlib, hashlib) if getattr(m, '__file__', None)], "
        "'ext': [sys.modules[n].__file__ for n in ('_ssl', '_ctypes', '_sqlite3')]}))"
    )
    result = subprocess.run(
        [str(made.python), "-c", code], capture_output=True, text=True, env=_env(made), check=False
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert Path(data["prefix"]) == made.path
    for file in data["files"] + data["ext"]:
        assert Path(file).is_relative_to(made.path), file


def _import_verbose(made: CondaPrefix, code: str, **extra: str) -> str:
    """``python -v -c CODE`` in the prefix, writing no bytecode: the import system's log."""
    env = {**_env(made), "PYTHONDONTWRITEBYTECODE": "1", **extra}
    result = subprocess.run(
        [str(made.python), "-v", "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stderr


def test_stdlib_bytecode_from_the_package_is_still_valid(made: CondaPrefix, tmp_path: Path) -> None:
    """The package keeps each file's mtime, so the source installation's timestamp-based
    ``.pyc`` files still match their sources after the installer unpacked them: the
    prefix's python loads them instead of compiling the stdlib on every start."""
    log = _import_verbose(made, "import json, decimal, email.message, argparse")
    assert "bytecode is stale" not in log, log[-3000:]
    stdlib = re.escape(f"{made.path}/lib/python")
    for module in ("json/__init__.py", "decimal.py", "email/message.py", "argparse.py"):
        pattern = rf"^# {stdlib}\S+\.pyc matches {stdlib}[\d.]+/{re.escape(module)}$"
        assert re.search(pattern, log, re.MULTILINE), module
    # Control: a source whose mtime moved after compiling is reported stale by this log.
    (tmp_path / "moved.py").write_text("VALUE = 1\n")
    py_compile.compile(str(tmp_path / "moved.py"), doraise=True)
    later = (tmp_path / "moved.py").stat().st_mtime + 10
    os.utime(tmp_path / "moved.py", (later, later))
    log = _import_verbose(made, "import moved", PYTHONPATH=str(tmp_path))
    assert "bytecode is stale for 'moved'" in log, log[-3000:]


def test_pip_in_the_prefix_is_the_prefix_own(made: CondaPrefix) -> None:
    result = subprocess.run(
        [str(made.python), "-m", "pip", "--version"],
        capture_output=True,
        text=True,
        env=_env(made),
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert str(made.site_packages / "pip") in result.stdout


def test_rpath_makes_an_extension_without_rpath_bind_to_conda_libfoo(
    made: CondaPrefix, interpreter: Path, tmp_path: Path
) -> None:
    extension = build_extension(made.python, made.path, tmp_path)
    facts = elf.read(extension)
    assert elf.needed(facts).count("libfoo.so.1") == 1
    assert facts.rpaths == ()

    seen = run_probe(made.python, tmp_path, _env(made))
    assert seen["ok"], seen
    assert seen["identity"] == "libfoo 1.0 conda"
    assert seen["libfoo"] == [str((made.path / "lib" / "libfoo.so.1").resolve())]

    # Negative control: the same extension under the original interpreter (same
    # CPython, no DT_RPATH into the prefix) does not find libfoo at all.
    source = cpython.inspect(interpreter)
    unrelated = run_probe(source.prefix / "bin" / f"python{source.short}", tmp_path, _env(made))
    assert not unrelated["ok"]
    assert "libfoo.so.1" in str(unrelated["error"])
    assert unrelated["libfoo"] == []


def test_a_second_prefix_is_a_cheap_clone_of_the_template(
    made: CondaPrefix, conda_workdir: WorkDir, interpreter: Path, tmp_path: Path
) -> None:
    other = conda_prefix.create_prefix(
        conda_workdir, interpreter, tmp_path / "env2", ["libfoo 1.*"], backend="rattler"
    )
    libpython = sorted((other.path / "lib").glob("libpython3*.so.1.0"))
    assert libpython and libpython[0].stat().st_nlink >= 2, "not hard-linked to the template"
    shebang = (other.path / "bin" / "pip").read_text().splitlines()[0]
    assert shebang == f"#!{other.path / 'bin'}/python{cpython.inspect(interpreter).short}"
