"""Helpers that test files of several directories share: a synthetic wheel file, and the
project's example wheels (``pythonpath = ["tests"]`` in pyproject.toml puts this module on
the path; each directory's own ``<dir>_testlib.py`` keeps what only it needs)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

from harness import interpreters, project
from harness.builder import BuildError, Wheelhouse, build_all, cache
from harness.builder.wheelhouse import write_json
from harness.copying import link_or_copy
from harness.filelock import locked
from harness.scenarios.cell_runner import CellRunner
from harness.scenarios.verdict import CellFailedError
from harness.workdir import WorkDir, atomic_directory

PURE_TAG = "py3-none-any"
T = TypeVar("T")


def pinned_wheel(directory: Path, pin: str) -> Path | None:
    """The wheel of ``name==version`` in ``directory``: its file name spells the name
    normalized (``-`` as ``_``) or, in older wheels, as the project spells it."""
    name, version = pin.split("==", 1)
    for spelled in dict.fromkeys((name.replace("-", "_"), name)):
        found = sorted(directory.glob(f"{spelled}-{version}-*.whl"))
        if found:
            return found[0]
    return None


def write_wheel(
    directory: Path,
    dist: str,
    files: Mapping[str, bytes | str | Path],
    *,
    tag: str,
    version: str = "1.0",
    requires: Iterable[str] = (),
    mode: int | None = None,
) -> Path:
    """A wheel with METADATA, WHEEL and RECORD holding ``files`` (bytes, text, or a path to
    copy); ``mode``: the members' permission bits (default: the zip module's)."""
    escaped = dist.replace("-", "_")
    info = f"{escaped}-{version}.dist-info"
    contents: dict[str, bytes] = {}
    for name, value in files.items():
        if isinstance(value, Path):
            contents[name] = value.read_bytes()
        elif isinstance(value, str):
            contents[name] = value.encode()
        else:
            contents[name] = value
    metadata = f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n"
    metadata += "".join(f"Requires-Dist: {r}\n" for r in requires)
    contents[f"{info}/METADATA"] = metadata.encode()
    purelib = "true" if tag == PURE_TAG else "false"
    contents[f"{info}/WHEEL"] = (
        f"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: {purelib}\nTag: {tag}\n"
    ).encode()
    record = [_record_line(n, d) for n, d in contents.items()] + [f"{info}/RECORD,,"]
    contents[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{escaped}-{version}-{tag}.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            if mode is None:
                archive.writestr(name, data)
                continue
            member = zipfile.ZipInfo(name)
            member.external_attr = mode << 16
            archive.writestr(member, data, zipfile.ZIP_DEFLATED)
    return path


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def race(count: int, action: Callable[[int], T]) -> list[T]:
    """Run ``action(0)`` ... ``action(count - 1)`` in threads released at once (a
    barrier); their results in the order they finished, or the first error raised."""
    start = threading.Barrier(count)
    results: list[T] = []
    errors: list[BaseException] = []

    def one(index: int) -> None:
        start.wait()
        try:
            results.append(action(index))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def session_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory every pytest-xdist worker of this session shares (the session's own
    temporary directory without xdist): where a session fixture built once is kept."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def built_wheels(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """``wheel(wheel_id)`` -> the project's built example wheel, from the wheelhouse of the
    project's work dir (built under the same lock scenario runs use, as they find it);
    skips naming why they cannot be built.

    The work dir's cache first gets the entries of the session's catalogue build (hard
    links, :func:`link_cache_entries`): cache keys are contents, so the wheelhouse and the
    scenario cells of the session find every entry built instead of building the whole
    catalogue a second time (16 s of CPU)."""
    workdir = WorkDir()
    try:
        link_cache_entries(session_catalogue(tmp_path_factory).workdir, workdir)
        wheelhouse = CellRunner(workdir).wheelhouse(
            interpreters.find(interpreters.running_version())
        )
    except CellFailedError as error:
        pytest.skip(f"the example wheels cannot be built here: {error.cause.what}")
    except BuildError as error:
        pytest.skip(f"the example wheels cannot be built here: {error}")
    return wheelhouse.wheel


def link_cache_entries(source: WorkDir, target: WorkDir) -> list[str]:
    """Give ``target``'s cache every built entry of ``source``'s it lacks, each as a whole
    (hard links into a scratch directory renamed into place, as a build publishes one);
    the names of the entries added."""
    added = []
    for kind in cache.KINDS:
        for entry in sorted((source.cache / kind).glob(f"*/{cache.ENTRY_FILE}")):
            final = target.cache / kind / entry.parent.name
            if (final / cache.ENTRY_FILE).is_file():
                continue
            with atomic_directory(final, target.tmp) as scratch:
                shutil.copytree(
                    entry.parent, scratch, symlinks=True, copy_function=link_or_copy,
                    dirs_exist_ok=True,
                )  # fmt: skip
            added.append(f"{kind}/{entry.parent.name}")
    return added


@dataclass(frozen=True)
class SessionBuild:
    """The session's one real build of the whole catalogue for the running interpreter,
    shared by the builder tests and every other test that needs the whole catalogue."""

    workdir: WorkDir
    interpreter: interpreters.Interpreter
    wheelhouse: Wheelhouse
    progress: list[str]
    wheels_src: Path
    """The snapshot of wheels-src/ it was built from (taken at session start)."""
    lock: Path

    @contextmanager
    def building(self) -> Iterator[None]:
        """Hold the build's lock across workers: for a test that builds into it again, or
        reads its wheels while another test may."""
        with locked(self.lock):
            yield


def session_catalogue(tmp_path_factory: pytest.TempPathFactory) -> SessionBuild:
    """The build, made by the first pytest-xdist worker that asks, read by the others and
    by every test that needs the whole catalogue built (builds are the most expensive
    thing in the suite; each full build of its own cost a test 25 s of CPU). It reads a
    snapshot of wheels-src/, so edits made while the suite runs cannot change it."""
    root = session_root(tmp_path_factory)
    lock = root / "session-build.lock"
    with locked(lock):
        workdir = WorkDir(root / "build-workdir")
        snapshot = root / "sources" / "wheels-src"
        interpreter = interpreters.find("current")
        done = root / "session-build.json"
        if not done.is_file():
            shutil.rmtree(root / "sources", ignore_errors=True)
            shutil.copytree(
                project.wheels_src(Path(__file__).parent),
                snapshot,
                ignore=shutil.ignore_patterns("__pycache__", "build", "dist", "*.pyc"),
            )
            lines: list[str] = []
            build_all(workdir, interpreter, wheels_src=snapshot, progress=lines.append)
            write_json(done, lines)
        progress = json.loads(done.read_text(encoding="utf-8"))
        house = Wheelhouse.load(workdir.wheelhouse / interpreter.tag)
    return SessionBuild(workdir, interpreter, house, progress, snapshot, lock)
