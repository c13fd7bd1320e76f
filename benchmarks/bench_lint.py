"""Time ``harness lint`` on a synthetic 250-binary family and count its default output lines.

    PYTHONPATH=. python benchmarks/bench_lint.py [--runs 5]

The family is shaped like a large SDK split into wheels (built once with gcc into
``<workdir>/cache/bench-lint``): ``libsdk`` ships 40 libraries and a loader;
``pysdk`` requires it and ships 20 extension modules, each linking two of them, 130
plugins that nothing links and 60 platform-integration libraries that only plugins link;
plugins and platform libraries need ``libwayland-client.so.0``, ``libEGL.so.1`` and
``libxkbcommon.so.0``, which no wheel ships (the SLI010 warnings; before issue 22 each
platform library's entry was an error of its own, 180 lines); ``pysdk`` also ships its own
copy of one ``libsdk`` library (SLI004 both ways). Wall time of the whole command,
start-up included; aims: <= 10 s, <= 40 lines by default.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
AIM_SECONDS = 10.0
AIM_LINES = 40
LIBRARIES, EXTENSIONS, PLATFORMS, PLUGINS = 40, 20, 60, 130
SYSTEM = ("libwayland-client.so.0", "libEGL.so.1", "libxkbcommon.so.0")
EXT_TAG = "cpython-312-x86_64-linux-gnu"


def _gcc(*args: str) -> None:
    subprocess.run(["gcc", "-shared", "-fPIC", *args], check=True, capture_output=True)


def _wheel(path: Path, dist: str, files: dict[str, bytes], requires: tuple[str, ...]) -> Path:
    info = f"{dist}-1.0.dist-info"
    files = dict(files)
    meta = f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n"
    files[f"{info}/METADATA"] = (meta + "".join(f"Requires-Dist: {r}\n" for r in requires)).encode()
    files[f"{info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: cp312-cp312-manylinux_2_17_x86_64\n"
    )

    def line(name: str, data: bytes) -> str:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        return f"{name},sha256={digest},{len(data)}"

    record = [line(n, d) for n, d in files.items()] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = "\n".join(record).encode()
    out = path / f"{dist}-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out


def build_family(directory: Path) -> list[Path]:
    """The two wheels (built once; reused when present)."""
    done = sorted(directory.glob("*.whl"))
    if len(done) == 2:
        return done
    work = directory / "build"
    work.mkdir(parents=True, exist_ok=True)
    for name in SYSTEM:  # link-time stand-ins for the system libraries
        _gcc("-o", str(work / name), "-x", "c", "/dev/null", f"-Wl,-soname,{name}")
    sdk: dict[str, bytes] = {}
    for i in range(LIBRARIES):
        source = work / f"sdk{i}.c"
        source.write_text(f"int sdk{i}(void) {{ return {i}; }}\n")
        out = work / f"libsdk{i}.so.1"
        _gcc("-o", str(out), str(source), f"-Wl,-soname,libsdk{i}.so.1")
        sdk[f"libsdk/lib/libsdk{i}.so.1"] = out.read_bytes()
    init = (
        "import ctypes, os\n_HERE = os.path.join(os.path.dirname(__file__), 'lib')\n"
        "def load_library():\n    for name in sorted(os.listdir(_HERE)):\n"
        "        ctypes.CDLL(os.path.join(_HERE, name), ctypes.RTLD_LOCAL)\n"
    )
    sdk["libsdk/__init__.py"] = init.encode()
    py: dict[str, bytes] = {"pysdk/__init__.py": b"import libsdk\nlibsdk.load_library()\n"}
    for i in range(EXTENSIONS):
        a, b = i % LIBRARIES, (i * 7 + 1) % LIBRARIES
        source = work / f"ext{i}.c"
        source.write_text(
            f"int sdk{a}(void); int sdk{b}(void);\nint ext{i}(void) {{ return sdk{a}() + sdk{b}(); }}\n"
        )
        out = work / f"_ext{i}.{EXT_TAG}.so"
        _gcc("-o", str(out), str(source), f"-L{work}", f"-l:libsdk{a}.so.1", f"-l:libsdk{b}.so.1")
        py[f"pysdk/_ext{i}.{EXT_TAG}.so"] = out.read_bytes()
    plugin_source = work / "plugin.c"
    plugin_source.write_text("int plugin(void) { return 0; }\n")
    needs = [str(work / name) for name in SYSTEM]
    for i in range(PLATFORMS):
        out = work / f"libplatform{i}.so.1"
        soname = f"-Wl,-soname,libplatform{i}.so.1"
        _gcc("-o", str(out), str(plugin_source), soname, "-Wl,--no-as-needed", *needs)
        py[f"pysdk/plugins/lib/libplatform{i}.so.1"] = out.read_bytes()
    for i in range(PLUGINS):
        out = work / f"libplugin{i}.so"
        platform = work / f"libplatform{i % PLATFORMS}.so.1"
        soname = f"-Wl,-soname,libplugin{i}.so"
        _gcc(
            "-o", str(out), str(plugin_source), soname, "-Wl,--no-as-needed", str(platform), *needs
        )
        py[f"pysdk/plugins/group{i % 10}/libplugin{i}.so"] = out.read_bytes()
    py["pysdk/lib/libsdk0.so.1"] = sdk["libsdk/lib/libsdk0.so.1"]
    return [
        _wheel(directory, "libsdk", sdk, ()),
        _wheel(directory, "pysdk", py, ("libsdk",)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(PROJECT))
    from harness.workdir import WorkDir  # noqa: PLC0415

    wheels = build_family(WorkDir().cache / "bench-lint")
    command = [sys.executable, "-m", "harness.cli", "lint", *map(str, wheels)]
    env = dict(os.environ, PYTHONPATH=str(PROJECT))
    times, lines = [], 0
    for _ in range(args.runs):
        started = time.perf_counter()
        done = subprocess.run(
            command, cwd=PROJECT, env=env, capture_output=True, text=True, check=False
        )
        times.append(time.perf_counter() - started)
        lines = len(done.stdout.splitlines())
    verbose = subprocess.run(
        [*command, "--verbose"], cwd=PROJECT, env=env, capture_output=True, text=True, check=False
    )
    binaries = LIBRARIES + EXTENSIONS + PLATFORMS + PLUGINS + 1
    median = statistics.median(times)
    print(f"harness lint, {binaries} binaries in 2 wheels, {args.runs} runs:")
    print(
        f"  wall median {median:.2f} s (min {min(times):.2f}, max {max(times):.2f}); aim <= {AIM_SECONDS} s"
    )
    print(
        f"  default output {lines} lines (aim <= {AIM_LINES}); --verbose {len(verbose.stdout.splitlines())} lines"
    )
    print(done.stdout)


if __name__ == "__main__":
    main()
