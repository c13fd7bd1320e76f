"""Installs from source: the sdists of an install request, built by pip or uv at install time.

Each sdist is installed by its own command, the location's own installer command (so
``--target``, ``--user``, ``--prefix`` mean what they mean for wheels) with the sdist in
place of the wheels and these additions, which keep the build offline and pinned:

- ``--find-links <build requirements>`` (``--no-index`` stays): the backend's wheels the
  builder's supply downloaded once (:attr:`InstallRequest.find_links`);
- build isolation (the default): the producer wheels the backend's temporary environment
  installs are pinned to the harness's files with ``name @ file://`` lines: pip reads them
  from ``PIP_CONSTRAINT`` (inherited by the pip that fills the build environment), uv from
  ``--build-constraint``. A distribution being installed from source in the same command
  is left out of the file (pip would refuse an sdist of a distribution the constraint pins
  to a wheel);
- uv runs with ``--no-cache``: it would otherwise install the wheel it built from the
  same sdist for an earlier layout, and the build this layout is about never ran;
- ``--verbose``: the backend's output reaches the log (the ``links against`` line);
- ``--no-build-isolation``: the backend's requirements are installed into the layout first
  and the build runs with the layout's own environment (``PYTHONPATH``,
  ``PYTHONUSERBASE``), so it compiles against the producer already installed wherever
  the layout has it.

No repair tool runs: the built binary keeps whatever RPATH / install names its build
system wrote, which is what the sdist scenarios examine.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

from harness.envs import commands, pipfinder
from harness.envs.layout import CommandRunner, Layout, LayoutError
from harness.envs.location import Location
from harness.inspect.build_env import in_build_env
from harness.installs import InstallRequest
from harness.vocabulary import Installer

CONSTRAINTS_FILE = "sdist-build-constraints.txt"
"""In the layout's root, one per sdist command: ``dist @ file://...`` pins."""
SDIST_SUFFIX = ".tar.gz"
RECORD_FILE = "source-builds.json"
"""In the layout's root: per sdist built, where it went and the producer files its build
system reported linking against (the build log's ``links against <path>`` lines, which
the example consumers print at configure time)."""
ROOT_MARK = "{root}"
"""Stands for the layout's root in recorded paths."""
LINKED_AGAINST = re.compile(r"links against (\S+)")


def check_sdists(request: InstallRequest, label: str) -> None:
    """A clear error for a missing or mis-named sdist, build input or requirements dir."""
    for sdist in request.sdists:
        if not sdist.name.endswith(SDIST_SUFFIX) or not sdist.is_file():
            raise LayoutError(
                f"sdist {sdist} (for location {label!r}) is not an existing .tar.gz file; "
                "let the supply build it (`sdists = [...]` in [[install]])"
            )
    for wheel in request.build_inputs:
        if not wheel.is_file():
            raise LayoutError(f"build input wheel {wheel} does not exist; build it first")
    if request.sdists and (request.find_links is None or not request.find_links.is_dir()):
        raise LayoutError(
            f"sdists for location {label!r} need a directory of their build requirements "
            "(InstallRequest.find_links); the builder's supply fills it"
        )


def distribution_of(path: Path) -> str:
    """The normalised distribution name of a wheel or sdist file name."""
    return path.name.split("-", 1)[0].replace("_", "-").lower()


def constraint_lines(wheels: tuple[Path, ...], building: str) -> list[str]:
    """``dist @ file://...`` per build input wheel, except the distribution being built."""
    return [
        f"{distribution_of(w)} @ {w.resolve().as_uri()}"
        for w in sorted(wheels)
        if distribution_of(w) != building
    ]


def _with_source_flags(
    argv: list[str], request: InstallRequest, installer: Installer, constraints: Path
) -> list[str]:
    """``argv`` (an install command ending with the sdist) with the offline build flags."""
    at = argv.index("install") + 1
    flags = ["--verbose", "--find-links", str(request.find_links)]
    if not request.build_isolation:
        flags.append("--no-build-isolation")
    elif installer == "uv":
        flags += ["--build-constraint", str(constraints)]
    if installer == "uv":
        # never a wheel uv built from this sdist before: each template's build is seen
        flags.append("--no-cache")
    return [*argv[:at], *flags, *argv[at:]]


def install_requirements(
    layout: Layout, request: InstallRequest, installer: Installer, run: CommandRunner
) -> None:
    """The backend's requirements into the layout's site (``--no-build-isolation`` builds)."""
    links = ["--no-index", "--find-links", str(request.find_links)]
    if installer == "uv":
        head = [commands.find_uv(), "pip", "install", "--python", str(layout.python)]
        argv = [*head, "--no-config", "--offline", *links]
    else:
        argv = [*pipfinder.layout_pip(layout), "install", "--disable-pip-version-check"]
        argv += ["--no-input", "--no-cache-dir", *links]
    run(
        [*argv, *request.build_requirements],
        step=f"install the build requirements ({installer})",
        location=request.location,
    )


def install(
    layout: Layout,
    request: InstallRequest,
    installer: Installer,
    run: CommandRunner,
    location: Location,
) -> None:
    """Build and install every sdist of ``request`` into ``location``, in order."""
    check_sdists(request, location.label)
    if not request.build_isolation and request.build_requirements:
        install_requirements(layout, request, installer, run)
    for sdist in request.sdists:
        constraints = layout.root / CONSTRAINTS_FILE
        lines = constraint_lines(request.build_inputs, distribution_of(sdist))
        constraints.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        one = replace(request, wheels=(sdist,), deps=False)
        try:
            argv = location.command(layout, one, installer)
        except LayoutError:
            raise LayoutError(
                f"location {location.label!r} cannot install an sdist (it installs in more "
                "than one step); install sdists into site, target, user, prefix or root"
            ) from None
        env = {k: v for k, v in layout.env.items() if k == "PYTHONUSERBASE"}
        if not request.build_isolation:
            env = layout.process_env(host={})  # the build sees what the layout holds
        elif installer != "uv":
            env["PIP_CONSTRAINT"] = str(constraints)
        output = run(
            _with_source_flags(argv, request, installer, constraints),
            step=f"build and install {sdist.name} into {location.label} ({installer}, "
            f"build isolation {'on' if request.build_isolation else 'off'})",
            env=env,
            location=location.label,
            wheels=[sdist],
        )
        record(
            layout,
            {
                "sdist": sdist.name,
                "location": location.label,
                "installer": installer,
                "build_isolation": request.build_isolation,
                "linked_against": [
                    _in_layout(layout, path) for path in LINKED_AGAINST.findall(output)
                ],
            },
        )


def _in_layout(layout: Layout, path: str) -> str:
    """``path`` relative to the layout's root as ``{root}/...`` when it lies inside (the
    layout may be a template copied elsewhere later), else as it is; a build environment
    stays as it was, even one made in the layout's temporary directory."""
    if in_build_env(path):
        return path
    try:
        return f"{ROOT_MARK}/{Path(path).relative_to(layout.root).as_posix()}"
    except ValueError:
        return path


def record(layout: Layout, build: dict[str, object]) -> None:
    """Add one source build to :data:`RECORD_FILE` in the layout's root."""
    path = layout.root / RECORD_FILE
    builds = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []
    path.write_text(json.dumps([*builds, build], indent=1) + "\n", encoding="utf-8")


def recorded(root: Path) -> list[dict[str, object]]:
    """The source builds of the layout at ``root``, in install order (none: ``[]``), with
    paths inside the layout as they are under ``root`` now."""
    path = root / RECORD_FILE
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8").replace(ROOT_MARK, root.as_posix())
    builds = json.loads(text)
    return builds if isinstance(builds, list) else []
