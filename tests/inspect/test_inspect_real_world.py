"""Real PyPI families that share native libraries, linted as published.

Pinned versions, downloaded once with pip (one run for all) into
``<workdir>/cache/real-wheels`` (about 37 MB in all; libucx-cu12 is 27 MB of it). Every
finding is listed here and explained in docs/rules/real-world.md; a new or vanished
finding fails the test. Skipped, naming pip's error, when the package index cannot be
reached.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from suite_testlib import pinned_wheel

from harness.filelock import locked
from harness.inspect import lint_wheels
from harness.inspect.platform_libs import linux_policy_available
from harness.workdir import WorkDir

PLATFORM = ["--platform", "manylinux_2_28_x86_64", "--python-version", "3.12"]

FAMILIES: dict[str, tuple[str, ...]] = {
    # RAPIDS: a logging library, the memory manager on it, its Python bindings.
    "rmm": ("rapids-logger==0.3.0", "librmm-cu12==26.10.0", "rmm-cu12==26.10.0"),
    # RAPIDS/UCX: UCX as a wheel (symlink copies, dlopen plugins), UCXX on it, bindings.
    "ucx": ("libucx-cu12==1.19.0", "libucxx-cu12==0.52.0", "ucxx-cu12==0.52.0"),
    # cmeel: CMake projects installed into one shared site-packages/cmeel.prefix.
    "cmeel": ("cmeel-console-bridge==1.0.2.3", "cmeel-tinyxml2==11.0.0", "cmeel-urdfdom==6.0.0"),
    # issue 21's wheel-data family: libraries installed as wheel data into <prefix>/lib
    "tbb": ("tbb==2023.2.0", "tbb4py==2023.2.0", "tcmlib==1.6.0"),
    # issue 21's producer that loads at import through a namespace package's extension
    "casm": ("libcasm-global==2.4.2", "libcasm-xtal==2.3.0"),
}

# family -> (rule, distribution, file) of every finding; why each is right:
# docs/rules/real-world.md.
EXPECTED: dict[str, set[tuple[str, str, str]]] = {
    "rmm": set(),
    "ucx": {
        ("SLI005", "libucx-cu12", f"libucx/lib/{name}")
        for name in (
            "libucp.so.0",
            "libucs.so.0",
            "libucs_signal.so.0",
            "libuct.so.0",
            "ucx/libuct_cma.so.0",
            "ucx/libuct_cuda.so.0",
        )
    }
    # warnings: the NVIDIA driver's libraries, needed only by the CUDA transport plugins
    | {
        ("SLI010", "libucx-cu12", "libucx/lib/ucx/libucm_cuda.so.0"),
        ("SLI010", "libucx-cu12", "libucx/lib/ucx/libuct_cuda.so.0"),
    },
    "cmeel": {
        ("SLI006", "cmeel-urdfdom", f"cmeel.prefix/lib/liburdfdom_{name}.so.6")
        for name in ("model", "sensor", "world")
    },
    "tbb": {
        ("SLI006", "tbb4py", "tbb/_api.cpython-312-x86_64-linux-gnu.so"),
        ("SLI008", "tbb", ""),
        ("SLI008", "tcmlib", ""),
    },
    # warnings: the consumer's RUNPATHs reach libcasm_global.so only in one site dir; no
    # SLI008: libcasm.casmglobal (in the namespace directory libcasm/) loads it at import
    "casm": {
        ("SLI006", "libcasm-xtal", "libcasm/lib/libcasm_crystallography.so"),
        ("SLI006", "libcasm-xtal", "libcasm/xtal/_xtal.cpython-312-x86_64-linux-gnu.so"),
    },
}


def _wheel(requirement: str, cache: Path) -> Path:
    found = pinned_wheel(cache, requirement)
    assert found is not None, f"{requirement} is not in {cache}: not pinned in FAMILIES"
    return found


@pytest.fixture(scope="session")
def real_cache() -> Path:
    """Every pinned wheel, the missing ones downloaded in one pip run (one index session,
    one pip start) by whichever xdist worker comes first; the other waits for it."""
    cache = WorkDir().cache / "real-wheels"
    cache.mkdir(parents=True, exist_ok=True)
    pins = [pin for family in FAMILIES.values() for pin in family]
    with locked(cache / ".download.lock"):
        missing = [pin for pin in pins if pinned_wheel(cache, pin) is None]
        if not missing:
            return cache
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
        command += [*PLATFORM, "--disable-pip-version-check", "-q", "-d", str(cache)]
        result = subprocess.run([*command, *missing], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = (result.stderr.strip().splitlines() or ["no output"])[-1]
        pytest.skip(f"package index not reachable with pip (downloading {len(missing)}): {tail}")
    return cache


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_real_family_findings_are_the_documented_ones(family: str, real_cache: Path) -> None:
    wheels = [_wheel(r, real_cache) for r in FAMILIES[family]]
    findings = lint_wheels(wheels)
    dist_of = {w.name: r.split("==")[0] for w, r in zip(wheels, FAMILIES[family], strict=True)}
    got = {(f.rule, dist_of[f.wheel], f.file) for f in findings}
    assert got == EXPECTED[family], "\n".join(f"{f.rule} {f.file}: {f.detail}" for f in findings)
    assert len(findings) == len(got)
    # a library only plugins need is a warning, never "loading fails"
    assert all(f.severity == "warning" for f in findings if f.rule == "SLI010")


def test_real_consumer_alone_reports_what_it_cannot_resolve(real_cache: Path) -> None:
    """Without its producers, the rmm bindings' entries on librmm.so and
    librapids_logger.so are unresolved (SLI010); with them (above) they are not."""
    if not linux_policy_available():
        pytest.skip("auditwheel (its manylinux policy data) is not installed")
    rmm = _wheel("rmm-cu12==26.10.0", real_cache)
    findings = lint_wheels([rmm])
    assert {f.rule for f in findings} == {"SLI010"}
    assert {f.detail.split("'")[1] for f in findings} == {"librmm.so", "librapids_logger.so"}
