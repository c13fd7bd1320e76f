"""Cold layout creation vs a warm cell (template copy), per installer. Prints medians.

    PYTHONPATH=. python benchmarks/bench_envs.py [--python 3.12] [--repeat 5]

Everything is written under a temporary work directory that is removed at the end.
The wheels are two tiny pure-Python wheels made here with pip (setuptools, no
build isolation). Aim (issue 4): a warm cell ready well under 0.5 s.

"next layout" is what most cold layouts of a matrix cost: a new template (other
installs) in a work directory where a layout of the same interpreter was already made,
so a pip layout copies the shared pip venv instead of running ``python -m venv`` again.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import interpreters
from harness.envs.layouts import LayoutSpec, make_layout
from harness.installs import InstallRequest
from harness.vocabulary import Installer
from harness.workdir import WorkDir

PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"
[project]
name = "{name}"
version = "1.0"
[tool.setuptools]
packages = ["{module}"]
"""


def make_wheel(root: Path, module: str, out: Path) -> Path:
    project = root / module
    (project / module).mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        PYPROJECT.format(name=module.replace("_", "-"), module=module)
    )
    (project / module / "__init__.py").write_text("")
    argv = [sys.executable, "-m", "pip", "wheel", "-q", "--no-build-isolation", "--no-deps"]
    subprocess.run([*argv, "--no-index", "-w", str(out), str(project)], check=True)
    return next(out.glob(f"{module}-*.whl"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default="current")
    parser.add_argument("--repeat", type=int, default=5, help="cold repetitions (warm: x4)")
    args = parser.parse_args()
    python = interpreters.find(args.python).executable
    with tempfile.TemporaryDirectory(prefix="bench-envs-") as scratch:
        base = Path(scratch)
        wheels = base / "wheels"
        producer = make_wheel(base / "src", "bench_producer", wheels)
        consumer = make_wheel(base / "src", "bench_consumer", wheels)
        installs = (InstallRequest("target", [producer]), InstallRequest("site", [consumer]))
        swapped = (InstallRequest("site", [producer]), InstallRequest("target", [consumer]))
        print(f"python {python}; layout: venv, producer in target, consumer in site")
        print(
            f"{'installer':<10}{'cold median':>14}{'next layout':>14}{'warm median':>14}{'+ first run':>14}{'cold/warm':>11}"
        )
        serial = 0
        installers: list[Installer] = ["uv", "pip"]
        for installer in installers:
            spec = LayoutSpec(python=python, installer=installer, installs=installs)
            other = LayoutSpec(python=python, installer=installer, installs=swapped)
            cold: list[float] = []
            following: list[float] = []
            for _ in range(args.repeat):
                serial += 1
                work, cell = WorkDir(base / f"work{serial}"), base / f"cell{serial}"
                start = time.perf_counter()
                make_layout(spec, cell, workdir=work)
                cold.append(time.perf_counter() - start)
                start = time.perf_counter()
                make_layout(other, base / f"cell{serial}-next", workdir=work)
                following.append(time.perf_counter() - start)
            warm: list[float] = []
            ready: list[float] = []
            for _ in range(args.repeat * 4):
                serial += 1
                cell = base / f"cell{serial}"
                start = time.perf_counter()
                layout = make_layout(spec, cell, workdir=work)
                warm.append(time.perf_counter() - start)
                layout.run(["-c", "import bench_producer, bench_consumer"])
                ready.append(time.perf_counter() - start)
            cold_m, next_m, warm_m, ready_m = (
                statistics.median(x) for x in (cold, following, warm, ready)
            )
            print(
                f"{installer:<10}{cold_m:>13.3f}s{next_m:>13.3f}s{warm_m:>13.4f}s{ready_m:>13.3f}s"
                f"{cold_m / warm_m:>10.0f}x"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
