"""Build every ``wheels-src`` project the way a release would: cibuildwheel for native
projects, ``python -m build`` for pure ones, producers before their consumers.

A consumer's build isolation must install the producer wheel built a moment ago,
never a same-named distribution from an index (libfoo is a common name). So before
each cibuildwheel run this script points pip and uv at the output directory
(``*_FIND_LINKS``) and writes a constraint file pinning every distribution already
built to its file (``name @ file://...``). On Linux the build runs in a manylinux
container that sees the checkout as ``/project``, so the output directory must lie
inside the checkout and the paths handed to the build are container paths.

Projects that set their own cibuildwheel ``build`` selector (a py3-none producer is
built once) keep it; the others get ``CIBW_BUILD`` from ``--build``, by default the
CPythons in ``$HARNESS_PYTHONS`` (``3.9,3.13`` -> ``cp39-* cp313-*``), the versions the
harness matrix tests. (cibuildwheel's ``CIBW_BUILD`` overrides a table's ``build``; a
consumer that set ``build`` itself would be built for every CPython it lists.)

Usage (from the checkout root): python build_wheels.py [--output-dir wheelhouse]
Stdlib only; Python >= 3.11 (tomllib).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomllib

CONTAINER_PROJECT = "/project"
DEFAULT_BUILD = "cp39-* cp313-*"
PYTHONS_ENV = "HARNESS_PYTHONS"
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def normalize(name: str) -> str:
    """PEP 503 normalized distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str | None:
    match = _NAME.match(requirement)
    return normalize(match.group(1)) if match else None


@dataclass(frozen=True)
class Project:
    directory: Path
    name: str
    requires: frozenset[str]
    """Normalized names of everything it needs to build or run."""
    cibuildwheel: dict[str, Any]
    """Its ``[tool.cibuildwheel]`` table; empty for a pure project."""

    @property
    def native(self) -> bool:
        return bool(self.cibuildwheel)


def read_project(pyproject: Path) -> Project:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise SystemExit(f"error: {pyproject}: invalid TOML: {error}") from None
    name = data.get("project", {}).get("name")
    if not isinstance(name, str):
        raise SystemExit(f"error: {pyproject}: [project] name is missing")
    requirements = [
        *data.get("build-system", {}).get("requires", []),
        *data.get("project", {}).get("dependencies", []),
    ]
    names = {requirement_name(r) for r in requirements if isinstance(r, str)}
    return Project(
        directory=pyproject.parent,
        name=normalize(name),
        requires=frozenset(n for n in names if n),
        cibuildwheel=data.get("tool", {}).get("cibuildwheel", {}),
    )


def discover(wheels_src: Path) -> list[Project]:
    return [read_project(p) for p in sorted(wheels_src.glob("*/pyproject.toml"))]


def build_order(projects: list[Project]) -> list[Project]:
    """Projects with every local requirement before the projects that need it."""
    by_name = {p.name: p for p in projects}
    ordered: list[Project] = []
    state: dict[str, str] = {}

    def visit(project: Project, chain: tuple[str, ...]) -> None:
        if state.get(project.name) == "done":
            return
        if state.get(project.name) == "visiting":
            cycle = " -> ".join((*chain, project.name))
            raise SystemExit(f"error: dependency cycle between wheels-src projects: {cycle}")
        state[project.name] = "visiting"
        for needed in sorted(project.requires & by_name.keys()):
            visit(by_name[needed], (*chain, project.name))
        state[project.name] = "done"
        ordered.append(project)

    for project in projects:
        visit(project, ())
    return ordered


def default_build(environ: Mapping[str, str] | None = None) -> str:
    """``cpXY-*`` for each ``X.Y`` in ``$HARNESS_PYTHONS``, else ``DEFAULT_BUILD``."""
    environ = os.environ if environ is None else environ
    versions = [v.strip() for v in environ.get(PYTHONS_ENV, "").split(",") if v.strip()]
    selectors = []
    for version in versions:
        if not re.fullmatch(r"3\.\d+", version):
            raise SystemExit(
                f"error: {PYTHONS_ENV}={environ[PYTHONS_ENV]!r}: {version!r} is not X.Y"
            )
        selectors.append("cp" + version.replace(".", "") + "-*")
    return " ".join(selectors) or DEFAULT_BUILD


def platform_key() -> str:
    if sys.platform.startswith("linux"):
        return "linux"
    return "macos" if sys.platform == "darwin" else "windows"


def as_seen_by_build(path: Path, root: Path) -> str:
    """``path`` as the build sees it: under ``/project`` in the Linux container."""
    if platform_key() == "linux":
        return f"{CONTAINER_PROJECT}/{path.resolve().relative_to(root).as_posix()}"
    return path.resolve().as_posix()


def constraints(wheelhouse: Path, root: Path) -> str:
    """``name @ file://...`` for each distribution built so far (one wheel each)."""
    wheels: dict[str, list[Path]] = {}
    for wheel in sorted(wheelhouse.glob("*.whl")):
        wheels.setdefault(normalize(wheel.name.split("-")[0]), []).append(wheel)
    lines = []
    for name, files in sorted(wheels.items()):
        if len(files) == 1:
            seen = as_seen_by_build(files[0], root)
            uri = "file://" + (seen if seen.startswith("/") else "/" + seen)
            lines.append(f"{name} @ {uri}")
    return "".join(line + "\n" for line in lines)


def project_environment(project: Project) -> str:
    """The project's own cibuildwheel ``environment`` for this platform, as a string."""
    table = project.cibuildwheel
    value = table.get(platform_key(), {}).get("environment", table.get("environment", ""))
    if isinstance(value, dict):
        return " ".join(f"{key}={shlex.quote(str(v))}" for key, v in value.items())
    return str(value)


def cibuildwheel_env(project: Project, wheelhouse: Path, root: Path, build: str) -> dict[str, str]:
    constraint_file = wheelhouse / "constraints.txt"
    constraint_file.write_text(constraints(wheelhouse, root), encoding="utf-8")
    links = as_seen_by_build(wheelhouse, root)
    pinned = as_seen_by_build(constraint_file, root)
    # Constraints reach plain installs (the test step, `build`'s isolated environment)
    # and, through the *_BUILD_CONSTRAINT names newer pip and uv read, nested builds.
    ours = (
        f"PIP_FIND_LINKS={links} UV_FIND_LINKS={links} "
        f"PIP_CONSTRAINT={pinned} UV_CONSTRAINT={pinned} "
        f"PIP_BUILD_CONSTRAINT={pinned} UV_BUILD_CONSTRAINT={pinned}"
    )
    env = dict(os.environ)
    env[f"CIBW_ENVIRONMENT_{platform_key().upper()}"] = (
        f"{project_environment(project)} {ours}".strip()
    )
    if "build" not in project.cibuildwheel:
        env["CIBW_BUILD"] = build
    return env


def run(command: list[str], env: dict[str, str] | None = None) -> None:
    print("+ " + " ".join(shlex.quote(part) for part in command), flush=True)
    subprocess.run(command, check=True, env=env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", type=Path, default=Path("wheelhouse"))
    parser.add_argument(
        "--build",
        default=None,
        help=f"CIBW_BUILD for projects without one (default: from ${PYTHONS_ENV})",
    )
    parser.add_argument("--print-order", action="store_true", help="only print the build order")
    args = parser.parse_args(argv)

    root = Path.cwd().resolve()
    projects = build_order(discover(root / "wheels-src"))
    if args.print_order:
        for project in projects:
            kind = "cibuildwheel" if project.native else "pure"
            print(f"{project.name}\t{kind}\t{project.directory.relative_to(root).as_posix()}")
        return 0
    wheelhouse = args.output_dir.resolve()
    if not wheelhouse.is_relative_to(root):
        raise SystemExit(f"error: --output-dir {wheelhouse} must be inside the checkout {root}")
    wheelhouse.mkdir(parents=True, exist_ok=True)
    for project in projects:
        source = project.directory.relative_to(root).as_posix()
        if project.native:
            env = cibuildwheel_env(project, wheelhouse, root, args.build or default_build())
            run(
                [sys.executable, "-m", "cibuildwheel", "--output-dir", str(wheelhouse), source], env
            )
        else:
            run([sys.executable, "-m", "build", "--wheel", "--outdir", str(wheelhouse), source])
    (wheelhouse / "constraints.txt").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
