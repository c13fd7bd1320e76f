"""Cold cost of an sdist cell's layout vs the same layout from wheels. Prints medians.

    PYTHONPATH=. python benchmarks/bench_sdists.py [--python 3.13] [--repeat 3]

Uses the work directory's wheelhouse (``harness build --python X`` first), its cached
sdists and build requirements (made on the first call, outside the timing). Each run
builds the layout of ``sdist-venv`` (loader wheels, then libfoo and pyfoo from their sdists,
with build isolation) and of ``venv-basic`` (the same four from wheels) from scratch,
``reuse=False``, in a temporary directory: the cost a cold cell pays before its probe.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from harness import interpreters
from harness.builder.supply import WheelSupply
from harness.builder.wheelhouse import Wheelhouse
from harness.envs.layouts import LayoutSpec, make_layout
from harness.installs import InstallRequest
from harness.vocabulary import Installer
from harness.workdir import WorkDir

LOADERS = ("shared_lib_manager", "shared_lib_consumer")
NATIVE = ("libfoo", "pyfoo")


def _timed(spec: LayoutSpec, workdir: WorkDir) -> float:
    with tempfile.TemporaryDirectory(prefix="bench-sdists-", dir=workdir.tmp) as scratch:
        started = time.perf_counter()
        make_layout(spec, Path(scratch) / "cell", workdir=workdir, reuse=False)
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default="current")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    interpreter = interpreters.find(args.python)
    workdir = WorkDir()
    house = Wheelhouse.load(workdir.wheelhouse / interpreter.tag)
    supply = WheelSupply(house, {}, workdir, interpreter.executable)
    requests: dict[str, InstallRequest] = {
        "wheels": supply.request("site", (*LOADERS, *NATIVE)),
        "sdists": supply.request("site", LOADERS, sdists=NATIVE),
    }
    installers: tuple[Installer, ...] = ("uv", "pip")
    print(f"CPython {interpreter.version}, {args.repeat} cold layouts each, medians")
    for installer in installers:
        medians = {}
        for kind, request in requests.items():
            spec = LayoutSpec(
                python=interpreter.executable, installer=installer, installs=(request,)
            )
            runs = [_timed(spec, workdir) for _ in range(args.repeat)]
            medians[kind] = statistics.median(runs)
            shown = ", ".join(f"{r:.2f}" for r in runs)
            print(f"{installer:>3} {kind:<6}: median {medians[kind]:.2f} s ({shown})")
        print(f"{installer:>3} sdists / wheels: {medians['sdists'] / medians['wheels']:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
