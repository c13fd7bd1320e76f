"""Real shared libraries, a loader module and interpreters for the probe tests.

The libraries are compiled with gcc into a temporary directory once per session;
the probe runs as a subprocess of real CPython interpreters against them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from harness import interpreters
from harness.envs.layout import Layout
from harness.evidence import Evidence
from harness.scenarios.probing import ProbeSpec, ProbeStep, run_probe

NEWEST_CANDIDATES = ("3.14", "3.13", "3.12", "3.11", "3.10")
OLDEST = "3.9"

IDENTITY = 'const char *{name}_identity(void) {{ return "{value}"; }}\n'

# file name -> (SONAME or None, C source, extra gcc arguments)
LIBRARIES: dict[str, tuple[str | None, str, list[str]]] = {
    "libfoo.so.1": ("libfoo.so.1", IDENTITY.format(name="foo", value="libfoo 1.0 test"), []),
    # what auditwheel makes of a copy it bundles: hash in the file name and the SONAME
    "libfoo-1a2b3c4d.so.1": (
        "libfoo-1a2b3c4d.so.1",
        IDENTITY.format(name="foo", value="libfoo 1.0 mangled"),
        [],
    ),
    # another build with the same SONAME in another directory
    "other/libfoo.so.1": ("libfoo.so.1", IDENTITY.format(name="foo", value="libfoo 1.0 other"), []),
    "libbar.so.1": (
        "libbar.so.1",
        "const char *foo_identity(void);\n"
        + IDENTITY.format(name="bar", value="libbar 1.0 test")
        + "const char *bar_foo(void) { return foo_identity(); }\n",
        ["-L{dir}", "-l:libfoo.so.1", "-Wl,-rpath,$ORIGIN"],
    ),
    "libnoso.so": (None, IDENTITY.format(name="noso", value="libnoso 1.0 test"), []),
    "libclasha.so.1": (
        "libclasha.so.1",
        'const char *clash_value(void) { return "a"; }\n'
        + IDENTITY.format(name="clasha", value="libclasha 1.0 test"),
        [],
    ),
    "libclashb.so.1": (
        "libclashb.so.1",
        'const char *clash_value(void) { return "b"; }\n'
        + IDENTITY.format(name="clashb", value="libclashb 1.0 test"),
        [],
    ),
}

FIXTURE_MODULE = '''
"""Loads the test libraries the way producer packages do (ctypes, explicit mode)."""
import ctypes
import os

_KEEP = []


def load(path, mode="local"):
    flag = {"local": os.RTLD_LOCAL, "global": os.RTLD_GLOBAL}[mode]
    _KEEP.append(ctypes.CDLL(path, mode=flag | os.RTLD_NOW))
    return path


def handle_resolves(path, symbol):
    """Whether dlsym on the handle of ``path`` finds ``symbol`` (it searches dependencies too)."""
    library = ctypes.CDLL(path, mode=os.RTLD_NOLOAD | os.RTLD_NOW)
    return hasattr(library, symbol)


def raise_system_exit():
    raise SystemExit("leaving from a step")


def raise_keyboard_interrupt():
    raise KeyboardInterrupt


def unserialisable():
    return object()


def mapping():
    return {"answer": 42, "items": [1, "two", None]}


def crash():
    ctypes.string_at(0)
'''

BROKEN_PACKAGE = """
raise ImportError("libmissing.so.1: cannot open shared object file: No such file or directory")
"""


def _build(out_dir: Path) -> dict[str, Path]:
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc not found on PATH: the probe tests compile real shared libraries")
    built: dict[str, Path] = {}
    for file_name, (soname, source, extra) in LIBRARIES.items():
        target = out_dir / file_name
        target.parent.mkdir(parents=True, exist_ok=True)
        source_file = target.with_name(target.name + ".c")
        source_file.write_text(source, encoding="utf-8")
        command = [gcc, "-shared", "-fPIC", "-o", str(target), str(source_file)]
        if soname:
            command.append(f"-Wl,-soname,{soname}")
        command += [arg.format(dir=out_dir) for arg in extra]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            pytest.fail(f"building {file_name} failed: {' '.join(command)}\n{result.stderr}")
        built[file_name] = target
    (out_dir / "libfoo.so").symlink_to("libfoo.so.1")
    built["libfoo.so"] = out_dir / "libfoo.so"
    return built


@pytest.fixture(scope="session")
def libs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """File name -> path of the compiled test libraries (plus the ``libfoo.so`` symlink)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the in-process probe tests build ELF libraries and need Linux")
    return _build(tmp_path_factory.mktemp("native"))


@pytest.fixture(scope="session")
def modules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with the loader module and a package whose submodule fails to import."""
    directory = tmp_path_factory.mktemp("modules")
    (directory / "probefixture.py").write_text(textwrap.dedent(FIXTURE_MODULE), encoding="utf-8")
    package = directory / "brokenpkg"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "sub.py").write_text(BROKEN_PACKAGE, encoding="utf-8")
    return directory


def _newest() -> interpreters.Interpreter:
    for version in NEWEST_CANDIDATES:
        try:
            return interpreters.find(version)
        except interpreters.InterpreterNotFoundError:
            continue
    pytest.skip(f"no CPython among {', '.join(NEWEST_CANDIDATES)} found")


def _oldest() -> interpreters.Interpreter:
    try:
        return interpreters.find(OLDEST)
    except interpreters.InterpreterNotFoundError as exc:
        pytest.skip(f"CPython {OLDEST} (the oldest supported) not found: {exc}")


@pytest.fixture(scope="session", params=["oldest", "newest"])
def python(request: pytest.FixtureRequest) -> interpreters.Interpreter:
    """The oldest supported and the newest available CPython."""
    return _oldest() if request.param == "oldest" else _newest()


ProbeRunner = Callable[..., Evidence]


@pytest.fixture
def probe(
    python: interpreters.Interpreter, modules: Path, libs: dict[str, Path], tmp_path: Path
) -> ProbeRunner:
    """``probe(steps, symbols=..., identity_functions=...) -> Evidence`` in a plain layout."""
    layout = Layout(
        kind="plain",
        root=tmp_path,
        python=python.executable,
        locations={"libs": libs["libfoo.so.1"].parent, "modules": modules},
        env={"PYTHONPATH": str(modules)},
    )
    runs = iter(range(1000))

    def run(
        steps: Sequence[ProbeStep],
        *,
        symbols: Sequence[str] = (),
        identity_functions: Sequence[str] = (),
        ld_debug: str | None = None,
    ) -> Evidence:
        spec = ProbeSpec(steps=steps, symbols=symbols, identity_functions=identity_functions)
        return run_probe(
            layout, spec, tmp_path / f"cell{next(runs)}", ld_debug=ld_debug, timeout=60
        )

    return run
