"""A static reading of the workflows: jobs, matrix cells, steps, caches and artifacts.

The workflows meet GitHub's runners only after a push, so what a run would do is read
here from the files: which jobs wait for which, what each matrix cell runs, which
artifacts it uploads, which caches its actions save and which folders its steps
write. Every ``*_problems`` function takes a checkout root (the repository, or the
copy of the CI before issue 15 under ``fixtures/``) and returns human-readable
problems, empty when the check holds. The facts about the actions used here come
from their sources (action.yml and the code their post steps run); see docs/ci.md.

A job that calls a reusable workflow of the repository (``uses: ./.github/workflows/x.yml``)
is read as GitHub runs it: each call instantiates the called workflow's jobs, named
``<caller>/<job>``, with ``${{ inputs.X }}`` taken from the call's ``with:``. A workflow
that only runs when called is not read on its own.
"""

from __future__ import annotations

import configparser
import datetime
import fnmatch
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

WORKFLOWS_DIR = Path(".github") / "workflows"
OS_OF_RUNNER = {"ubuntu": "linux", "macos": "macos", "windows": "windows"}
SCRIPT = re.compile(r"(?<![\w/.-])(\.github/[\w./-]+\.(?:py|sh))")
EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")
TOX_ENV = re.compile(r"\btox -e ((?:\$\{\{[^}]*\}\}|\S)+)")
PINNED = re.compile(r"^(v\d+\.\d+\.\d+|[0-9a-f]{40})$")
SHA = re.compile(r"^[0-9a-f]{40}$")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*([^\s#]+)\s*(?:#\s*(.*?))?\s*$")
TAG_COMMENT = re.compile(r"^v\d+\.\d+\.\d+$")
LABELS_FILE = Path(__file__).resolve().parent / "runner_labels.json"
ACTION_FILES = ("action.yml", "action.yaml")
HOST_PATH = re.compile(
    r"github\.workspace|runner\.(temp|tool_cache|workspace)|^/home/runner|^/Users/runner|^[A-Za-z]:[\\/]"
)
"""A value that names a folder of the runner host, which a container does not have."""
# The first major version of each action that runs on node24 (GitHub is retiring
# node20): from each action's action.yml `runs.using` at that tag.
NODE24_SINCE = {
    "actions/checkout": 5,
    "actions/setup-python": 6,
    "actions/cache": 5,
    "actions/upload-artifact": 6,
    "actions/download-artifact": 7,
    "astral-sh/setup-uv": 7,
    "mamba-org/setup-micromamba": 3,
}


@dataclass
class Step:
    data: dict[str, Any]

    @property
    def run(self) -> str:
        return str(self.data.get("run", ""))

    @property
    def action(self) -> str:
        """``owner/repo`` of a ``uses:`` step, '' for a ``run:`` step."""
        return str(self.data.get("uses", "")).split("@", 1)[0]

    @property
    def ref(self) -> str:
        uses = str(self.data.get("uses", ""))
        return uses.split("@", 1)[1] if "@" in uses else ""

    @property
    def inputs(self) -> dict[str, Any]:
        return dict(self.data.get("with") or {})


@dataclass
class Job:
    workflow: str
    id: str
    data: dict[str, Any]
    env: dict[str, str] = field(default_factory=dict)
    """The workflow's env updated with the job's."""
    inputs: dict[str, str] = field(default_factory=dict)
    """The ``with:`` of the call that instantiated this job (reusable workflows)."""
    scope: str = ""
    """``<caller>/`` for a job of a called workflow: its ``needs`` name jobs of that call."""
    source: str = ""
    """The file the job is written in: the workflow, or the called workflow."""

    @property
    def own_env(self) -> dict[str, Any]:
        """The job's own ``env:``, without what it inherits from its workflow."""
        return dict(self.data.get("env") or {})

    @property
    def name(self) -> str:
        return f"{self.workflow}:{self.id}"

    @property
    def steps(self) -> list[Step]:
        return [Step(s) for s in self.data.get("steps") or []]

    @property
    def needs(self) -> list[str]:
        needs = self.data.get("needs") or []
        return [needs] if isinstance(needs, str) else list(needs)

    @property
    def calls(self) -> str:
        """The reusable workflow a ``uses:`` job calls, '' otherwise."""
        return str(self.data.get("uses", ""))

    def cells(self) -> list[dict[str, Any]]:
        """The matrix cells (one empty cell for a job without a matrix)."""
        matrix = dict((self.data.get("strategy") or {}).get("matrix") or {})
        include = matrix.pop("include", []) or []
        matrix.pop("exclude", None)
        keys = sorted(matrix)
        cells = [
            dict(zip(keys, values)) for values in itertools.product(*(matrix[k] for k in keys))
        ]
        if keys and include:
            raise NotImplementedError(f"{self.name}: matrix with axes and include")
        return cells if keys else [dict(cell) for cell in include] or [{}]

    def expand(self, text: str, cell: dict[str, Any]) -> str:
        """``text`` with ``${{ matrix.X }}`` and ``${{ env.X }}`` of ``cell`` substituted."""

        def value(match: re.Match[str]) -> str:
            expression = match.group(1)
            if expression.startswith("matrix."):
                return str(cell[expression.removeprefix("matrix.")])
            if expression.startswith("env.") and expression[4:] in self.env:
                return self.env[expression[4:]]
            if expression.startswith("inputs.") and expression[7:] in self.inputs:
                return self.inputs[expression[7:]]
            return match.group(0)

        return EXPRESSION.sub(value, text)

    def runner(self, cell: dict[str, Any]) -> str:
        return self.expand(str(self.data.get("runs-on", "")), cell)

    def cell_id(self, cell: dict[str, Any]) -> str:
        return str(cell.get("id") or self.inputs.get("id") or self.runner(cell))

    def runs(self, pattern: str) -> list[str]:
        """The ``run:`` scripts matching the regular expression ``pattern``."""
        return [s.run for s in self.steps if re.search(pattern, s.run)]

    def tox_envs(self, cell: dict[str, Any]) -> list[str]:
        return [self.expand(m.group(1), cell) for s in self.steps for m in TOX_ENV.finditer(s.run)]


_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML has it (the same safe constructors, a tenth of the time
of the pure-Python parser on the workflows; their tests read them hundreds of times)."""


def safe_load(text: str) -> Any:
    """``yaml.safe_load`` with libyaml's parser when there is one."""
    return yaml.load(text, Loader=_SAFE_LOADER)


def read_yaml(path: Path) -> dict[str, Any]:
    data = safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    # YAML 1.1 reads the key `on` as True.
    if True in data:
        data["on"] = data.pop(True)
    return data


def workflows(root: Path) -> dict[str, dict[str, Any]]:
    return {p.name: read_yaml(p) for p in sorted((root / WORKFLOWS_DIR).glob("*.y*ml"))}


def triggers(data: dict[str, Any]) -> set[str]:
    on = data.get("on") or {}
    if isinstance(on, str):
        return {on}
    return set(on)


def only_called(data: dict[str, Any]) -> bool:
    """A reusable workflow that never runs on its own."""
    return triggers(data) == {"workflow_call"}


def _env(*envs: dict[str, Any] | None) -> dict[str, str]:
    merged: dict[str, Any] = {}
    for env in envs:
        merged.update(env or {})
    return {k: str(v) for k, v in merged.items()}


def jobs(root: Path) -> dict[str, Job]:
    """Every job of every workflow run, by ``workflow:job`` (``workflow:caller/job`` for
    the jobs a call of a reusable workflow instantiates)."""
    found: dict[str, Job] = {}
    for name, data in workflows(root).items():
        if only_called(data):
            continue
        for job_id, job in (data.get("jobs") or {}).items():
            env = _env(data.get("env"), job.get("env"))
            found[f"{name}:{job_id}"] = Job(name, job_id, job, env, source=name)
            uses = str(job.get("uses", ""))
            if not uses.startswith("./") or not (root / uses).is_file():
                continue
            callee = read_yaml(root / uses)
            declared = ((callee.get("on") or {}).get("workflow_call") or {}).get("inputs") or {}
            inputs = {k: str(v.get("default", "")) for k, v in declared.items() if v}
            inputs.update({k: str(v) for k, v in (job.get("with") or {}).items()})
            for inner_id, inner in (callee.get("jobs") or {}).items():
                found[f"{name}:{job_id}/{inner_id}"] = Job(
                    name,
                    f"{job_id}/{inner_id}",
                    inner,
                    _env(callee.get("env"), inner.get("env")),
                    inputs=inputs,
                    scope=f"{job_id}/",
                    source=Path(uses).name,
                )
    return found


def called(job: Job, root: Path) -> list[Job]:
    """The jobs a ``uses: ./.github/workflows/x.yml`` job instantiates."""
    if not job.calls.startswith("./"):
        return []
    return [
        j for j in jobs(root).values() if j.workflow == job.workflow and j.scope == f"{job.id}/"
    ]


def is_optional(job: Job, root: Path) -> bool:
    """The release build (cibuildwheel): a test job must never wait for it."""
    if job.runs(r"cibuildwheel|build_wheels\.py"):
        return True
    return any(is_optional(j, root) for j in called(job, root))


def is_test_job(job: Job) -> bool:
    return bool(job.runs(r"\btox -e\b"))


def needs_closure(job: Job, all_jobs: dict[str, Job]) -> set[str]:
    seen: set[str] = set()
    todo = list(job.needs)
    while todo:
        need = todo.pop()
        if need in seen:
            continue
        seen.add(need)
        todo.extend(all_jobs[f"{job.workflow}:{job.scope}{need}"].needs)
    return seen


def graph_problems(root: Path) -> list[str]:
    """Test jobs wait only for what they need, and not for every cell of it to pass."""
    problems = []
    all_jobs = jobs(root)
    for job in all_jobs.values():
        if not is_test_job(job):
            continue
        for need in sorted(needs_closure(job, all_jobs)):
            needed = all_jobs[f"{job.workflow}:{job.scope}{need}"]
            if is_optional(needed, root):
                problems.append(
                    f"{job.name} needs {need}, which runs the optional release build "
                    "(cibuildwheel): when it fails, this job is skipped"
                )
            fan_in = len(needed.cells()) > 1 or needed.calls
            condition = str(job.data.get("if", ""))
            if fan_in and not re.search(r"!\s*cancelled\(\)|always\(\)", condition):
                problems.append(
                    f"{job.name} needs {need}, a matrix or a workflow call, without "
                    "`if: ${{ !cancelled() }}`: one failed cell of it skips every cell of this job"
                )
    return problems


def tox_envs_declared(root: Path) -> set[str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(root / "tox.ini", encoding="utf-8")
    return {s.removeprefix("testenv:") for s in parser.sections() if s.startswith("testenv:")}


def tox_pass_env(root: Path, env: str) -> list[str]:
    """``pass_env`` of ``[testenv]`` plus ``[testenv:env]`` as written in tox.ini."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(root / "tox.ini", encoding="utf-8")
    names: list[str] = []
    for section in ("testenv", f"testenv:{env}"):
        if parser.has_option(section, "pass_env"):
            names += parser.get(section, "pass_env").split()
    return names


def passes(root: Path, env: str, variable: str) -> bool:
    return any(fnmatch.fnmatchcase(variable, pattern) for pattern in tox_pass_env(root, env))


def pythons(job: Job) -> list[str]:
    return [v.strip() for v in job.env.get("HARNESS_PYTHONS", "").split(",") if v.strip()]


def setup_python_versions(job: Job) -> list[str]:
    versions: list[str] = []
    for step in job.steps:
        if step.action == "actions/setup-python":
            versions += str(step.inputs.get("python-version", "")).split()
    return versions


UV_PYTHON_INSTALL = re.compile(r"\buv python install\b([^\n]*)")


def uv_python_versions(job: Job) -> list[str]:
    """The CPythons a job's ``uv python install`` steps install (``$HARNESS_PYTHONS``:
    each of the job's HARNESS_PYTHONS)."""
    versions: list[str] = []
    for step in job.steps:
        for match in UV_PYTHON_INSTALL.finditer(step.run):
            words = match.group(1)
            if "HARNESS_PYTHONS" in words or "versions[@]" in words:
                versions += pythons(job)
            versions += re.findall(r"(?<![\w.])(3\.\d+)(?![\w.])", words)
    return versions


def installed_pythons(job: Job) -> list[str]:
    return setup_python_versions(job) + uv_python_versions(job)


def matrix_problems(root: Path) -> list[str]:
    """Every cell's tox env exists and fits its runner, with every Python it runs."""
    problems = []
    declared = tox_envs_declared(root)
    for job in jobs(root).values():
        for cell in job.cells():
            runner = job.runner(cell)
            runner_os = next((os for p, os in OS_OF_RUNNER.items() if runner.startswith(p)), "")
            for env in job.tox_envs(cell):
                if env not in declared:
                    problems.append(
                        f"{job.name} [{job.cell_id(cell)}]: tox env {env} not in tox.ini"
                    )
                prefix = env.split("-", 1)[0]
                if prefix in OS_OF_RUNNER.values() and prefix != runner_os:
                    problems.append(f"{job.name} [{job.cell_id(cell)}]: {env} on runner {runner}")
        if job.runs(r"tox -e \$\{\{ (matrix|inputs)\.os|harness build"):
            missing = set(pythons(job)) - set(installed_pythons(job))
            if missing:
                problems.append(f"{job.name}: HARNESS_PYTHONS {sorted(missing)} not installed")
    return problems


def uploads(job: Job, cell: dict[str, Any]) -> list[str]:
    return [
        job.expand(str(s.inputs.get("name", "artifact")), cell)
        for s in job.steps
        if s.action == "actions/upload-artifact"
    ]


def run_jobs(root: Path, workflow: str) -> list[Job]:
    """The jobs of one run of ``workflow``, including those of the workflows it calls."""
    return [j for j in jobs(root).values() if j.workflow == workflow]


def artifact_problems(root: Path) -> list[str]:
    """Artifact names are unique in a run; every download names an upload of that run."""
    problems = []
    for workflow in workflows(root):
        names: dict[str, str] = {}
        for job in run_jobs(root, workflow):
            for cell in job.cells():
                for name in uploads(job, cell):
                    where = f"{job.name} [{job.cell_id(cell)}]"
                    if name in names:
                        problems.append(
                            f"{workflow}: artifact {name!r} by {names[name]} and {where}"
                        )
                    names[name] = where
        for job in run_jobs(root, workflow):
            for cell in job.cells():
                for step in job.steps:
                    if step.action != "actions/download-artifact":
                        continue
                    wanted = job.expand(
                        str(step.inputs.get("name") or step.inputs.get("pattern") or "*"), cell
                    )
                    if not fnmatch.filter(names, wanted):
                        problems.append(
                            f"{job.name} [{job.cell_id(cell)}] downloads {wanted!r}, "
                            f"which no job of a {workflow} run uploads"
                        )
    return problems


def script_problems(root: Path) -> list[str]:
    problems = []
    for job in jobs(root).values():
        for step in job.steps:
            for script in SCRIPT.findall(step.run):
                if not (root / script).is_file():
                    problems.append(f"{job.name} runs {script}, which does not exist")
        if job.calls.startswith("./") and not (root / job.calls).is_file():
            problems.append(f"{job.name} calls {job.calls}, which does not exist")
    return problems


def action_files(root: Path) -> list[Path]:
    """The workflows and the repository's composite actions (root and ``.github/actions``)."""
    files = sorted((root / WORKFLOWS_DIR).glob("*.y*ml"))
    files += [root / name for name in ACTION_FILES if (root / name).is_file()]
    files += sorted((root / ".github" / "actions").glob("*/action.y*ml"))
    return files


def pin_problems(root: Path, files: list[Path] | None = None) -> list[str]:
    """Every ``uses:`` of another repository is pinned to a full commit SHA, with the tag
    it was taken from in a comment (``@<40 hex> # v6.0.1``), and that tag runs on node24.

    Read from the files' lines (the workflows and actions unless ``files`` are given):
    YAML drops the comment that names the tag.
    """
    problems = []
    for path in action_files(root) if files is None else files:
        where = path.relative_to(root).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = USES_LINE.match(line)
            if not match or match.group(1).startswith(("./", "docker://")):
                continue
            uses, tag = match.group(1), (match.group(2) or "").strip()
            action, _, ref = uses.partition("@")
            if not SHA.match(ref):
                problems.append(
                    f"{where}:{number}: {uses} is not pinned to a full commit SHA "
                    f"(write {action}@<40-hex commit> # <tag>)"
                )
                tag = tag or ref
            elif not TAG_COMMENT.match(tag):
                problems.append(
                    f"{where}:{number}: {uses} has no tag comment (# vX.Y.Z) saying which "
                    "release the commit is"
                )
                continue
            since = NODE24_SINCE.get(action)
            if since is None:
                problems.append(
                    f"{where}:{number}: {action}: runtime unknown, add it to NODE24_SINCE"
                )
            elif re.match(r"^v\d+", tag) and int(tag[1:].split(".")[0]) < since:
                problems.append(
                    f"{where}:{number}: {action}@{tag} runs on node20; v{since} runs on node24"
                )
    return problems


def runner_labels(path: Path = LABELS_FILE) -> dict[str, dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return dict(data["labels"])


def labels_used(root: Path) -> dict[str, list[str]]:
    """Every runner label a job runs on, with the jobs (and cells) that use it."""
    used: dict[str, list[str]] = {}
    for job in jobs(root).values():
        if job.calls:
            continue
        for cell in job.cells():
            used.setdefault(job.runner(cell), []).append(f"{job.name} [{job.cell_id(cell)}]")
    return used


DOCUMENTED_JOBS = ("docs/check.md", "docs/adding-a-scenario.md")
"""Docs whose yaml block is a job maintainers copy into their own workflows."""

RUNS_ON_LINE = re.compile(r"^\s*runs-on:\s*([A-Za-z0-9.-]+)\s*$")


def documented_job_problems(root: Path, today: datetime.date) -> list[str]:
    """The jobs the docs hand to maintainers hold to what the CI holds to: a runner label
    from the table that is neither moving nor past its retirement, and commit pins."""
    table = runner_labels()
    files = [root / name for name in DOCUMENTED_JOBS]
    problems = pin_problems(root, files)
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = RUNS_ON_LINE.match(line)
            if not match:
                continue
            label, where = match.group(1), f"{path.relative_to(root).as_posix()}:{number}"
            entry = table.get(label)
            retires = entry and entry.get("retires")
            if entry is None or entry.get("moving"):
                problems.append(f"{where}: runs-on {label!r} is not a pinned label of the table")
            elif retires and datetime.date.fromisoformat(retires) <= today:
                problems.append(f"{where}: runs-on {label!r} retired on {retires}")
    return problems


def runner_problems(
    root: Path, today: datetime.date, labels: dict[str, dict[str, Any]] | None = None
) -> list[str]:
    """Every label used is in the table, pins an image, and is not past its retirement."""
    table = runner_labels() if labels is None else labels
    problems = []
    for label, users in sorted(labels_used(root).items()):
        entry = table.get(label)
        first = users[0] + (f" and {len(users) - 1} more" if len(users) > 1 else "")
        if entry is None:
            problems.append(
                f"{first} runs on {label!r}, which is not in tests/workflows/runner_labels.json: "
                "add it with its announced retirement date (null when none is announced)"
            )
            continue
        if entry.get("moving"):
            problems.append(
                f"{first} runs on {label}, a moving label ({entry.get('source', '')}): "
                "pin an image label"
            )
        retires = entry.get("retires")
        if retires is not None and datetime.date.fromisoformat(retires) <= today:
            problems.append(
                f"{first} runs on {label}, retired on {retires} ({entry.get('source', '')}): "
                "jobs on it wait in the queue until GitHub cancels them"
            )
    return problems


RUNS_PYTHON = re.compile(r"\b(tox|harness|pip|python3?|uv (run|venv|tool install))\b")


def python_source_problems(root: Path) -> list[str]:
    """Every CPython comes from uv (python-build-standalone), none from setup-python's
    per-image manifest; each HARNESS_PYTHONS spans 3.9 up to at least 3.14."""
    problems = []
    for job in jobs(root).values():
        if job.calls:
            continue
        for step in job.steps:
            if step.action == "actions/setup-python":
                problems.append(
                    f"{job.name}: actions/setup-python (per-image manifest; no CPython 3.9 on "
                    "Ubuntu 26.04): install CPython with `uv python install`"
                )
        in_container = bool(job.data.get("container"))
        if not in_container and job.runs(RUNS_PYTHON.pattern) and not uv_python_versions(job):
            problems.append(f"{job.name}: runs Python but installs none with `uv python install`")
        versions = sorted((int(v.split(".")[1]) for v in pythons(job)), reverse=True)
        if versions and not in_container and (versions[-1] != 9 or versions[0] < 14):
            problems.append(
                f"{job.name}: HARNESS_PYTHONS {job.env['HARNESS_PYTHONS']!r} does not span "
                "3.9 (the oldest supported) to 3.14 (the newest uv offers)"
            )
    return problems


def independence_problems(root: Path) -> list[str]:
    """Each OS on its own: a test job waits for one wheelhouse, its own; every job has a
    timeout; the report job runs whatever happened and sees every leg's result."""
    problems = []
    all_jobs = jobs(root)
    for job in all_jobs.values():
        if job.calls:
            continue
        if "timeout-minutes" not in job.data:
            problems.append(f"{job.name}: no timeout-minutes (a hung job holds its runner 6 h)")
        if not is_test_job(job):
            continue
        for need in sorted(needs_closure(job, all_jobs)):
            needed = all_jobs[f"{job.workflow}:{job.scope}{need}"]
            theirs = {needed.cell_id(cell) for cell in needed.cells()}
            for cell in job.cells():
                others = sorted(theirs - {job.cell_id(cell)})
                if others:
                    problems.append(
                        f"{job.name} [{job.cell_id(cell)}] needs {need}, which also runs "
                        f"{', '.join(others)}: it waits for every OS's {need}"
                    )
    for workflow in workflows(root):
        legs = [
            j
            for j in run_jobs(root, workflow)
            if any(n.startswith("report-") for cell in j.cells() for n in uploads(j, cell))
        ]
        for job in run_jobs(root, workflow):
            downloads = [
                s
                for s in job.steps
                if s.action == "actions/download-artifact"
                and str(s.inputs.get("pattern", "")).startswith("report-")
            ]
            if not downloads:
                continue
            condition = str(job.data.get("if", ""))
            if not re.fullmatch(r"(\$\{\{\s*)?always\(\)(\s*\}\})?", condition.strip()):
                problems.append(
                    f"{job.name}: merges the reports with `if: {condition or 'success()'}`; "
                    "`if: always()` merges whatever exists after a failed, cancelled or skipped leg"
                )
            top = {leg.scope.rstrip("/") or leg.id for leg in legs}
            missing = sorted(top - set(job.needs))
            if missing:
                problems.append(
                    f"{job.name}: does not need {', '.join(missing)}, whose reports it merges"
                )
            if not any("toJSON(needs)" in str(s.data.get("env", "")) for s in job.steps):
                problems.append(
                    f"{job.name}: no step gets toJSON(needs), so the summary cannot say which "
                    "legs are missing and why"
                )
            problems += leg_list_problems(job, legs)
    return problems


def leg_list_problems(report: Job, legs: list[Job]) -> list[str]:
    """The ``--leg NAME=ARTIFACT,...`` list the report job's summary is written from names
    each job it needs, with exactly the report artifacts that job's cells upload."""
    listed = {
        name: set(artifacts.split(","))
        for run in report.runs(r"--leg ")
        for name, artifacts in re.findall(r"--leg ([\w.-]+)=(\S+)", run)
    }
    if not listed:
        return []
    uploaded: dict[str, set[str]] = {}
    for leg in legs:
        top = leg.scope.rstrip("/") or leg.id
        names = {n for cell in leg.cells() for n in uploads(leg, cell) if n.startswith("report-")}
        uploaded.setdefault(top, set()).update(names)
    problems = []
    for name in sorted(set(listed) | set(report.needs)):
        if listed.get(name) != uploaded.get(name, set()):
            problems.append(
                f"{report.name}: --leg {name} lists {sorted(listed.get(name, set()))}, but "
                f"{name} uploads {sorted(uploaded.get(name, set()))}"
            )
    return problems


def container_problems(root: Path) -> list[str]:
    """A container job inherits no host path: it sets each such variable itself, to a
    value that is not one."""
    problems = []
    for job in jobs(root).values():
        if not job.data.get("container"):
            continue
        own = job.own_env
        for name, value in sorted(job.env.items()):
            if name not in own and HOST_PATH.search(value):
                problems.append(
                    f"{job.name}: inherits {name}={value!r}, a host path that does not exist "
                    "in its container: set it in the job's env"
                )
            elif name in own and HOST_PATH.search(str(own[name])):
                problems.append(
                    f"{job.name}: sets {name}={own[name]!r}, a host path, in a container job"
                )
    return problems


def scenario_declarations(scenarios: Path) -> list[tuple[str, set[str], set[str]]]:
    """``(name, layouts, platforms)`` of every scenario.toml."""
    found = []
    for path in sorted(scenarios.glob("*/scenario.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        found.append(
            (path.parent.name, set(data.get("layouts", [])), set(data.get("platforms", [])))
        )
    return found


def wheelhouse_cells(root: Path) -> set[str]:
    """The cell ids that build a wheelhouse (upload ``wheelhouse-<id>``)."""
    return {
        job.cell_id(cell)
        for job in jobs(root).values()
        for cell in job.cells()
        if any(name.startswith("wheelhouse-") for name in uploads(job, cell))
    }


def coverage_problems(root: Path, scenarios: Path) -> list[str]:
    """Each layout runs on every wheelhouse runner whose OS one of its scenarios declares."""
    problems = []
    declared = scenario_declarations(scenarios)
    for layout in sorted({layout for _, layouts, _ in declared for layout in layouts}):
        oses = {os for _, layouts, platforms in declared if layout in layouts for os in platforms}
        running = {
            job.cell_id(cell)
            for job in jobs(root).values()
            for cell in job.cells()
            if any(env.endswith(f"-{layout}") for env in job.tox_envs(cell))
        }
        for cell_id in sorted(wheelhouse_cells(root)):
            if cell_id.split("-")[0] in oses and cell_id not in running:
                names = sorted(
                    n
                    for n, layouts, p in declared
                    if layout in layouts and cell_id.split("-")[0] in p
                )
                problems.append(
                    f"no {layout} job on {cell_id}, though {len(names)} {layout} scenarios "
                    f"declare {cell_id.split('-')[0]}: {', '.join(names)}"
                )
    return problems


@dataclass(frozen=True)
class Cache:
    job: str
    kind: str
    """What the docs call it: pip, uv, conda packages, or the path actions/cache keeps."""
    writers: tuple[str, ...]
    """The ``run:`` scripts that write it."""
    problem: str = ""


def caches(job: Job, root: Path) -> Iterator[Cache]:
    """Every cache an action of ``job`` saves, with the steps that write its folder."""
    runs = [s.run for s in job.steps if s.run]
    tox_uv = any("tox-uv" in run for run in runs)
    for step in job.steps:
        inputs = step.inputs
        if step.action == "actions/setup-python" and inputs.get("cache"):
            # pip's cache: written by pip installs (setup-python's post step fails on none).
            writers = [r for r in runs if re.search(r"\bpip install\b", r) and "uv pip" not in r]
            yield Cache(job.name, str(inputs["cache"]), tuple(writers))
        elif step.action == "astral-sh/setup-uv" and str(inputs.get("enable-cache")) in (
            "True",
            "true",
            "auto",
        ):
            # setup-uv exports UV_CACHE_DIR; its post step fails when that folder does not
            # exist (unless ignore-nothing-to-cache). uv writes it when run directly, or by
            # tox-uv creating tox environments (tox-uv passes UV_* on). The harness's own
            # uv runs use .harness/cache/uv, so `harness ...` steps do not count.
            writers = [
                r
                for r in runs
                if re.search(r"(^|\s)uv\s", r) or (tox_uv and re.search(r"\btox -e", r))
            ]
            if "cache-local-path" in inputs:
                writers = []
            yield Cache(job.name, "uv", tuple(writers))
        elif step.action == "mamba-org/setup-micromamba":
            if inputs.get("cache-downloads"):
                # $MAMBA_ROOT_PREFIX/pkgs: written by micromamba run with that root
                # prefix, i.e. by the harness's micromamba when tox passes it on.
                envs = [env for cell in job.cells() for env in job.tox_envs(cell)]
                passed = all(
                    passes(root, env, variable)
                    for env in envs
                    for variable in ("MAMBA_ROOT_PREFIX", "CONDARC")
                )
                writers = job.runs(r"\btox -e") if envs and passed else []
                yield Cache(job.name, "conda packages", tuple(writers))
            name = inputs.get("environment-name")
            if name and not any(str(name) in r for r in runs):
                yield Cache(
                    job.name,
                    f"micromamba environment {name}",
                    (),
                    f"{job.name}: setup-micromamba creates environment {name!r}, which no step uses",
                )
        elif step.action == "actions/cache":
            path = str(inputs.get("path", ""))
            if path.startswith(".harness"):
                # The harness's work directory (HARNESS_WORKDIR defaults to .harness).
                writers = [r for r in runs if re.search(r"\bharness \w|\btox -e", r)]
            else:
                writers = [r for r in runs if path in r]
            problem = ""
            if inputs.get("restore-keys"):
                problem = (
                    f"{job.name}: actions/cache of {path} has restore-keys: every stale entry "
                    "of an earlier key is restored and saved again, so the cache only grows"
                )
            yield Cache(job.name, f"`{path}`", tuple(writers), problem)


def cache_problems(root: Path) -> list[str]:
    problems = []
    for job in jobs(root).values():
        for cache in caches(job, root):
            if cache.problem:
                problems.append(cache.problem)
            elif not cache.writers:
                problems.append(
                    f"{cache.job}: caches {cache.kind}, which no step of the job writes"
                )
    return problems


def python_column(job: Job) -> str:
    """The CPythons a job builds or tests, as docs/ci.md's table shows them."""
    if job.runs(r"\btox -e \$\{\{ (matrix|inputs)\.os|harness build|build_wheels\.py"):
        return ", ".join(pythons(job))
    for step in job.steps:
        if step.action == "./" and step.inputs.get("python"):
            return ", ".join(job.expand(str(step.inputs["python"]), {}).split(","))
    versions = installed_pythons(job)
    return versions[-1] if versions else "-"


def ci_table(root: Path) -> list[tuple[str, ...]]:
    """The rows docs/ci.md's "At a glance" table must have: one per job as written, the
    cells of every call of a reusable workflow's job in one row."""
    rows: dict[tuple[str, str], list[str]] = {}
    details: dict[tuple[str, str], tuple[str, str]] = {}
    for job in jobs(root).values():
        if job.calls:
            continue
        key = (job.source, job.id.removeprefix(job.scope))
        rows.setdefault(key, []).extend(job.cell_id(cell) for cell in job.cells())
        cached = ", ".join(c.kind for c in caches(job, root) if not c.problem) or "-"
        details[key] = (python_column(job), cached)
    return [
        (f"`{source}`", f"`{job_id}`", ", ".join(cells), *details[(source, job_id)])
        for (source, job_id), cells in rows.items()
    ]


def docs_table(root: Path) -> list[tuple[str, ...]]:
    """The rows of the table in docs/ci.md headed ``| workflow | job | runs on | ...``."""
    lines = (root / "docs" / "ci.md").read_text(encoding="utf-8").splitlines()
    rows: list[tuple[str, ...]] = []
    inside = False
    for line in lines:
        cells = tuple(c.strip() for c in line.strip().strip("|").split("|"))
        if line.startswith("| workflow | job | runs on |"):
            inside = True
        elif inside and line.startswith("|"):
            if not set(line) <= set("|- :"):
                rows.append(cells)
        elif inside:
            break
    return rows


def docs_problems(root: Path) -> list[str]:
    expected, written = ci_table(root), docs_table(root)
    if not written:
        return ["docs/ci.md has no table headed | workflow | job | runs on | Python | caches |"]
    problems = [f"docs/ci.md lacks the row {' | '.join(r)}" for r in expected if r not in written]
    problems += [
        f"docs/ci.md has the row {' | '.join(r)}, which is not the CI"
        for r in written
        if r not in expected
    ]
    return problems


def native_projects(root: Path) -> dict[str, dict[str, Any]]:
    """``[tool.cibuildwheel]`` of each native wheels-src project, by folder."""
    found = {}
    for path in sorted((root / "wheels-src").glob("*/pyproject.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        table = data.get("tool", {}).get("cibuildwheel")
        if table:
            found[path.parent.name] = data
    return found


INPUT_OF_FLAG = {
    "--python": "python",
    "--find-links": "find-links",
    "--index": "index",
    "--layout": "layouts",
    "--installer": "installer",
    "--conda": "conda",
    "--import": "imports",
    "--load": "loads",
    "--preload": "preloads",
    "--producer": "producers",
    "--consumer": "consumers",
    "--strict-symbols": "strict-symbols",
}
"""The ``harness check`` options a maintainer sets, and the action input for each; the
rest go through ``args``, and the action sets ``--report-dir`` and ``-v`` itself."""


def action_problems(root: Path, check_options: set[str]) -> list[str]:
    """The maintainers' composite action: runs ``harness check``, writes the Markdown report
    to the job summary, uploads report.json/html, fails the job on a failed verdict, has
    an input for each of ``check_options`` (the CLI's), and this repository's CI runs it on
    Linux, macOS and Windows."""
    path = next((root / n for n in ACTION_FILES if (root / n).is_file()), None)
    if path is None:
        return ["no action.yml at the repository root: maintainers have no one-step check"]
    data = safe_load(path.read_text(encoding="utf-8"))
    problems = []
    runs = data.get("runs") or {}
    if runs.get("using") != "composite":
        problems.append(f"{path.name}: runs.using is {runs.get('using')!r}, not composite")
    steps = [Step(s) for s in runs.get("steps") or []]
    scripts = "\n".join(s.run for s in steps)
    if not re.search(r"\bcheck\b", scripts) or "GITHUB_ACTION_PATH" not in scripts:
        problems.append(
            f"{path.name}: does not install the harness from the action's folder and run `harness check`"
        )
    if not re.search(r">>\s*\"?\$GITHUB_STEP_SUMMARY", scripts) or "report.md" not in scripts:
        problems.append(f"{path.name}: does not write report.md to $GITHUB_STEP_SUMMARY")
    uploaded = " ".join(
        str(s.inputs.get("path", "")) for s in steps if s.action == "actions/upload-artifact"
    )
    for name in ("report.json", "report.html"):
        if name not in uploaded:
            problems.append(f"{path.name}: does not upload {name}")
    failing = [s for s in steps if "exit 1" in s.run and "exit-code" in str(s.data.get("if", ""))]
    if not failing:
        problems.append(
            f"{path.name}: no step fails the job when harness check's exit code is not 0"
        )
    inputs = set(data.get("inputs") or {})
    for option, wanted in INPUT_OF_FLAG.items():
        if option not in check_options:
            problems.append(
                f"{path.name}: input {wanted} passes {option}, which harness check lacks"
            )
        elif wanted not in inputs:
            problems.append(f"{path.name}: no input {wanted} for harness check {option}")
    if "args" not in inputs:
        problems.append(f"{path.name}: no input `args` for the other harness check options")
    used_on = {
        OS_OF_RUNNER.get(job.runner(cell).split("-")[0], "?")
        for job in jobs(root).values()
        for cell in job.cells()
        if any(s.action == "./" for s in job.steps)
    }
    for os_name in ("linux", "macos", "windows"):
        if os_name not in used_on:
            problems.append(
                f"no job of this repository's CI runs the action (uses: ./) on {os_name}"
            )
    return problems


def timeout_bound(root: Path) -> int:
    """Runner-minutes one run of every workflow can take at most: each job's
    ``timeout-minutes`` times its cells (a job without one counts GitHub's 360)."""
    return sum(
        int(job.data.get("timeout-minutes", 360)) * len(job.cells())
        for job in jobs(root).values()
        if not job.calls
    )
