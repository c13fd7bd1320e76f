"""Median wall time of one probe run (subprocess + steps + collection) in a plain venv.

    PYTHONPATH=. python benchmarks/bench_probe.py [3.12]

Three gcc-built libraries are loaded RTLD_LOCAL by the probe's steps; the bare
interpreter start-up is measured alongside for the ratio. The probe runs both ways,
interleaved: as the module kept with its bytecode in the work dir (what cells do) and
as a script (compiled again in every process). Everything lives in a temporary
directory that is removed at the end.
"""

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import interpreters
from harness.envs.layout import Layout
from harness.scenarios.probing import ProbeSpec, ProbeStep, run_probe


def main(version: str = "3.12", runs: int = 20) -> None:
    work = Path(tempfile.mkdtemp(prefix="probe-bench-"))
    try:
        _measure(work, version, runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _measure(work: Path, version: str, runs: int) -> None:
    python = interpreters.find(version).executable
    subprocess.run([str(python), "-m", "venv", "--without-pip", str(work / "venv")], check=True)
    libs = work / "libs"
    libs.mkdir()
    for name in ("foo", "clasha", "clashb"):
        src = libs / f"{name}.c"
        src.write_text(f'const char *{name}_identity(void) {{ return "{name}"; }}\n')
        subprocess.run(
            [
                "gcc",
                "-shared",
                "-fPIC",
                "-o",
                str(libs / f"lib{name}.so.1"),
                str(src),
                f"-Wl,-soname,lib{name}.so.1",
            ],
            check=True,
        )
    (work / "mod").mkdir()
    (work / "mod" / "loadlibs.py").write_text(
        "import ctypes, os\n_k=[]\ndef load(p): _k.append(ctypes.CDLL(p, mode=os.RTLD_LOCAL)); return p\n"
    )
    layout = Layout(
        kind="venv",
        root=work,
        python=work / "venv/bin/python",
        locations={"libs": libs},
        env={"PYTHONPATH": str(work / "mod")},
    )
    spec = ProbeSpec(
        steps=[
            ProbeStep(id=n, call="loadlibs.load", args=[str(libs / f"lib{n}.so.1")])
            for n in ("foo", "clasha", "clashb")
        ],
        symbols=["foo_identity", "clasha_identity", "malloc"],
        identity_functions=["foo_identity", "clasha_identity", "clashb_identity"],
    )
    times: list[float] = []
    script_times: list[float] = []
    for i in range(runs):
        start = time.perf_counter()
        ev = run_probe(layout, spec, work / f"cell{i}", probe_home=work / "probe")
        times.append(time.perf_counter() - start)
        start = time.perf_counter()
        run_probe(layout, spec, work / f"script{i}")
        script_times.append(time.perf_counter() - start)
    assert len(ev.identities) == 3, ev.identities
    base = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([str(layout.python), "-c", "pass"], check=True)
        base.append(time.perf_counter() - start)
    print(f"python {version}: loaded objects {len(ev.loaded)}")
    print(
        f"probe run median {statistics.median(times) * 1000:.1f} ms (min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}) over {runs}"
    )
    print(
        f"the same as a script (compiled in each run) median "
        f"{statistics.median(script_times) * 1000:.1f} ms; "
        f"module/script {statistics.median(times) / statistics.median(script_times):.2f}"
    )
    print(
        f"bare interpreter start median {statistics.median(base) * 1000:.1f} ms; ratio {statistics.median(times) / statistics.median(base):.2f}"
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "3.12")
