"""Create conda prefixes: the one entry point the provider and the CLI use.

``create_prefix`` picks the backend (a real conda tool that can reach a channel, else
py-rattler on the local channel), makes or reuses the cached template prefix for the
requested packages and clones it to the destination.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from harness import platforms, project
from harness.conda import channel as local_channel
from harness.conda import conda_paths, cpython, external, rattler_install, template
from harness.conda.cache_keys import code_digest, combine
from harness.conda.errors import CondaError
from harness.workdir import WorkDir

Backend = Literal["auto", "rattler", "external"]
BACKEND_ENV = "HARNESS_CONDA_BACKEND"


@dataclass(frozen=True)
class CondaPrefix:
    """A ready prefix and how it was made."""

    path: Path
    python: Path
    site_packages: Path
    backend: str
    packages: tuple[str, ...]


@cache
def _inspect(executable: Path) -> cpython.CPythonInstall:
    return cpython.inspect(executable)


def default_libfoo_source() -> Path:
    """``wheels-src/libfoo`` of the checkout (:class:`~harness.project.ProjectRootNotFoundError`
    outside one)."""
    return project.wheels_src() / "libfoo"


def libfoo_source_for(packages: Sequence[str], libfoo_source: Path | None) -> Path | None:
    """The libfoo sources the local channel needs, or None: python and pip alone (all that
    ``harness check``'s conda cells ask for) come from the interpreter, with no checkout."""
    if libfoo_source is not None or not packages:
        return libfoo_source
    try:
        return default_libfoo_source()
    except project.ProjectRootNotFoundError as error:  # a usage fault: one line, exit 2
        raise project.ProjectRootNotFoundError(
            f"conda package {sorted(packages)[0]!r} is built from wheels-src/libfoo: {error}"
        ) from None


def choose_backend(requested: Backend = "auto") -> tuple[str, str | None]:
    """``("external", tool)`` or ``("rattler", None)``."""
    chosen = os.environ.get(BACKEND_ENV, requested)
    if chosen not in ("auto", "rattler", "external"):
        raise CondaError(f"${BACKEND_ENV}={chosen!r}: expected auto, rattler or external")
    if chosen == "rattler":
        _check_rattler_platform()
        return "rattler", None
    tool = external.available()
    if tool is not None:
        return "external", tool
    if chosen == "external":
        raise CondaError(
            "the external conda backend was requested but no conda/mamba/micromamba on PATH "
            f"(or ${external.EXE_ENV}) can reach channel {external.remote_channel()!r}"
        )
    _check_rattler_platform()
    return "rattler", None


def _check_rattler_platform() -> None:
    """The local channel's python is a relocated ELF CPython: Linux only."""
    here = platforms.current()
    if here.name != "linux":
        raise CondaError(
            f"the py-rattler backend packages this machine's CPython as conda's python, which "
            f"is done for Linux (ELF, patchelf) only, not {here.name}; install micromamba, mamba "
            f"or conda with access to {external.remote_channel()!r} (the external backend: "
            f"${BACKEND_ENV}=external) to get conda-forge's python"
        )


def base_specs(python_version: str) -> list[str]:
    return [f"python {python_version}.*", "pip"]


def template_key(
    interpreter: Path,
    packages: Sequence[str] = (),
    *,
    libfoo_source: Path | None = None,
    backend: Backend = "auto",
) -> tuple[str, str, str | None]:
    """``(key, backend kind, tool)`` of the template prefix for these inputs; nothing is built."""
    install = _inspect(interpreter)
    source = libfoo_source_for(packages, libfoo_source)
    kind, tool = choose_backend(backend)
    channel = local_channel.channel_key(install, source, with_python=kind != "external")
    extra = sorted(packages)
    if kind == "external":
        parts = ["external", str(tool), external.remote_channel(), install.short]
    else:
        parts = ["rattler", rattler_install.rattler_version(), *base_specs(install.short)]
    return combine(code_digest(), channel, *parts, *extra), kind, tool


def ensure_template(
    workdir: WorkDir,
    interpreter: Path,
    packages: Sequence[str] = (),
    *,
    libfoo_source: Path | None = None,
    backend: Backend = "auto",
) -> tuple[Path, str]:
    """The cached template prefix for ``packages`` (conda specs, e.g. ``"libfoo 1.0"``)."""
    key, kind, tool = template_key(
        interpreter, packages, libfoo_source=libfoo_source, backend=backend
    )
    install = _inspect(interpreter)
    source = libfoo_source_for(packages, libfoo_source)
    extra = sorted(packages)
    if kind == "external" and tool is not None:

        def make(prefix: Path) -> list[str]:
            url = None
            if source is not None:  # python and pip come from the remote channel
                url = local_channel.ensure_channel(workdir, install, source, with_python=False).url
            root = workdir.cache / "conda" / "external-root"
            log = workdir.logs / "conda-external.log"
            return external.install(
                tool,
                install.short,
                local_channel_url=url,
                extra_specs=extra,
                prefix=prefix,
                root_prefix=root,
                log=log,
            )

    else:
        specs = [*base_specs(install.short), *extra]

        def make(prefix: Path) -> list[str]:
            channel = local_channel.ensure_channel(workdir, install, source)
            local_channel.verify_channel(channel.path)
            cache_dir = workdir.cache / "conda" / "rattler"
            return rattler_install.install(channel, specs, prefix, cache_dir)

    return template.ensure_template(workdir, key, make), kind


def site_packages(prefix: Path, short_version: str) -> Path:
    """The prefix's site-packages for python ``short_version``; a clear error if missing."""
    found = conda_paths.site_packages(prefix, platforms.current(), short_version)
    if not found.is_dir():
        raise CondaError(f"{prefix}: {found.relative_to(prefix)} is missing; not a python prefix")
    return found


def create_prefix(
    workdir: WorkDir,
    interpreter: Path,
    dest: Path,
    packages: Sequence[str] = (),
    *,
    libfoo_source: Path | None = None,
    backend: Backend = "auto",
) -> CondaPrefix:
    """A private conda prefix at ``dest`` with python, pip and ``packages``."""
    tmpl, kind = ensure_template(
        workdir, interpreter, packages, libfoo_source=libfoo_source, backend=backend
    )
    path = template.clone(tmpl, dest)
    meta = path / "conda-meta"
    return CondaPrefix(
        path=path,
        python=conda_paths.python(path, platforms.current()),
        site_packages=site_packages(path, _inspect(interpreter).short),
        backend=kind,
        packages=tuple(sorted(p.stem for p in meta.glob("*.json"))),
    )
