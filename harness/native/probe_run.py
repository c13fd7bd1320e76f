"""``run_native(loader, spec, workdir) -> Evidence``: one native cell, run with a real loader.

The spec is a list of native steps (load a library by path, call a ``const char *(void)``
function of a loaded library) plus the symbols and identity functions to report, as the
Python probe's spec has them. Libraries are named by the variants of the loader's
native build (``producer``, ``consumer-rpath``... see ``harness.native.build``) or given
as absolute host paths. The probe is built with the loader's compiler and run directly
(glibc, musl: its ``PT_INTERP`` picks the loader) or under Wine; the evidence is the
same schema the Python probe writes, with Windows paths on Wine (``wine.to_host`` maps
them back to host files).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from harness.evidence import Evidence, EvidenceError, ProbeError, parse
from harness.native import build as native_build
from harness.native import wine
from harness.workdir import WorkDir

SPEC_FILE = "native-spec.tsv"
EVIDENCE_FILE = "native-evidence.json"
CLEARED_ENV = ("LD_LIBRARY_PATH", "LD_PRELOAD", "LD_DEBUG", "LD_DEBUG_OUTPUT")
"""Loader variables a native cell does not inherit from the caller (``extra_env`` may set them)."""

_PathMapper = Callable[[Path], str]


@dataclass(frozen=True)
class NativeStep:
    """``load`` a library (a build variant name or an absolute path), or ``call`` a symbol.

    A call names the id of an earlier load step (``library``) and a ``const char *(void)``
    function; its value is the returned string.
    """

    id: str
    load: str | None = None
    call: str | None = None
    library: str | None = None
    mode: Literal["local", "global"] = "local"

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("native step: 'id' must not be empty")
        if (self.load is None) == (self.call is None):
            raise ValueError(f"native step {self.id!r}: give exactly one of load or call")
        if self.call is not None and not self.library:
            raise ValueError(f"native step {self.id!r}: a call names the load step (library)")
        if self.load is not None and self.library is not None:
            raise ValueError(f"native step {self.id!r}: a load step takes no library")
        if self.mode not in ("local", "global"):
            raise ValueError(f"native step {self.id!r}: mode must be 'local' or 'global'")


@dataclass(frozen=True)
class NativeSpec:
    steps: Sequence[NativeStep] = ()
    symbols: Sequence[str] = ()
    identity_functions: Sequence[str] = ()

    def __post_init__(self) -> None:
        seen: set[str] = set()
        loads: set[str] = set()
        for step in self.steps:
            if step.id in seen:
                raise ValueError(f"native spec: repeated step id {step.id!r}")
            seen.add(step.id)
            if step.call is not None and step.library not in loads:
                raise ValueError(
                    f"native spec: step {step.id!r} calls into {step.library!r}, "
                    "which is no earlier load step"
                )
            if step.load is not None:
                loads.add(step.id)


def run_native(
    loader: str,
    spec: NativeSpec,
    workdir: WorkDir,
    *,
    cell_dir: Path | None = None,
    session: wine.WineSession | None = None,
    extra_env: Mapping[str, str] | None = None,
    timeout: float = 60,
) -> Evidence:
    """Run ``spec`` with ``loader`` (``glibc``, ``musl``, ``wine``) and return its evidence.

    ``cell_dir`` (default: a fresh directory under the work dir's cells) receives the
    probe's spec and evidence. Wine cells use ``session`` or this process's shared one.
    Raises ToolMissingError (names the tool to install), ProbeError (the probe crashed or its
    evidence is not from ``loader``), ValueError (unknown loader or library variant).
    """
    chain = native_build.toolchain(loader)
    if chain.pe:
        missing = wine.missing_tool()
        if missing is not None:
            raise missing
    built = native_build.build(loader, workdir)
    if cell_dir is None:
        cell_dir = Path(tempfile.mkdtemp(prefix=f"native-{loader}-", dir=workdir.cells))
    cell_dir.mkdir(parents=True, exist_ok=True)
    spec_path = cell_dir / SPEC_FILE
    out_path = cell_dir / EVIDENCE_FILE
    out_path.unlink(missing_ok=True)

    def native_path(path: Path) -> str:
        return wine.to_windows(path) if chain.pe else str(path)

    spec_path.write_text(_spec_text(spec, built, native_path), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
    command = [str(built.probe), native_path(spec_path), native_path(out_path)]
    if chain.pe:
        session = session or wine.shared_session(workdir)
        env = {k: v for k, v in session.env.items() if k not in CLEARED_ENV}
        command.insert(0, wine.tool("wine"))
    env.update(extra_env or {})
    # Output goes to files, never pipes: Wine's helper processes (services.exe...) start
    # with the first program on a server, inherit its stdout/stderr and outlive it.
    stdout_path, stderr_path = cell_dir / "native-stdout.txt", cell_dir / "native-stderr.txt"
    try:
        with stdout_path.open("wb") as stdout, stderr_path.open("wb") as stderr:
            returncode = subprocess.run(
                command,
                cwd=cell_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
                check=False,
                timeout=timeout,
            ).returncode
    except OSError as exc:
        raise ProbeError(
            f"cannot start the {loader} native probe {command[0]}: {exc}",
            returncode=None,
            stderr="",
        ) from None
    except subprocess.TimeoutExpired:
        raise ProbeError(
            f"the {loader} native probe ({cell_dir}) did not finish in {timeout} s",
            returncode=None,
            stderr=_read(stderr_path),
        ) from None
    result = subprocess.CompletedProcess(
        command, returncode, _read(stdout_path), _read(stderr_path)
    )
    if result.returncode != 0 or not out_path.is_file():
        raise ProbeError.ended_badly(
            f"the {loader} native probe failed", cell_dir, returncode, result.stdout, result.stderr
        )
    return _evidence(loader, out_path, result)


def _evidence(loader: str, out_path: Path, result: subprocess.CompletedProcess[str]) -> Evidence:
    try:
        evidence = parse(out_path.read_text(encoding="utf-8"), source=str(out_path))
    except EvidenceError as exc:
        raise ProbeError(
            f"the {loader} native probe wrote bad evidence: {exc}",
            returncode=result.returncode,
            stderr=result.stderr,
        ) from None
    reported = evidence.loader.name if evidence.loader is not None else None
    if reported != loader:
        raise ProbeError(
            f"asked for a {loader} cell but the probe ran under {reported!r} ({out_path})",
            returncode=result.returncode,
            stderr=result.stderr,
        )
    return evidence


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def loader_of(out_path: Path) -> str | None:
    """The loader a native evidence file names (``glibc``, ``musl``, ``wine``)."""
    loader = parse(out_path.read_text(encoding="utf-8"), source=str(out_path)).loader
    return loader.name if loader is not None else None


def _spec_text(spec: NativeSpec, built: native_build.NativeBuild, native_path: _PathMapper) -> str:
    lines = [f"# native probe spec ({built.loader}), written by harness.native.probe_run"]
    for step in spec.steps:
        if step.load is not None:
            lines.append(_line("load", step.id, native_path(_library(step, built)), step.mode))
        else:
            assert step.call is not None and step.library is not None
            lines.append(_line("call", step.id, step.library, step.call))
    lines += [_line("symbol", name) for name in spec.symbols]
    lines += [_line("identity", name) for name in spec.identity_functions]
    return "\n".join(lines) + "\n"


def _library(step: NativeStep, built: native_build.NativeBuild) -> Path:
    assert step.load is not None
    if Path(step.load).is_absolute():
        return Path(step.load)
    try:
        return built.library(step.load)
    except KeyError as exc:
        raise ValueError(f"native step {step.id!r}: {exc.args[0]}") from None


def _line(*fields: str) -> str:
    for value in fields:
        if not value or any(c in value for c in "\t\r\n"):
            raise ValueError(f"native spec: {value!r} is empty or holds a tab or line break")
    return "\t".join(fields)
