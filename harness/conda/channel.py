"""The local conda channel: python, pip and libfoo packages, indexed by py-rattler.

Every package is built once per content key into ``<cache>/conda/pkgs/`` and the
channel directory (``<cache>/conda/channels/<key>/``, with the machine's subdir --
``linux-64``, ``osx-arm64``, ``win-64``... -- and ``noarch/``, each with its
``repodata.json``) is assembled from hard links and indexed in a scratch directory,
then renamed into place; a concurrent run that loses the race discards its copy
(:func:`harness.workdir.atomic_directory`). With a real conda (the external backend)
the channel holds only the libfoo packages: python and pip come from conda-forge.

``$HARNESS_CONDA_PACKAGES`` names a directory of built packages that several work dirs
share (the test suite's, as ``$HARNESS_PIP_VENVS`` does for pip venvs): a package's key
is its content, so each is made once for all of them, under a lock (:mod:`harness.stores`).

Without ``libfoo_source`` (no conda package beyond python and pip was asked for, as in
``harness check``) the channel holds python and pip only: they are made from the chosen
interpreter and the harness's own modules, so an installed harness needs no checkout.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rattler.index import index_fs

from harness import stores
from harness.conda import libfoo_package, python_package
from harness.conda.cache_keys import PACKAGE_MODULES, code_digest, combine
from harness.conda.cpython import CPythonInstall
from harness.conda.errors import ChannelError
from harness.conda.package_writer import PACKAGE_SUFFIX, PackageSpec, write_package
from harness.conda.subdirs import channel_subdirs
from harness.copying import link_or_copy
from harness.workdir import WorkDir, atomic_directory

LIBFOO_MAJORS = (1, 2)
SHARED_PACKAGES_VAR = "HARNESS_CONDA_PACKAGES"


@dataclass(frozen=True)
class LocalChannel:
    """A ready, indexed channel directory."""

    path: Path
    key: str
    subdirs: tuple[str, ...] = field(default_factory=channel_subdirs)

    @property
    def url(self) -> str:
        return self.path.as_uri()

    def package_files(self) -> list[Path]:
        pattern = f"*{PACKAGE_SUFFIX}"
        return sorted(p for sub in self.subdirs for p in (self.path / sub).glob(pattern))


def _cached_package(workdir: WorkDir, key: str, build: Callable[[Path, Path], PackageSpec]) -> Path:
    """``<packages>/<key>/<subdir>/<file>``, built by ``build(payload, scratch)`` once
    (one maker per package: a concurrent run waits for it instead of building it too)."""
    packages = stores.store(workdir, SHARED_PACKAGES_VAR, "conda/pkgs")
    final = packages.make_once(
        key, lambda scratch: _build_package(scratch, build), lock_prefix="conda-package"
    )
    found = sorted(final.glob(f"*/*{PACKAGE_SUFFIX}"))
    if len(found) != 1:
        raise ChannelError(
            f"package cache {final} holds {len(found)} packages instead of one; delete it to rebuild"
        )
    return found[0]


def _build_package(scratch: Path, build: Callable[[Path, Path], PackageSpec]) -> None:
    """Stage and write the package in ``scratch``, keeping only the package file."""
    payload = scratch / "payload"
    payload.mkdir()
    spec = build(payload, scratch)
    write_package(payload, spec, scratch / "out" / spec.subdir)
    for leftover in scratch.iterdir():
        if leftover.name != "out":
            shutil.rmtree(leftover)
    for sub in (scratch / "out").iterdir():
        sub.rename(scratch / sub.name)
    (scratch / "out").rmdir()


def package_keys(
    install: CPythonInstall, libfoo_source: Path | None, *, with_python: bool = True
) -> dict[str, str]:
    """Cache key of every package, from the inputs alone (nothing is built).

    ``with_python=False``: only the libfoo packages (a real conda brings python and pip).
    """
    code = code_digest(PACKAGE_MODULES)
    native = channel_subdirs()[0]
    keys: dict[str, str] = {}
    if with_python:
        py_key = "python-" + combine(code, native, python_package.fingerprint(install))
        keys["python"] = py_key
        keys["pip"] = "pip-" + combine(code, py_key, str(install.pip_version))
    if libfoo_source is not None:
        src = libfoo_package.source_digest(libfoo_source)
        for major in LIBFOO_MAJORS:
            keys[f"libfoo{major}"] = f"libfoo{major}-" + combine(code, native, src, str(major))
    return keys


def channel_key(
    install: CPythonInstall, libfoo_source: Path | None, *, with_python: bool = True
) -> str:
    """The key of the channel for these inputs (nothing is built)."""
    return combine(*package_keys(install, libfoo_source, with_python=with_python).values())


def build_packages(
    workdir: WorkDir,
    install: CPythonInstall,
    libfoo_source: Path | None,
    *,
    with_python: bool = True,
) -> list[Path]:
    """Build (or reuse) every package of the channel."""
    keys = package_keys(install, libfoo_source, with_python=with_python)
    log = workdir.logs / "conda-libfoo.log"
    packages: list[Path] = []
    if with_python:
        packages += [
            _cached_package(
                workdir, keys["python"], lambda p, _s: python_package.stage(install, p)
            ),
            _cached_package(
                workdir, keys["pip"], lambda p, _s: python_package.stage_pip(install, p)
            ),
        ]
    if libfoo_source is not None:
        for major in LIBFOO_MAJORS:
            build = functools.partial(_stage_libfoo, libfoo_source, major, log)
            packages.append(_cached_package(workdir, keys[f"libfoo{major}"], build))
    return packages


def _stage_libfoo(source: Path, major: int, log: Path, payload: Path, scratch: Path) -> PackageSpec:
    return libfoo_package.stage(source, major, payload, scratch, log)


def _index(channel_dir: Path) -> None:
    asyncio.run(index_fs(channel_dir, write_zst=False, write_shards=False, force=True))


def ensure_channel(
    workdir: WorkDir,
    install: CPythonInstall,
    libfoo_source: Path | None,
    *,
    with_python: bool = True,
) -> LocalChannel:
    """The indexed local channel for ``install`` and ``libfoo_source``, built if needed."""
    packages = build_packages(workdir, install, libfoo_source, with_python=with_python)
    key = channel_key(install, libfoo_source, with_python=with_python)
    final = workdir.cache / "conda" / "channels" / key
    subdirs = channel_subdirs()
    if not all((final / sub / "repodata.json").is_file() for sub in subdirs):
        with atomic_directory(final, workdir.tmp) as scratch:
            for sub in subdirs:
                (scratch / sub).mkdir()
            for package in packages:
                link_or_copy(package, scratch / package.parent.name / package.name)
            _index(scratch)
    return LocalChannel(path=final, key=key, subdirs=subdirs)


def verify_channel(channel: Path, subdirs: Sequence[str] | None = None) -> None:
    """Every package ``repodata.json`` lists exists and has the recorded sha256.

    A clear error up front instead of an extraction failure deep inside the installer.
    ``subdirs`` defaults to this machine's subdir and ``noarch``.
    """
    for sub in subdirs or channel_subdirs():
        repodata_path = channel / sub / "repodata.json"
        if not repodata_path.is_file():
            raise ChannelError(
                f"{repodata_path} is missing: {channel} is not an indexed conda channel "
                "(delete it and rerun `harness conda channel` to rebuild)"
            )
        repodata = json.loads(repodata_path.read_text())
        records = {**repodata.get("packages", {}), **repodata.get("packages.conda", {})}
        for file_name, record in records.items():
            package = channel / sub / file_name
            if not package.is_file():
                raise ChannelError(
                    f"channel package {package} ({record.get('name')}) listed in "
                    f"{repodata_path} is missing; delete {channel} to rebuild the channel"
                )
            digest = hashlib.sha256(package.read_bytes()).hexdigest()
            if digest != record.get("sha256"):
                raise ChannelError(
                    f"channel package {package} ({record.get('name')}) is corrupt: sha256 "
                    f"{digest} differs from {record.get('sha256')} in {repodata_path}; "
                    f"delete {channel} to rebuild the channel"
                )
