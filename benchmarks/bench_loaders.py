"""Time the loader packages against bare ctypes; print medians and ratios.

Measures, with one freshly compiled library (gcc, RTLD_LOCAL), each sample in a fresh
interpreter, the variants interleaved so drift on a shared machine hits all alike:

* import: ``import shared_lib_manager`` (and ``shared_lib_consumer``, and ``ctypes`` for
  scale), timed with ``perf_counter`` around the import statement;
* import + first load: ``import shared_lib_manager`` + ``LibraryLoader(...).load()``
  against ``import ctypes`` + ``ctypes.CDLL(path, RTLD_LOCAL)`` -- what a producer's
  ``__init__`` pays either way -- and the ratio of the medians; and the same with the
  record's ``.handle`` used once (the ``CDLL`` a producer that calls into its library
  needs: since 0.3.0 made on first use);
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

# Every timed program reads both clocks: wall time (perf_counter) and the process's CPU
# time (process_time), which leaves out the time a busy machine keeps it waiting.
CLOCK = """
import benchstub, sys, time
def clock():
    return time.perf_counter(), time.process_time()
def since(start, end):
    return " ".join(str(b - a) for a, b in zip(start, end))
"""
# Each cold program prints "<import> <import + load> <import + load + a CDLL in hand>",
# each as "wall cpu". The loader's load leaves the CDLL to the first use of ``.handle``
# (0.3.0; before, and for bare ctypes, the third equals the second).
COLD_BARE = (
    CLOCK
    + """
t0 = clock()
import ctypes, os
t1 = clock()
ctypes.CDLL(sys.argv[1], mode=os.RTLD_LOCAL)
t2 = clock()
print(since(t0, t1), since(t0, t2), since(t0, t2))
"""
)
COLD_LOADER = (
    CLOCK
    + """
t0 = clock()
from shared_lib_manager import LibraryLoader, PlatformLibrary
t1 = clock()
record = LibraryLoader({"libbench": PlatformLibrary(Linux=sys.argv[1])}).load()["libbench"]
t2 = clock()
record.handle
t3 = clock()
print(since(t0, t1), since(t0, t2), since(t0, t3))
"""
)


def _import_only(module: str) -> str:
    """A cold program that only imports ``module`` (its three columns are the same)."""
    return (
        CLOCK
        + f"""
t0 = clock()
import {module}
t1 = clock()
print(since(t0, t1), since(t0, t1), since(t0, t1))
"""
    )


IMPORT_CONSUMER = _import_only("shared_lib_consumer")
IMPORT_EMPTY = _import_only("benchempty")  # the floor: what importing any module costs
# Each first-load program prints "<wall cpu>", ctypes already imported.
FIRST_BARE = (
    CLOCK
    + """
import ctypes, os
t0 = clock()
ctypes.CDLL(sys.argv[1], mode=os.RTLD_LOCAL)
print(since(t0, clock()))
"""
)
FIRST_LOADER = (
    CLOCK
    + """
import ctypes, os
from shared_lib_manager import LibraryLoader, PlatformLibrary
loader = LibraryLoader({"libbench": PlatformLibrary(Linux=sys.argv[1])})
t0 = clock()
loader.load()
print(since(t0, clock()))
"""
)
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
    (site / "benchempty.py").write_text("")  # the floor: what importing any module costs
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


def _medians_us(samples: list[list[float]]) -> list[float]:
    """Column-wise medians, in microseconds."""
    return [statistics.median(column) * 1e6 for column in zip(*samples)]


def _measure(python: str, sites: dict[str, Path], library: Path, repeat: int) -> int:
    site = sites["current"]
    version = _run(python, site, "import sys; print(sys.version.split()[0])").strip()
    print(f"python {version} ({python}), {repeat} fresh processes per median")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print("each line: median wall time (median CPU time of the process), microseconds\n")

    # (label, site, cold program, first-load program), run interleaved round after round.
    variants = [("bare", site, COLD_BARE, FIRST_BARE), ("consumer", site, IMPORT_CONSUMER, None)]
    variants += [("empty", site, IMPORT_EMPTY, None)]
    variants += [(label, where, COLD_LOADER, FIRST_LOADER) for label, where in sites.items()]
    cold: dict[str, list[list[float]]] = {label: [] for label, *_ in variants}
    first: dict[str, list[list[float]]] = {label: [] for label, *_, code in variants if code}
    for _ in range(repeat):
        for label, where, cold_code, first_code in variants:
            cold[label].append(
                [float(v) for v in _run(python, where, cold_code, str(library)).split()]
            )
            if first_code is not None:
                output = _run(python, where, first_code, str(library))
                first[label].append([float(v) for v in output.split()])
    imports = {key: _medians_us(values)[:2] for key, values in cold.items()}
    totals = {key: _medians_us(values)[2:4] for key, values in cold.items()}
    handles = {key: _medians_us(values)[4:] for key, values in cold.items()}
    firsts = {key: _medians_us(values) for key, values in first.items()}

    def show(title: str, values: list[float], base: list[float] | None = None) -> None:
        ratios = f"   ratio {values[0] / base[0]:.3f}x ({values[1] / base[1]:.3f}x)" if base else ""
        print(f"  {title:<38} {values[0]:9.1f} ({values[1]:9.1f}){ratios}")

    print("import")
    show("import ctypes", imports["bare"])
    show("import of an empty module (the floor)", imports["empty"])
    show("import shared_lib_consumer", imports["consumer"])
    for label in sites:
        show(f"import shared_lib_manager [{label}]", imports[label])
    print("\nimport + first load")
    show("import ctypes + CDLL", totals["bare"])
    for label in sites:
        show(f"import + load() [{label}]", totals[label], totals["bare"])
    for label in sites:
        show(f"import + load() + .handle [{label}]", handles[label], totals["bare"])
    print("\nfirst load, ctypes already imported")
    show("ctypes.CDLL(path, RTLD_LOCAL)", firsts["bare"])
    for label in sites:
        show(f"LibraryLoader.load() [{label}]", firsts[label], firsts["bare"])

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
