"""The installed tool, end to end: the harness's own wheel in a fresh venv, used from an
empty directory outside this repository with ``$HARNESS_PROJECT_ROOT`` unset.

``harness check`` (conda cells included), ``harness lint``, ``harness report merge`` and
``harness run --scenarios DIR`` (a scenario directory of one's own whose ``[wheels]`` name
wheels ``harness build`` made in the checkout) must give the same verdicts there as
inside the checkout. An audit hook in the venv lists every file the installed tool opened
inside its package; each must be a file of the wheel, and every data file
:mod:`harness.resources` names must be in it. The negative: a wheel built without the
probe (and the native probe's source) fails both lists, and its ``harness check`` cells
are errors.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

import harness
from harness import resources, tools

pytestmark = pytest.mark.slow

REPO = Path(harness.__file__).resolve().parent.parent

AUDIT_MODULE = '''\
"""Test only: record every file this process opens (``$HARNESS_TEST_OPEN_LOG``)."""
import atexit, os, sys

_LOG = os.environ.get("HARNESS_TEST_OPEN_LOG")
if _LOG:
    _seen = set()

    def _hook(event, args):
        if event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
            _seen.add(os.path.abspath(os.fsdecode(args[0])))

    def _write():
        root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "harness") + os.sep
        with open(_LOG, "a", encoding="utf-8") as log:
            for path in sorted(_seen):
                if path.startswith(root) and "__pycache__" not in path:
                    log.write(path[len(root):].replace(os.sep, "/") + "\\n")

    sys.addaudithook(_hook)
    atexit.register(_write)
'''

WHEELS = """\
[wheels]
manager = "${MY_WHEELS}/shared_lib_manager-*.whl"
consumer = "${MY_WHEELS}/shared_lib_consumer-*.whl"
producer = "${MY_WHEELS}/libfoo-1.0-*.whl"
extension = "${MY_WHEELS}/pyfoo-1.0-*.whl"

"""


def own_scenario() -> str:
    """The catalogue's ``split-producer-target`` as a maintainer writes it: every wheel
    named under ``[wheels]`` instead of by catalogue id."""
    text = (REPO / "scenarios" / "split-producer-target" / "scenario.toml").read_text()
    for ids, names in (
        ('["shared_lib_manager", "libfoo"]', '["manager", "producer"]'),
        ('["shared_lib_consumer", "pyfoo"]', '["consumer", "extension"]'),
    ):
        assert ids in text, "split-producer-target changed: update this test"
        text = text.replace(ids, names)
    first = text.index("[[install]]")
    return text[:first] + WHEELS + text[first:]


def _uv() -> str:
    found = tools.find("uv")
    if found is None:
        pytest.skip("needs uv (a dependency of the harness) to build and install its wheel")
    return str(found)


def build_wheel(out: Path, *, exclude: Iterable[str] = ()) -> Path:
    """The harness's wheel from this checkout; ``exclude`` builds one from a copy of the
    sources whose wheel leaves those files out (the negative control)."""
    source = REPO
    excluded = list(exclude)
    if excluded:
        source = out / "src"
        shutil.copytree(
            REPO / "harness", source / "harness", ignore=shutil.ignore_patterns("__pycache__")
        )
        shutil.copy2(REPO / "README.md", source / "README.md")
        text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
        table = '[tool.hatch.build.targets.wheel]\npackages = ["harness"]\n'
        assert table in text, "the wheel target moved: update this test"
        text = text.replace(table, f"{table}exclude = {json.dumps(excluded)}\n")
        (source / "pyproject.toml").write_text(text, encoding="utf-8")
    dist = out / "dist"
    subprocess.run(
        [_uv(), "build", "--wheel", "--quiet", "--out-dir", str(dist), str(source)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = dist.glob("*.whl")
    return wheel


def install_tool(wheel: Path, venv: Path) -> Path:
    """A fresh venv with ``wheel`` installed and the open-audit hook; its ``harness``."""
    subprocess.run(
        [_uv(), "venv", "--quiet", "--python", sys.executable, str(venv)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    subprocess.run(
        [_uv(), "pip", "install", "--quiet", "--python", str(python), str(wheel)],
        check=True,
        capture_output=True,
        timeout=900,
    )
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (site / "_harness_open_audit.py").write_text(AUDIT_MODULE, encoding="utf-8")
    (site / "_harness_open_audit.pth").write_text("import _harness_open_audit\n")
    return python.with_name("harness.exe" if os.name == "nt" else "harness")


def wheel_files(wheel: Path) -> set[str]:
    """The wheel's files inside the ``harness`` package, relative to it."""
    with zipfile.ZipFile(wheel) as archive:
        return {n.removeprefix("harness/") for n in archive.namelist() if n.startswith("harness/")}


def missing_resources(files: set[str], opened: Iterable[str] = ()) -> list[str]:
    """Data files :mod:`harness.resources` names, and files the installed tool opened in its
    package, that are not files of the wheel."""
    return sorted({*resources.SHIPPED, *opened} - files)


CHECKOUT_VARS = frozenset(
    {
        "HARNESS_PROJECT_ROOT",
        "HARNESS_WORKDIR",
        "HARNESS_RUN_ID",
        "HARNESS_WHEELHOUSE",
        "HARNESS_BUILT_WHEELS",
        "HARNESS_TEST_OPEN_LOG",
    }
)
"""What ties a harness to this checkout or to the test run (the conda backend's and other
settings of the machine are kept)."""


class Tool:
    """One ``harness`` to run: the installed one outside, or the checkout's inside."""

    def __init__(self, command: list[str], cwd: Path, workdir: Path, open_log: Path) -> None:
        self.command, self.cwd, self.workdir, self.open_log = command, cwd, workdir, open_log

    def __call__(self, *words: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in CHECKOUT_VARS}
        env.update(HARNESS_WORKDIR=str(self.workdir), HARNESS_TEST_OPEN_LOG=str(self.open_log))
        if self.cwd == REPO:
            env["HARNESS_PROJECT_ROOT"] = str(REPO)
        env.update(extra_env)
        return subprocess.run(
            [*self.command, *words],
            cwd=self.cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )

    def opened(self) -> set[str]:
        if not self.open_log.is_file():
            return set()
        return set(self.open_log.read_text(encoding="utf-8").split())


def cells(document: dict[str, Any]) -> list[tuple[Any, ...]]:
    """What a verdict says, without timings or machine paths."""
    return sorted(
        (
            cell["scenario"],
            cell["python"],
            cell["layout"],
            cell["installer"],
            cell["status"],
            json.dumps(cell["libraries"], sort_keys=True),
            json.dumps(
                [
                    (e["subject"], e["expected"], e["evidence"], e["ok"])
                    for e in cell["expectations"]
                ]
            ),
        )
        for cell in document["cells"]
    )


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("installed")
    (root / "empty").mkdir()
    return {"root": root, "empty": root / "empty", "workdir": root / "workdir"}


@pytest.fixture(scope="module")
def wheel(places: dict[str, Path]) -> Path:
    return build_wheel(places["root"] / "good")


@pytest.fixture(scope="module")
def outside(wheel: Path, places: dict[str, Path]) -> Tool:
    harness_exe = install_tool(wheel, places["root"] / "venv")
    return Tool(
        [str(harness_exe)], places["empty"], places["workdir"], places["root"] / "opened.txt"
    )


@pytest.fixture(scope="module")
def inside(places: dict[str, Path]) -> Tool:
    command = [sys.executable, "-m", "harness.cli"]
    return Tool(command, REPO, places["workdir"], places["root"] / "opened-inside.txt")


@pytest.fixture(scope="module")
def family(tmp_path_factory: pytest.TempPathFactory, built_wheels: Callable[[str], Path]) -> Path:
    """A maintainer's ``dist/``: the example producer, consumer and loader packages."""
    dist = tmp_path_factory.mktemp("family") / "dist"
    dist.mkdir()
    for wheel_id in ("shared_lib_manager", "shared_lib_consumer", "libfoo", "pyfoo"):
        shutil.copy2(built_wheels(wheel_id), dist)
    return dist


def test_the_wheel_carries_every_resource(wheel: Path) -> None:
    assert missing_resources(wheel_files(wheel)) == []


def test_check_with_conda_gives_the_checkouts_verdicts(
    outside: Tool, inside: Tool, family: Path, places: dict[str, Path]
) -> None:
    # outside first, on a fresh work dir: its conda packages come from the installed package
    out = outside(
        "check", str(family), "--conda", "--json", "--report-dir", str(places["root"] / "r-out")
    )
    assert "Traceback" not in out.stderr, out.stderr
    got = json.loads(out.stdout)
    ins = inside(
        "check", str(family), "--conda", "--json", "--report-dir", str(places["root"] / "r-in")
    )
    want = json.loads(ins.stdout)
    assert (out.returncode, cells(got)) == (ins.returncode, cells(want)), out.stderr
    statuses = {cell["scenario"]: cell["status"] for cell in got["cells"]}
    assert "check-conda" in statuses, statuses
    if sys.platform == "linux":  # the local channel's conda python: Linux only
        assert statuses["check-conda"] == "passed", out.stderr
    assert not list(places["empty"].iterdir()), (
        "the installed tool wrote into the current directory"
    )


def test_lint_gives_the_checkouts_findings(outside: Tool, inside: Tool, family: Path) -> None:
    wheels = sorted(str(p) for p in family.glob("*.whl"))
    out, ins = outside("lint", *wheels), inside("lint", *wheels)
    assert (out.returncode, out.stdout) == (ins.returncode, ins.stdout), out.stderr
    assert "Traceback" not in out.stderr


def run_my_scenarios(tool: Tool, scenarios: Path, wheels: Path) -> dict[str, Any]:
    """``harness run --scenarios DIR`` with ``tool``: its report.json (also kept beside the
    scenarios, for the merge)."""
    result = tool("run", "--scenarios", str(scenarios), "-n", "0", MY_WHEELS=str(wheels))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "PytestAssertRewriteWarning" not in result.stdout  # about the harness itself
    report = tool.workdir / "reports" / "report.json"
    shutil.copy2(report, scenarios.parent / f"report-{tool.cwd.name}.json")
    document: dict[str, Any] = json.loads(report.read_text())
    return document


MY_PYPROJECT = """\
[tool.pytest.ini_options]
addopts = "--an-option-of-my-own-plugin"
"""
MY_CONFTEST = "raise RuntimeError(\"my own tests' conftest.py is not the harness's\")\n"


def my_scenarios(places: dict[str, Path]) -> Path:
    """A maintainer's repository with a directory of their own scenarios, and a pytest
    configuration and conftest.py of their own tests that the harness must not read."""
    (places["root"] / "my-repo").mkdir(exist_ok=True)
    (places["root"] / "my-repo" / "pyproject.toml").write_text(MY_PYPROJECT)
    (places["root"] / "my-repo" / "conftest.py").write_text(MY_CONFTEST)
    scenarios = places["root"] / "my-repo" / "harness-scenarios"
    (scenarios / "my-split").mkdir(parents=True, exist_ok=True)
    (scenarios / "my-split" / "scenario.toml").write_text(own_scenario(), encoding="utf-8")
    return scenarios


def test_my_scenario_directory_gives_the_checkouts_report(
    outside: Tool, inside: Tool, places: dict[str, Path], built_wheels: Callable[[str], Path]
) -> None:
    scenarios = my_scenarios(places)
    # wheels `harness build` made in the checkout, named through a variable of one's own
    wheels = built_wheels("libfoo").parent
    listed = outside("list", "--scenarios", str(scenarios), MY_WHEELS=str(wheels))
    assert listed.returncode == 0 and "my-split[" in listed.stdout, listed.stderr
    documents = [run_my_scenarios(tool, scenarios, wheels) for tool in (outside, inside)]
    assert cells(documents[0]) == cells(documents[1])
    assert {cell["status"] for cell in documents[0]["cells"]} == {"passed"}
    assert not list(places["empty"].iterdir()), (
        "the installed tool wrote into the current directory"
    )
    # the same scenario naming a catalogue wheel id: a clear one-line error outside the checkout
    text = own_scenario().replace('["manager", "producer"]', '["manager", "libfoo"]')
    (scenarios / "my-split" / "scenario.toml").write_text(text, encoding="utf-8")
    refused = outside("run", "--scenarios", str(scenarios), MY_WHEELS=str(wheels))
    assert refused.returncode == 2, refused.stderr
    assert "catalogue wheel id 'libfoo'" in refused.stderr and "Traceback" not in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    (scenarios / "my-split" / "scenario.toml").write_text(own_scenario(), encoding="utf-8")


def test_report_merge_gives_the_checkouts_matrix(
    outside: Tool,
    inside: Tool,
    places: dict[str, Path],
    family: Path,
    built_wheels: Callable[[str], Path],
) -> None:
    """Two jobs' reports (the check, the scenario directory) merged by either tool."""
    check_report = places["root"] / "r-out" / "report.json"
    if not check_report.is_file():  # run alone: make the reports first
        outside("check", str(family), "--report-dir", str(check_report.parent))
    scenario_report = places["root"] / "my-repo" / "report-empty.json"
    if not scenario_report.is_file():
        run_my_scenarios(outside, my_scenarios(places), built_wheels("libfoo").parent)
    reports = [str(check_report), str(scenario_report)]
    out = outside("report", "merge", *reports, "-o", str(places["root"] / "m-out"))
    ins = inside("report", "merge", *reports, "-o", str(places["root"] / "m-in"))
    assert out.returncode == ins.returncode == 0, out.stderr + ins.stderr
    assert out.stdout.splitlines()[0] == ins.stdout.splitlines()[0]
    merged = [
        json.loads((places["root"] / m / "report.json").read_text()) for m in ("m-out", "m-in")
    ]
    assert merged[0]["cells"] == merged[1]["cells"]
    assert {c["scenario"] for c in merged[0]["cells"]} >= {"check-venv", "my-split"}


def test_everything_the_installed_tool_opened_is_in_its_wheel(
    outside: Tool, wheel: Path, family: Path
) -> None:
    if not outside.opened():  # run alone: use the tool once
        outside("check", str(family), "--layout", "venv")
    opened = outside.opened()
    assert resources.PROBE in opened, sorted(opened)  # the hook sees the tool's reads
    assert missing_resources(wheel_files(wheel), opened) == []


def test_a_wheel_without_the_probe_fails_both_lists_and_every_cell(
    places: dict[str, Path], family: Path
) -> None:
    """The negative control: the same wheel without the probe and the native probe's
    source, used the same way."""
    left_out = [f"harness/{resources.PROBE}", f"harness/{resources.NATIVE_PROBE}"]
    broken = build_wheel(places["root"] / "broken", exclude=left_out)
    files = wheel_files(broken)
    assert missing_resources(files) == sorted([resources.NATIVE_PROBE, resources.PROBE])
    tool = Tool(
        [str(install_tool(broken, places["root"] / "broken-venv"))],
        places["empty"],
        places["root"] / "broken-workdir",
        places["root"] / "broken-opened.txt",
    )
    result = tool("check", str(family), "--layout", "venv", "--json")
    assert result.returncode == 1, result.stderr
    statuses = {cell["status"] for cell in json.loads(result.stdout)["cells"]}
    assert statuses == {"error"}, statuses
    assert resources.PROBE in missing_resources(files, tool.opened())
