"""The one place that turns wheel ids into what a layout installs.

Scenarios, ``harness check`` and tests name wheels by id; this module resolves them, so
layouts (:mod:`harness.envs`) and scenarios receive ready
:class:`~harness.installs.InstallRequest` values and never read the catalogue. It covers:

- catalogue ids, from the interpreter's built wheelhouse;
- files named by a scenario's ``[wheels]`` table (external wheels: a pattern relative to
  the scenario, ``${VAR}`` expanded, matching exactly one file);
- editable sources: a catalogue project staged as the builder stages it
  (:class:`~harness.installs.EditableSource`) and the wheels its build may take inputs from;
- sdists of catalogue projects (:mod:`harness.builder.sdists`, cached by content) with the
  wheels their isolated builds pin and a directory of their backend's requirements.
"""

from __future__ import annotations

import dataclasses
import glob
import os
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from harness import platforms, project
from harness.builder.catalogue import (
    PREFIXES_BY_ID,
    WHEELS_BY_ID,
    UnknownIdError,
    WheelSpec,
    build_inputs,
    closure,
)
from harness.builder.sdists import SdistError, build_sdist, requirement_name, requirements_dir
from harness.builder.staging import (
    ProjectError,
    project_dir,
    source_digest,
    source_files,
    staged_build_system,
    staged_pyproject_text,
)
from harness.builder.wheelhouse import Wheelhouse
from harness.installs import EditableSource, InstallRequest
from harness.vocabulary import EDITABLE
from harness.workdir import WorkDir


class SupplyError(LookupError):
    """A wheel id, prefix id or editable project that cannot be supplied; names the fix."""


class WheelFileError(LookupError):
    """A ``[wheels]`` pattern matches no file or several; names the id and the fix."""

    def __init__(self, wheel_id: str, message: str, fix: str) -> None:
        super().__init__(message)
        self.wheel_id = wheel_id
        self.fix = fix


_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def resolve_wheel_file(
    pattern: str,
    directory: Path,
    variable: Callable[[str], str | None] = os.environ.get,
    wheel_id: str = "",
) -> Path:
    """The one file ``pattern`` names: ``${VAR}`` expanded, relative to ``directory``, globbed."""
    missing = [name for name in _ENV_REF.findall(pattern) if not variable(name)]
    if missing:
        raise WheelFileError(
            wheel_id,
            f"wheel {wheel_id!r}: {pattern!r} uses ${{{missing[0]}}}, which is not set",
            f"set {missing[0]} to the directory holding the wheel",
        )
    expanded = _ENV_REF.sub(lambda match: variable(match.group(1)) or "", pattern)
    path = Path(expanded)
    if not path.is_absolute():
        path = directory / path
    # an absolute pattern (from ${VAR}): Path.glob takes relative patterns only
    matches = sorted({Path(found).resolve() for found in glob.glob(str(path))})  # noqa: PTH207
    matches = [found for found in matches if found.is_file()]
    if len(matches) != 1:
        shown = ", ".join(found.name for found in matches[:4])
        raise WheelFileError(
            wheel_id,
            f"wheel {wheel_id!r}: {pattern!r} ({path}) matches "
            + (f"{len(matches)} files ({shown})" if matches else "no file"),
            "build or download the wheel first, or fix the pattern"
            if not matches
            else "make the pattern more specific (add the version or the python tag)",
        )
    return matches[0]


def unknown_wheel_ids(wheel_ids: Iterable[str], external: Iterable[str] = ()) -> list[str]:
    """The wheel ids neither the catalogue nor ``external`` (a ``[wheels]`` table) know."""
    known = {*WHEELS_BY_ID, *external}
    return [wheel_id for wheel_id in wheel_ids if wheel_id not in known]


def is_prefix_id(prefix_id: str) -> bool:
    """Whether the catalogue makes a prefix ``prefix_id`` (``libfoo-system``)."""
    return prefix_id in PREFIXES_BY_ID


def built_for(location: str, wheel_ids: Iterable[str], sdists: Iterable[str] = ()) -> list[str]:
    """The catalogue ids one install takes from the wheelhouse: its wheels, and for the
    projects it builds from source (editable ones, sdists) what they are built against."""
    wheels, from_source = ([], list(wheel_ids)) if location == EDITABLE else (list(wheel_ids), [])
    from_source += sdists
    inputs = [i for w in from_source if w in WHEELS_BY_ID for i in build_inputs(WHEELS_BY_ID[w])]
    return [*wheels, *inputs]


def with_needs(ids: Iterable[str]) -> frozenset[str]:
    """``ids`` (catalogue wheel and prefix ids) and every id they need to build or run on
    this platform: what a cell that installs them needs built. SupplyError names an id
    that is unknown or not built here."""
    try:
        return frozenset(closure(ids, platforms.current()))
    except UnknownIdError as error:
        raise SupplyError(str(error)) from None


def catalogue_wheel_ids() -> tuple[str, ...]:
    """Every wheel id of the catalogue, in its order."""
    return tuple(WHEELS_BY_ID)


def catalogue_prefix_ids() -> tuple[str, ...]:
    """Every prefix id of the catalogue, sorted."""
    return tuple(sorted(PREFIXES_BY_ID))


def editable_source(wheel_id: str) -> EditableSource:
    """The project of ``wheel_id`` as the builder stages it, ready to be copied and
    installed with ``-e``."""
    spec = WHEELS_BY_ID.get(wheel_id)
    if spec is None:
        raise SupplyError(
            f"editable install of {wheel_id!r}: not a wheel id of the catalogue "
            "(harness/builder/catalogue.py)"
        )
    try:
        directory = project_dir(project.wheels_src(), spec)
        text = staged_pyproject_text(directory, spec)
        backend, requires = staged_build_system(directory, spec)
    except ProjectError as error:
        raise SupplyError(str(error)) from error
    return EditableSource(
        name=wheel_id,
        project=directory,
        files=tuple(path.relative_to(directory).as_posix() for path in source_files(directory)),
        pyproject=text,
        backend=backend,
        requires=requires,
        digest=source_digest(directory, spec),
    )


class WheelSupply:
    """Wheel ids -> files -> install requests, for one interpreter.

    ``external``: the scenario's ``[wheels]`` files (they win over the catalogue);
    ``wheelhouse``: the interpreter's built catalogue, or ``None`` when only external
    wheels are asked for; ``workdir``: where sdists and build requirements are cached
    and ``python`` the interpreter their builds run with (needed only for ``sdists``).
    """

    def __init__(
        self,
        wheelhouse: Wheelhouse | None,
        external: Mapping[str, Path],
        workdir: WorkDir | None = None,
        python: Path | None = None,
    ) -> None:
        self.wheelhouse = wheelhouse
        self.external = dict(external)
        self.workdir = workdir
        self.python = python

    def wheel(self, wheel_id: str) -> Path:
        """The file of ``wheel_id``."""
        if wheel_id in self.external:
            return self.external[wheel_id]
        if self.wheelhouse is None:
            raise SupplyError(f"wheel {wheel_id!r} is neither in [wheels] nor built")
        return self.wheelhouse.wheel(wheel_id)

    def system_library_dir(self, prefix_id: str) -> Path:
        """The directory of the catalogue prefix ``prefix_id`` (``libfoo-system``)."""
        if self.wheelhouse is None:
            raise SupplyError(f"prefix {prefix_id!r} needs the catalogue's wheelhouse")
        return self.wheelhouse.prefix(prefix_id)

    def request(
        self,
        location: str,
        wheel_ids: Iterable[str],
        *,
        deps: bool = False,
        remove: tuple[str, ...] = (),
        mode: str | None = None,
        sdists: Iterable[str] = (),
        build_isolation: bool = True,
    ) -> InstallRequest:
        """The install request of one ``[[install]]`` table (``editable``: from source;
        ``sdists``: wheel ids installed from their sdists after the wheels)."""
        ids = tuple(wheel_ids)
        if location != EDITABLE:
            request = InstallRequest(
                location=location,
                wheels=[self.wheel(wheel_id) for wheel_id in ids],
                deps=deps,
                remove=remove,
                build_isolation=build_isolation,
            )
            return self._with_sdists(request, tuple(sdists)) if sdists else request
        needed = {i for w in ids if w in WHEELS_BY_ID for i in build_inputs(WHEELS_BY_ID[w])}
        return InstallRequest(
            location=EDITABLE,
            wheels=(),
            remove=remove,
            projects=tuple(editable_source(wheel_id) for wheel_id in ids),
            editable_mode=mode or "redirect",
            build_inputs=tuple(self.wheel(i) for i in sorted(needed)),
        )

    def _with_sdists(self, request: InstallRequest, sdist_ids: tuple[str, ...]) -> InstallRequest:
        """``request`` with the sdists of ``sdist_ids``, their pinned build inputs and the
        directory of their backend's requirements."""
        if self.wheelhouse is None or self.workdir is None or self.python is None:
            raise SupplyError(
                f"sdists {', '.join(sdist_ids)}: building them needs the catalogue's wheelhouse"
                ", work directory and interpreter"
            )
        specs = [_catalogue_spec(wheel_id, "sdist") for wheel_id in sdist_ids]
        needed = sorted({i for spec in specs for i in build_inputs(spec)})
        inputs = {WHEELS_BY_ID[i].dist: self.wheel(i) for i in needed}
        ours = {requirement_name(spec.dist) for spec in WHEELS_BY_ID.values()}
        requirements = sorted(
            {
                r
                for spec in specs
                for r in editable_source(spec.id).requires
                if requirement_name(r) not in ours
            }
        )
        tag = self.wheelhouse.python_tag  # cp39 -> 3.9
        try:
            sdists = tuple(build_sdist(spec, self.workdir, inputs) for spec in specs)
            version = f"{tag[2]}.{tag[3:]}"
            find_links = requirements_dir(self.workdir, requirements, self.python, version)
        except SdistError as error:
            raise SupplyError(str(error)) from None
        return dataclasses.replace(
            request,
            sdists=sdists,
            build_inputs=tuple(inputs.values()),
            build_requirements=tuple(requirements),
            find_links=find_links,
        )


def _catalogue_spec(wheel_id: str, what: str) -> WheelSpec:
    spec = WHEELS_BY_ID.get(wheel_id)
    if spec is None:
        raise SupplyError(
            f"{what} of {wheel_id!r}: not a wheel id of the catalogue (harness/builder/catalogue.py)"
        )
    return spec


def needs_catalogue(
    external: Mapping[str, Path], wheel_ids: Iterable[str], *, system: bool
) -> bool:
    """Whether a cell needs the catalogue's wheelhouse built: a scenario (or `harness
    check`) naming only outside wheels never builds it."""
    return not external or system or any(w not in external for w in wheel_ids)


def editable_request(
    wheel_ids: Iterable[str], *, mode: str = "redirect", wheelhouse: Wheelhouse | None = None
) -> InstallRequest:
    """An ``editable`` install request of catalogue projects (tests, benchmarks)."""
    return WheelSupply(wheelhouse, {}).request(EDITABLE, wheel_ids, mode=mode)
