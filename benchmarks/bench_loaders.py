"""Time the loader packages against bare ctypes; print medians and ratios.

Measures, with one freshly compiled library (gcc, RTLD_LOCAL), each sample in a fresh
interpreter, the variants interleaved so drift on a shared machine hits all alike:

* import: ``import shared_lib_manager`` (and ``shared_lib_consumer``, and ``ctypes`` for
  scale), timed with ``perf_counter`` around the import statement;
* import + first load: ``import shared_lib_manager`` + ``LibraryLoader(...).load()``
  against ``import ctypes`` + ``ctypes.CDLL(path, RTLD_LOCAL)`` -- what a producer's
  ``__init__`` pays either way -- and the ratio of the medians;
* first load alone (``ctypes`` already imported): ``load()`` vs ``CDLL``;
* repeated load: ``load()`` on an already loaded loader vs ``ctypes.CDLL`` of the
  loaded file and a raw ``dlopen`` call.

Every timed process first imports an empty module from the directory holding the
loader, as a producer's package is imported from site-packages before its loader: the
directory's import finder then exists for both variants alike. The modules are copied
there and byte-compiled, as installing a wheel does.

Usage: ``python benchmarks/bench_loaders.py [--python PATH] [--repeat N] [--manager DIR]
[--baseline DIR]``; ``--manager`` measures the ``shared_lib_manager*.py`` files of another
directory, ``--baseline`` adds those of a second one (an older version: ``git show
REV:wheels-src/shared_lib_manager/shared_lib_manager.py``) to the same interleaved rounds,
for before/after numbers under the same machine load. Linux only (it compiles an ELF
library).
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
MANAGER_DIR = ROOT / "wheels-src" / "shared_lib_manager"
CONSUMER_DIR = ROOT / "wheels-src" / "shared_lib_consumer"
SOURCE = "int bench_value(void) { return 7; }\n"

# Each program prints "<import seconds> <import + load seconds>".
COLD_BARE = """
import benchstub, sys, time
t0 = time.perf_counter()
import ctypes, os
t1 = time.perf_counter()
ctypes.CDLL(sys.argv[1], mode=os.RTLD_LOCAL)
t2 = time.perf_counter()
print(t1 - t0, t2 - t0)
"""
COLD_LOADER = """
import benchstub, sys, time
t0 = time.perf_counter()
from shared_lib_manager import LibraryLoader, PlatformLibrary
t1 = time.perf_counter()
LibraryLoader({"libbench": PlatformLibrary(Linux=sys.argv[1])}).load()
t2 = time.perf_counter()
print(t1 - t0, t2 - t0)
"""
IMPORT_CONSUMER = """
import benchstub, time
t0 = time.perf_counter()
import shared_lib_consumer
t1 = time.perf_counter()
print(t1 - t0, t1 - t0)
"""
# Each program prints "<first load seconds>", ctypes already imported.
FIRST_BARE = """
import benchstub, ctypes, os, sys, time
t = time.perf_counter()
ctypes.CDLL(sys.argv[1], mode=os.RTLD_LOCAL)
print(time.perf_counter() - t)
"""
FIRST_LOADER = """
import benchstub, ctypes, os, sys, time
from shared_lib_manager import LibraryLoader, PlatformLibrary
loader = LibraryLoader({"libbench": PlatformLibrary(Linux=sys.argv[1])})
t = time.perf_counter()
loader.load()
print(time.perf_counter() - t)
"""
REPEATED = """
import ctypes, os, statistics, sys, timeit
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
"""


def _env(site: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LD_LIBRARY_PATH", "PYTHONPATH")}
    env["PYTHONPATH"] = str(site)
    return env


def _install(python: str, site: Path, manager_dir: Path) -> None:
    """Copy the modules into ``site`` and byte-compile them, as installing a wheel would.

    Without this, PYTHONDONTWRITEBYTECODE (or a read-only checkout) makes every fresh
    process compile the source and the import time measures the compiler.
    """
    site.mkdir()
    modules = sorted(manager_dir.glob("shared_lib_manager*.py"))
    if not any(module.name == "shared_lib_manager.py" for module in modules):
        raise SystemExit(f"{manager_dir} holds no shared_lib_manager.py")
    for module in [*modules, CONSUMER_DIR / "shared_lib_consumer.py"]:
        shutil.copy2(module, site / module.name)
    (site / "benchstub.py").write_text('"""Stands in for the producer package."""\n')
    subprocess.run([python, "-m", "compileall", "-q", str(site)], check=True)


def _run(python: str, site: Path, code: str, *args: str) -> str:
    result = subprocess.run(
        [python, "-c", code, *args], env=_env(site), capture_output=True, text=True, check=True
    )
    return result.stdout


def _compile(directory: Path) -> Path:
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise SystemExit("needs a C compiler ($CC, cc or gcc) to build the benchmark library")
    source = directory / "bench.c"
    source.write_text(SOURCE, encoding="utf-8")
    out = directory / "libbench.so.1"
    subprocess.run(
        [compiler, "-shared", "-fPIC", "-Wl,-soname,libbench.so.1", str(source), "-o", str(out)],
        check=True,
    )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable, help="interpreter to measure")
    parser.add_argument("--repeat", type=int, default=100, help="fresh processes per median")
    parser.add_argument(
        "--manager",
        type=Path,
        default=MANAGER_DIR,
        help="directory holding the shared_lib_manager*.py files to measure",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another such directory (an older version), measured in the same run, "
        "interleaved, so both see the same machine load",
    )
    args = parser.parse_args()
    if not sys.platform.startswith("linux"):
        raise SystemExit("this benchmark compiles an ELF library and runs on Linux only")
    python: str = args.python
    with tempfile.TemporaryDirectory(prefix="bench-loaders-") as tmp:
        sites = {"current": Path(tmp) / "site"}
        _install(python, sites["current"], args.manager)
        if args.baseline is not None:
            sites["baseline"] = Path(tmp) / "baseline"
            _install(python, sites["baseline"], args.baseline)
        return _measure(python, sites, _compile(Path(tmp)), args.repeat)


def _median_us(samples: list[float]) -> float:
    return statistics.median(samples) * 1e6


def _measure(python: str, sites: dict[str, Path], library: Path, repeat: int) -> int:
    site = sites["current"]
    version = _run(python, site, "import sys; print(sys.version.split()[0])").strip()
    print(f"python {version} ({python}), {repeat} fresh processes per median")
    print(f"load average before: {os.getloadavg()[0]:.2f}\n")

    # (label, site, program) of every fresh-process measurement, interleaved per round.
    variants = [("bare", site, COLD_BARE, FIRST_BARE), ("consumer", site, IMPORT_CONSUMER, None)]
    variants += [(label, where, COLD_LOADER, FIRST_LOADER) for label, where in sites.items()]
    cold: dict[str, list[tuple[float, float]]] = {label: [] for label, *_ in variants}
    first: dict[str, list[float]] = {label: [] for label, *_, code in variants if code}
    for _ in range(repeat):
        for label, where, cold_code, first_code in variants:
            imported, total = _run(python, where, cold_code, str(library)).split()
            cold[label].append((float(imported), float(total)))
            if first_code is not None:
                first[label].append(float(_run(python, where, first_code, str(library))))
    imports = {key: _median_us([i for i, _ in values]) for key, values in cold.items()}
    totals = {key: _median_us([t for _, t in values]) for key, values in cold.items()}
    firsts = {key: _median_us(values) for key, values in first.items()}

    print("import (median, microseconds)")
    print(f"  import ctypes                          {imports['bare']:9.1f}")
    print(f"  import shared_lib_consumer             {imports['consumer']:9.1f}")
    for label in sites:
        print(f"  import shared_lib_manager ({label:<8}) {imports[label]:9.1f}")
    print("\nimport + first load (median, microseconds)")
    print(f"  import ctypes + CDLL                   {totals['bare']:9.1f}")
    for label in sites:
        print(f"  import + load() ({label:<8})           {totals[label]:9.1f}"
              f"   ratio {totals[label] / totals['bare']:.3f}x")  # fmt: skip
    print("\nfirst load, ctypes already imported (median, microseconds)")
    print(f"  ctypes.CDLL(path, RTLD_LOCAL)          {firsts['bare']:9.1f}")
    for label in sites:
        print(f"  LibraryLoader.load() ({label:<8})      {firsts[label]:9.1f}"
              f"   ratio {firsts[label] / firsts['bare']:.2f}x")  # fmt: skip

    repeated = dict(
        (name, float(value) * 1e6)
        for name, value in (line.split() for line in _run(python, site, REPEATED, str(library)).splitlines())
    )  # fmt: skip
    print("\nrepeated call on a loaded library (median, microseconds)")
    print(f"  LibraryLoader.load() again             {repeated['load']:9.3f}")
    print(f"  ctypes.CDLL(path) again                {repeated['cdll']:9.3f}"
          f"   load() is {repeated['cdll'] / repeated['load']:.1f}x cheaper")  # fmt: skip
    print(f"  raw dlopen(path) again                 {repeated['dlopen']:9.3f}"
          f"   load() is {repeated['dlopen'] / repeated['load']:.1f}x cheaper")  # fmt: skip
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
