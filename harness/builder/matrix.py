"""Build the whole catalogue for one interpreter: producers first, in parallel where possible.

Each item is looked up in the content-hash cache first; only misses are built (staged,
``uv build``, repaired) and published atomically. Progress goes to a callback one line
per item; a failure raises :class:`BuildError` with the tail of the item's log and the
path of the full log.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from harness import logged, platforms, project
from harness.builder import cache, cmake_prefix, frontend, repair, staging
from harness.builder.catalogue import (
    PREFIXES_BY_ID,
    WHEELS_BY_ID,
    PrefixSpec,
    WheelSpec,
    build_inputs,
    closure,
    ids_on,
)
from harness.builder.toolchain import Toolchain, detect
from harness.builder.wheelhouse import WheelEntry, Wheelhouse
from harness.copying import link_or_copy
from harness.filelock import locked
from harness.hashing import file_sha256
from harness.interpreters import Interpreter
from harness.logged import TAIL_LINES, CommandFailedError, tail
from harness.workdir import WorkDir, atomic_directory

Progress = Callable[[str], None]


class BuildError(RuntimeError):
    """Building one item failed; says which, why, the log's tail and where the full log is."""

    def __init__(self, item_id: str, reason: str, log: Path | None) -> None:
        self.item_id = item_id
        self.reason = reason
        self.log = log
        message = f"building {item_id!r} failed: {reason}"
        if log is not None:
            message += (
                f"\n--- last {TAIL_LINES} lines of {log} ---\n"
                + "\n".join(tail(log))
                + f"\n--- full log: {log}"
            )
        super().__init__(message)


class _DependencyFailedError(RuntimeError):
    pass


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class _Context:
    workdir: WorkDir
    interpreter: Interpreter
    wheels_src: Path
    toolchain: Toolchain
    platform: platforms.Platform
    progress: Progress

    def log_path(self, item_id: str, tag: str) -> Path:
        return self.workdir.logs / "build" / f"{item_id}-{tag}.log"


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _check_wheel_name(spec: WheelSpec, wheel: Path) -> str:
    """The wheel's version, after checking its name and version against the catalogue."""
    dist, version = wheel.name.split("-")[:2]
    if _normalize(dist) != _normalize(spec.dist) or (spec.version and version != spec.version):
        raise RuntimeError(
            f"built {wheel.name}, but the catalogue says {spec.dist} {spec.version or '(any)'}; "
            f"fix wheels-src/{spec.project}/pyproject.toml or harness/builder/catalogue.py"
        )
    return version


def repair_search_ids(platform: platforms.Platform, spec: WheelSpec) -> tuple[str, ...]:
    """Producer wheels whose libraries the repair step must be able to find.

    ``spec.repair_search`` when the catalogue names them (the forgotten exclude); on a
    platform whose repair tool resolves excluded libraries too (delocate), every producer
    among the build inputs, as a real build finds them in its build environment.
    """
    if spec.repair_search:
        return spec.repair_search
    if platform.name in repair.RESOLVES_EXCLUDED and spec.leave_to_other_wheels:
        return tuple(i for i in build_inputs(spec) if WHEELS_BY_ID[i].role == "producer")
    return ()


def _repair_search_env(
    ctx: _Context,
    spec: WheelSpec,
    deps: dict[str, cache.Entry],
    scratch: Path,
    child_env: dict[str, str],
) -> dict[str, str]:
    """The repair step's environment (``child_env``, plus the producer wheels' library
    directories when it must find them)."""
    searched = repair_search_ids(ctx.platform, spec)
    if not searched:
        return child_env
    unknown = [i for i in searched if i not in deps]
    if unknown:
        raise RuntimeError(
            f"repair_search of {spec.id!r} names {', '.join(unknown)}, which is not among its "
            f"build inputs ({', '.join(deps) or 'none'}); fix harness/builder/catalogue.py"
        )
    directories: list[Path] = []
    for item in searched:
        directories += repair.library_dirs(deps[item].product, scratch / item, ctx.platform)
    return repair.search_env(directories, ctx.platform, {**os.environ, **child_env})


def _start_log(ctx: _Context, log: Path) -> None:
    """A fresh build log that starts with the resolved tools (path and version)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("\n".join(ctx.toolchain.log_lines()) + "\n", encoding="utf-8")


_ItemBuild = Callable[[Path, Path, Path], dict[str, object]]
"""What one item's build does on a cache miss: given a fresh work directory, the scratch
entry and the log, put the product into the scratch entry and return its metadata (at
least ``product``, the product's name inside the entry)."""


def _cached_build(
    ctx: _Context,
    kind: str,
    item_id: str,
    *,
    parts: list[tuple[str, str]],
    log_tag: str,
    build: _ItemBuild,
) -> cache.Entry:
    """The entry of ``item_id`` keyed by ``parts``: from the cache, or built by ``build``
    and published atomically (an interrupted or failing build leaves no entry and no
    work directory behind)."""
    final = cache.entry_dir(ctx.workdir.cache, kind, item_id, cache.key(parts))
    hit = cache.lookup(final)
    if hit is not None:
        ctx.progress(f"{item_id:<20} cached")
        return hit
    log = ctx.log_path(item_id, log_tag)
    _start_log(ctx, log)
    ctx.progress(f"{item_id:<20} building (log: {log})")
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix=f"build-{item_id}.", dir=ctx.workdir.tmp) as work,
        atomic_directory(final, ctx.workdir.tmp) as scratch,
    ):
        meta = build(Path(work), scratch, log)
        seconds = round(time.monotonic() - started, 2)
        cache.write_meta(
            scratch, {**meta, "id": item_id, "key_parts": dict(parts), "seconds": seconds}
        )
    ctx.progress(f"{item_id:<20} built in {time.monotonic() - started:.1f} s")
    entry = cache.lookup(final)
    assert entry is not None, final
    return entry


def _build_wheel(ctx: _Context, spec: WheelSpec, deps: dict[str, cache.Entry]) -> cache.Entry:
    directory = staging.project_dir(ctx.wheels_src, spec)
    tag = ctx.interpreter.tag if spec.python_specific else "py3"
    inputs = {WHEELS_BY_ID[i].dist: deps[i].product for i in build_inputs(spec)}
    excludes = [lib.file_name(ctx.platform) for lib in spec.leave_to_other_wheels]
    parts = [
        ("sources", staging.source_digest(directory, spec)),
        ("tag", tag),
        ("platform", ctx.platform.name),
        ("toolchain", ctx.toolchain.fingerprint()),
        ("excludes", " ".join(excludes)),
    ]
    parts += [(f"input:{i}", str(deps[i].meta["sha256"])) for i in build_inputs(spec)]
    searched = repair_search_ids(ctx.platform, spec)
    if searched:
        parts.append(("repair_search", " ".join(searched)))

    def build(work: Path, scratch: Path, log: Path) -> dict[str, object]:
        child_env = ctx.toolchain.child_env(work / "tmp")
        staged = staging.stage(directory, spec, work / "src" / spec.project)
        built = frontend.build_wheel(
            ctx.toolchain,
            ctx.interpreter.executable,
            staged,
            out_dir=work / "dist",
            inputs=inputs,
            uv_cache=ctx.workdir.cache / "uv",
            log=log,
            env=child_env,
        )
        if spec.role == "loader":
            product = built
        else:
            env = _repair_search_env(ctx, spec, deps, work / "repair-search", child_env)
            product = repair.repair(built, work / "repaired", excludes, log, env=env)
        version = _check_wheel_name(spec, product)
        shutil.move(str(product), scratch / product.name)
        return {
            "product": product.name,
            "dist": spec.dist,
            "version": version,
            "role": spec.role,
            "sha256": file_sha256(scratch / product.name),
        }

    return _cached_build(ctx, cache.WHEELS, spec.id, parts=parts, log_tag=tag, build=build)


def _build_prefix(ctx: _Context, spec: PrefixSpec) -> cache.Entry:
    directory = ctx.wheels_src / spec.project
    as_wheel = WheelSpec(spec.id, spec.project, spec.id, "", "producer", defines=spec.defines)
    staging.project_dir(ctx.wheels_src, as_wheel)
    parts = [
        ("sources", staging.source_digest(directory, as_wheel)),
        ("platform", ctx.platform.name),
        ("toolchain", ctx.toolchain.fingerprint()),
    ]

    def build(work: Path, scratch: Path, log: Path) -> dict[str, object]:
        cmake_prefix.install_prefix(
            ctx.toolchain,
            directory,
            spec.defines,
            build_dir=work / "build",
            prefix=scratch / "prefix",
            log=log,
            env=ctx.toolchain.child_env(work / "tmp"),
        )
        return {"product": "prefix"}

    return _cached_build(ctx, cache.PREFIXES, spec.id, parts=parts, log_tag="prefix", build=build)


def _job(ctx: _Context, item_id: str, futures: dict[str, Future[cache.Entry]]) -> cache.Entry:
    spec = WHEELS_BY_ID.get(item_id)
    if spec is None:
        return _run_reporting(ctx, item_id, lambda: _build_prefix(ctx, PREFIXES_BY_ID[item_id]))
    deps: dict[str, cache.Entry] = {}
    for dep in build_inputs(spec):
        try:
            deps[dep] = futures[dep].result()
        except Exception as error:
            raise _DependencyFailedError(f"{item_id}: needs {dep!r}, which failed") from error
    return _run_reporting(ctx, item_id, lambda: _build_wheel(ctx, spec, deps))


def _run_reporting(ctx: _Context, item_id: str, work: Callable[[], cache.Entry]) -> cache.Entry:
    tag = ctx.interpreter.tag
    try:
        return work()
    except CommandFailedError as error:
        ctx.progress(f"{item_id:<20} FAILED ({error.what}); log: {error.log}")
        raise BuildError(item_id, str(error), error.log) from error
    except (staging.ProjectError, RuntimeError) as error:
        if isinstance(error, BuildError):
            raise
        log = ctx.log_path(item_id, tag)
        ctx.progress(f"{item_id:<20} FAILED ({error})")
        raise BuildError(item_id, str(error), log if log.is_file() else None) from error


def _link_or_copy(source: Path, target: Path) -> None:
    if target.exists() and target.samefile(source):
        return
    target.unlink(missing_ok=True)
    link_or_copy(source, target)


def _publish(ctx: _Context, entries: dict[str, cache.Entry], replace_all: bool) -> Wheelhouse:
    """Add ``entries`` to the interpreter's wheelhouse (or make it of exactly these), under
    its lock: processes building different cells' wheels add to one index, and a read,
    merge and write by two of them at once would lose one's entries."""
    with locked(ctx.workdir.tmp / f"wheelhouse-{ctx.interpreter.tag}.lock"):
        return _publish_locked(ctx, entries, replace_all)


def _publish_locked(
    ctx: _Context, entries: dict[str, cache.Entry], replace_all: bool
) -> Wheelhouse:
    directory = ctx.workdir.wheelhouse / ctx.interpreter.tag
    try:
        house = Wheelhouse.load(directory)
        if replace_all or house.platform != ctx.platform.name:
            raise LookupError
    except LookupError:
        house = Wheelhouse(directory, ctx.interpreter.tag, ctx.platform.name)
    directory.mkdir(parents=True, exist_ok=True)
    for item_id, entry in entries.items():
        if item_id in PREFIXES_BY_ID:
            relative = f"prefixes/{item_id}"
            marker = directory / "prefixes" / f"{item_id}.source"
            if not marker.is_file() or marker.read_text(encoding="utf-8") != str(entry.directory):
                shutil.rmtree(directory / relative, ignore_errors=True)
                shutil.copytree(entry.product, directory / relative, symlinks=True)
                marker.write_text(str(entry.directory), encoding="utf-8")
            house.prefixes[item_id] = relative
            continue
        _link_or_copy(entry.product, directory / entry.product.name)
        meta = entry.meta
        house.wheels[item_id] = WheelEntry(
            file=entry.product.name,
            dist=str(meta["dist"]),
            version=str(meta["version"]),
            role=str(meta["role"]),
            sha256=str(meta["sha256"]),
        )
    house.write()
    listed = {entry.file for entry in house.wheels.values()}
    for stale in directory.glob("*.whl"):
        if stale.name not in listed:
            stale.unlink()
    return house


def build_all(
    workdir: WorkDir,
    interpreter: Interpreter,
    only: Iterable[str] | None = None,
    *,
    jobs: int | None = None,
    wheels_src: Path | None = None,
    progress: Progress | None = None,
) -> Wheelhouse:
    """Build (or take from the cache) every wheel and prefix, or ``only`` those and what they need.

    Every id of the catalogue built on this platform (``WheelSpec.platforms``), or ``only``
    those: asking for one the platform does not build raises
    :class:`~harness.builder.catalogue.NotOnPlatformError` naming the platform.

    Returns the wheelhouse ``workdir.wheelhouse / interpreter.tag``.
    """
    platform = platforms.current()
    requested = list(only) if only is not None else ids_on(platform)
    ids = closure(requested, platform)
    ctx = _Context(
        workdir=workdir,
        interpreter=interpreter,
        wheels_src=wheels_src or project.wheels_src(),
        toolchain=detect(),
        platform=platform,
        progress=progress or _stderr,
    )
    workers = jobs or max(2, os.cpu_count() or 1)
    futures: dict[str, Future[cache.Entry]] = {}
    # Submitted in dependency order to a FIFO pool: a job only waits for jobs that started before it.
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="harness-build")
    try:
        for item_id in ids:
            futures[item_id] = pool.submit(_job, ctx, item_id, futures)
    finally:
        logged.wait_for_jobs(pool, futures.values())
    failures: list[BaseException] = []
    entries: dict[str, cache.Entry] = {}
    for item_id, future in futures.items():
        error = future.exception()
        if error is None:
            entries[item_id] = future.result()
        elif not isinstance(error, _DependencyFailedError):
            failures.append(error)
    if failures:
        raise failures[0]
    return _publish(ctx, entries, replace_all=only is None)
