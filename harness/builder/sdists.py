"""Source distributions of catalogue projects, and the build requirements their installs need.

An sdist is made from the project staged exactly as for its wheel
(:func:`harness.builder.staging.stage`: the variant's ``pyproject.toml`` included), by the
build backend's ``build_sdist`` through ``uv build --sdist``, and cached by the staged
sources' digest under ``<cache>/sdists/``: one sdist per content, shared by every
interpreter and cell (the wheel it turns into is built per cell by the installer, which is
what the scenarios test). The producer wheels the backend's isolated environment installs
(``build-system.requires`` names ``libfoo``) are pinned to the wheelhouse's files with
``name @ file://`` build constraints, never taken from an index.

Installing an sdist offline needs its build backend's wheels: :func:`requirements_dir`
downloads them once per requirement set and Python version into ``<cache>/build-deps/``,
a ``--find-links`` directory for ``--no-index`` installs. CMake and ninja are the host's
(scikit-build-core asks for the PyPI wheels only when none is found), as for the builder.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from harness import project
from harness.builder import cache, staging
from harness.builder.catalogue import WheelSpec
from harness.builder.frontend import constraint_lines
from harness.filelock import locked
from harness.logged import CommandFailedError, run_logged
from harness.tools import uv_executable
from harness.workdir import WorkDir, atomic_directory

SDIST_KIND = "sdists"
BUILD_DEPS_KIND = "build-deps"


class SdistError(RuntimeError):
    """An sdist or its build requirements could not be made; names the log."""


def build_sdist(spec: WheelSpec, workdir: WorkDir, inputs: Mapping[str, Path]) -> Path:
    """The sdist of ``spec``'s staged project, from the cache or built now.

    ``inputs``: distribution name -> wheel file for the catalogue producers the build
    environment installs (the sdist's contents never depend on them, so they are no part
    of the key)."""
    directory = staging.project_dir(project.wheels_src(), spec)
    parts = [("sources", staging.source_digest(directory, spec)), ("kind", "sdist")]
    final = cache.entry_dir(workdir.cache, SDIST_KIND, spec.id, cache.key(parts))
    hit = cache.lookup(final)
    if hit is not None:
        return hit.product
    uv = uv_executable()
    if uv is None:
        raise SdistError(f"sdist of {spec.id!r}: uv is not installed (`pip install uv`)")
    log = workdir.logs / f"sdist-{spec.id}.log"
    with (
        tempfile.TemporaryDirectory(prefix=f"sdist-{spec.id}.", dir=workdir.tmp) as work,
        atomic_directory(final, workdir.tmp) as scratch,
    ):
        staged = staging.stage(directory, spec, Path(work) / "src" / spec.project)
        command = [str(uv), "build", "--sdist", "--no-config", "--no-python-downloads"]
        command += ["--python", sys.executable, "--out-dir", str(Path(work) / "dist")]
        if inputs:
            constraints = Path(work) / "build-constraints.txt"
            constraints.write_text("\n".join(constraint_lines(inputs)) + "\n", encoding="utf-8")
            command += ["--build-constraint", str(constraints)]
        env = {"UV_CACHE_DIR": str(workdir.cache / "uv")}
        try:
            run_logged("uv build --sdist", [*command, str(staged)], log, env=env)
        except (CommandFailedError, OSError) as error:
            raise SdistError(f"sdist of {spec.id!r} failed: {error} (log: {log})") from None
        built = sorted((Path(work) / "dist").glob("*.tar.gz"))
        if len(built) != 1:
            raise SdistError(f"uv build --sdist of {spec.id!r} made {len(built)} sdists ({log})")
        shutil.move(str(built[0]), scratch / built[0].name)
        cache.write_meta(
            scratch, {"product": built[0].name, "id": spec.id, "key_parts": dict(parts)}
        )
    entry = cache.lookup(final)
    assert entry is not None, final
    return entry.product


def requirement_name(requirement: str) -> str:
    """The normalised distribution name of a PEP 508 requirement (``scikit-build-core``)."""
    name = requirement
    for stop in "<>=!~;[ @":
        name = name.split(stop, 1)[0]
    return name.strip().replace("_", "-").lower()


def requirements_dir(
    workdir: WorkDir, requirements: Iterable[str], python: Path, python_version: str
) -> Path:
    """A ``--find-links`` directory with wheels of ``requirements`` (and their
    dependencies) for the interpreter ``python`` (``python_version``: ``3.9``), downloaded
    from the index once. pip runs for that interpreter (``--python``), so the dependencies
    its markers select (``tomli; python_version < "3.11"``) are downloaded too."""
    wanted = sorted(set(requirements))
    parts = [("requirements", " ".join(wanted)), ("python", python_version)]
    final = cache.entry_dir(workdir.cache, BUILD_DEPS_KIND, "backend", cache.key(parts))
    hit = cache.lookup(final)
    if hit is not None:
        return hit.directory
    log = workdir.logs / f"build-deps-{python_version}.log"
    with locked(workdir.tmp / f"build-deps-{python_version}.lock"):
        hit = cache.lookup(final)
        if hit is not None:
            return hit.directory
        with atomic_directory(final, workdir.tmp) as scratch:
            try:
                _download(
                    scratch,
                    wanted,
                    python,
                    version=python_version,
                    log=log,
                    uv_cache=workdir.cache / "uv",
                )
            except (CommandFailedError, OSError) as error:
                raise SdistError(
                    f"downloading the build requirements {', '.join(wanted)} for Python "
                    f"{python_version} failed: {error}; the index must be reachable once, "
                    "later installs are offline"
                ) from None
            cache.write_meta(scratch, {"product": ".", "requirements": wanted})
    return final


def _download(
    dest: Path, wanted: list[str], python: Path, *, version: str, log: Path, uv_cache: Path
) -> None:
    """Resolve ``wanted`` for ``python`` (``uv pip compile``: markers evaluated for that
    interpreter), then download exactly those pins' wheels into ``dest``."""
    uv = uv_executable()
    if uv is None:
        raise OSError("uv is not installed (`pip install uv`)")
    request = dest / "requirements.in"
    request.write_text("".join(f"{r}\n" for r in wanted), encoding="utf-8")
    compile_command = [str(uv), "pip", "compile", "--no-config", "--python", str(python)]
    compile_command += ["--only-binary", ":all:", "--no-header", "--no-annotate", str(request)]
    pins = [
        line.strip()
        for line in run_logged(
            "uv pip compile (build requirements)",
            compile_command,
            log,
            env={"UV_CACHE_DIR": str(uv_cache)},
        ).splitlines()
        if "==" in line and not line.lstrip().startswith("#")
    ]
    request.unlink()
    command = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check"]
    command += ["--no-input", "--no-deps", "--only-binary", ":all:", "--python-version"]
    command += [version, "--dest", str(dest), *pins]
    run_logged("pip download (build requirements)", command, log)
