"""Time the loader packages against bare ctypes; print medians and ratios.

Measures, with one freshly compiled library (gcc, RTLD_LOCAL):

* first load: ``LibraryLoader.load()`` vs ``ctypes.CDLL(path, RTLD_LOCAL)``, each
  measurement in a fresh interpreter (both with ``ctypes`` already imported), and the
  same end to end (import of the module included) against ``import ctypes`` + CDLL;
* repeated load: ``load()`` on an already loaded loader vs ``ctypes.CDLL`` of the
  loaded file and a raw ``dlopen`` call;
* import time of each module (``python -X importtime``, cumulative, fresh processes).

Usage: ``python benchmarks/bench_loaders.py [--python PATH] [--repeat N]``. Linux only
(it compiles an ELF library with the system C compiler).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULE_DIRS = {
    "shared_lib_manager": ROOT / "wheels-src" / "shared_lib_manager",
    "shared_lib_consumer": ROOT / "wheels-src" / "shared_lib_consumer",
}
SOURCE = "int bench_value(void) { return 7; }\n"

FIRST_BARE = """
import ctypes, os, sys, time
t = time.perf_counter()
ctypes.CDLL(sys.argv[1], mode=os.RTLD_LOCAL)
print(time.perf_counter() - t)
"""
FIRST_LOADER = """
import ctypes, os, sys, time
from shared_lib_manager import LibraryLoader, PlatformLibrary
loader = LibraryLoader({"libbench": PlatformLibrary(Linux=sys.argv[1])})
t = time.perf_counter()
loader.load()
print(time.perf_counter() - t)
"""
COLD_BARE = """
import sys, time
t = time.perf_counter()
import ctypes, os
ctypes.CDLL(sys.argv[1], mode=os.RTLD_LOCAL)
print(time.perf_counter() - t)
"""
COLD_LOADER = """
import sys, time
t = time.perf_counter()
from shared_lib_manager import LibraryLoader, PlatformLibrary
LibraryLoader({"libbench": PlatformLibrary(Linux=sys.argv[1])}).load()
print(time.perf_counter() - t)
"""
REPEATED = """
import ctypes, os, sys, timeit
from shared_lib_manager import LibraryLoader, PlatformLibrary
path = sys.argv[1]
loader = LibraryLoader({"libbench": PlatformLibrary(Linux=path)})
loader.load()
libc = ctypes.CDLL(None)
libc.dlopen.restype = ctypes.c_void_p
libc.dlopen.argtypes = [ctypes.c_char_p, ctypes.c_int]
raw = path.encode()
mode = os.RTLD_LOCAL | os.RTLD_NOW
for name, stmt in [
    ("load", lambda: loader.load()),
    ("cdll", lambda: ctypes.CDLL(path, mode=os.RTLD_LOCAL)),
    ("dlopen", lambda: libc.dlopen(raw, mode)),
]:
    timer = timeit.Timer(stmt)
    number = 20000
    runs = timer.repeat(repeat=7, number=number)
    print(name, statistics.median(runs) / number)
""".replace("import ctypes, os, sys, timeit", "import ctypes, os, statistics, sys, timeit")


_SITE: list[Path] = []


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LD_LIBRARY_PATH", "PYTHONPATH")}
    env["PYTHONPATH"] = os.pathsep.join(str(d) for d in _SITE)
    return env


def _install(python: str, site: Path) -> None:
    """Copy the modules into ``site`` and byte-compile them, as installing a wheel would.

    Without this, PYTHONDONTWRITEBYTECODE (or a read-only checkout) makes every fresh
    process compile the source and the import time measures the compiler.
    """
    site.mkdir()
    for module, directory in MODULE_DIRS.items():
        shutil.copy2(directory / f"{module}.py", site / f"{module}.py")
    subprocess.run([python, "-m", "compileall", "-q", str(site)], check=True)
    _SITE[:] = [site]


def _run(python: str, code: str, *args: str) -> str:
    result = subprocess.run(
        [python, "-c", code, *args], env=_env(), capture_output=True, text=True, check=True
    )
    return result.stdout


def _median_seconds(python: str, code: str, library: Path, repeat: int) -> float:
    return statistics.median(float(_run(python, code, str(library))) for _ in range(repeat))


def _import_time_us(python: str, module: str, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        result = subprocess.run(
            [python, "-X", "importtime", "-c", f"import {module}"],
            env=_env(),
            capture_output=True,
            text=True,
            check=True,
        )
        for line in result.stderr.splitlines():
            fields = [f.strip() for f in line.split("|")]
            if len(fields) == 3 and fields[2] == module:
                samples.append(float(fields[1]))
    return statistics.median(samples)


def _compile(directory: Path, index: int) -> Path:
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise SystemExit("needs a C compiler ($CC, cc or gcc) to build the benchmark library")
    source = directory / "bench.c"
    source.write_text(SOURCE, encoding="utf-8")
    name = f"libbench{index}.so.1"
    out = directory / name
    subprocess.run(
        [compiler, "-shared", "-fPIC", "-Wl,-soname," + name, str(source), "-o", str(out)],
        check=True,
    )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable, help="interpreter to measure")
    parser.add_argument("--repeat", type=int, default=40, help="fresh processes per median")
    args = parser.parse_args()
    if not sys.platform.startswith("linux"):
        raise SystemExit("this benchmark compiles an ELF library and runs on Linux only")
    python: str = args.python
    with tempfile.TemporaryDirectory(prefix="bench-loaders-") as tmp:
        _install(python, Path(tmp) / "site")
        return _measure(python, Path(tmp), args.repeat)


def _measure(python: str, tmp: Path, repeat: int) -> int:
    version = _run(python, "import sys; print(sys.version.split()[0])").strip()
    print(f"python {version} ({python}), {repeat} fresh processes per median\n")

    library = _compile(tmp, 1)
    # Interleave the variants so drift on a shared machine hits both alike.
    first: dict[str, list[float]] = {
        "bare": [],
        "loader": [],
        "cold-bare": [],
        "cold-loader": [],
    }
    codes = {
        "bare": FIRST_BARE,
        "loader": FIRST_LOADER,
        "cold-bare": COLD_BARE,
        "cold-loader": COLD_LOADER,
    }
    for _ in range(repeat):
        for key, code in codes.items():
            first[key].append(float(_run(python, code, str(library))))
    med = {key: statistics.median(values) * 1e6 for key, values in first.items()}
    print("first load (median, microseconds)")
    print(f"  ctypes.CDLL(path, RTLD_LOCAL)          {med['bare']:9.1f}")
    print(f"  LibraryLoader.load()                   {med['loader']:9.1f}"
          f"   ratio {med['loader'] / med['bare']:.2f}x")  # fmt: skip
    print(f"  import ctypes + CDLL (end to end)      {med['cold-bare']:9.1f}")
    print(f"  import shared_lib_manager + load()     {med['cold-loader']:9.1f}"
          f"   ratio {med['cold-loader'] / med['cold-bare']:.2f}x")  # fmt: skip

    repeated = dict(
        (name, float(value) * 1e6)
        for name, value in (line.split() for line in _run(python, REPEATED, str(library)).splitlines())
    )  # fmt: skip
    print("\nrepeated call on a loaded library (median, microseconds)")
    print(f"  LibraryLoader.load() again             {repeated['load']:9.3f}")
    print(f"  ctypes.CDLL(path) again                {repeated['cdll']:9.3f}"
          f"   load() is {repeated['cdll'] / repeated['load']:.1f}x cheaper")  # fmt: skip
    print(f"  raw dlopen(path) again                 {repeated['dlopen']:9.3f}"
          f"   load() is {repeated['dlopen'] / repeated['load']:.1f}x cheaper")  # fmt: skip

    print("\nimport time (python -X importtime, cumulative, median, microseconds)")
    for module in (*MODULE_DIRS, "ctypes"):
        print(f"  {module:<38} {_import_time_us(python, module, repeat):9.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
