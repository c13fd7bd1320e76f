"""Running the probe inside a layout: the typed spec (built straight from a scenario)
and the process that turns it into :class:`~harness.evidence.Evidence`.

The probe itself (the package ``harness/probe/``) is stdlib-only and runs in interpreters
without the harness; this module is the harness's side of it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness import resources
from harness.envs.layout import Layout
from harness.evidence import Evidence, JSONValue, ProbeError, load
from harness.processes import ProbeTimeoutError
from harness.scenarios.schema import Scenario

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{location:([^{}]+)\}")

PROBE_SCRIPT = resources.path(resources.PROBE).parent
"""The stdlib-only probe's package directory; a layout's interpreter runs it as a script
(``python .../probe SPEC OUT``, through its ``__main__.py``)."""
PROBE_MODULE = "harness_probe"
"""The probe's name as a package of its own, in a directory that holds nothing else."""
_BOOTSTRAP = (
    # The probe directory takes the place `-c` gives the current directory (or the first
    # place, under -P/PYTHONSAFEPATH); the probe's main() drops it again before any step.
    "import sys; p = sys.path; p[: 1 if p and p[0] == '' else 0] = [sys.argv[1]]; "
    # Layouts set PYTHONDONTWRITEBYTECODE for what the package imports; the probe's own
    # bytecode is the harness's, cached beside it for the next cell, so it is written.
    "w = sys.dont_write_bytecode; sys.dont_write_bytecode = False; "
    f"import {PROBE_MODULE}; sys.dont_write_bytecode = w; "
    f"sys.exit({PROBE_MODULE}.main(sys.argv[2:]))"
)


@functools.cache
def _probe_sources() -> tuple[dict[str, bytes], str]:
    """Each file of the probe package by its name in the package, and their digest."""
    sources = {Path(name).name: resources.path(name).read_bytes() for name in resources.PROBE_FILES}
    digest = hashlib.sha256()
    for name, source in sorted(sources.items()):
        digest.update(name.encode() + b"\0" + source + b"\0")
    return sources, digest.hexdigest()[:16]


def installed_probe(home: Path) -> Path:
    """The directory under ``home`` holding this probe as the package ``harness_probe``
    (one per content).

    Run as a script, the probe (some 900 lines) is compiled again in every cell: 5-15 ms of
    each probe process. Imported as a package from a directory that stays, each interpreter
    compiles it once and writes its bytecode beside it; later cells read that.
    """
    sources, digest = _probe_sources()
    directory = home / digest
    package = directory / PROBE_MODULE
    for name, source in sources.items():
        target = package / name
        if not target.is_file():
            package.mkdir(parents=True, exist_ok=True)
            scratch = package / f".{name}.{os.getpid()}.{threading.get_ident()}.tmp"
            scratch.write_bytes(source)
            scratch.replace(target)  # whole or absent, whoever writes last
    return directory


@functools.cache
def precompile_probe(home: Path, python: Path) -> Path:
    """Write the probe's bytecode for ``python`` beside it, once per process: a sandboxed
    probe finds ``home`` read-only and would compile the probe again in every cell. Run
    isolated and without ``site`` (``-I -S``): no ``.pth`` file of anyone's wheel runs
    outside the sandbox. The bytecode suits every interpreter of that version (its cache
    tag), the venv's, the PEX launcher's and a frozen app's alike."""
    directory = installed_probe(home)
    argv = [str(python), "-I", "-S", "-m", "compileall", "-q", str(directory / PROBE_MODULE)]
    subprocess.run(argv, capture_output=True, timeout=300, check=False)  # a miss only costs time
    return directory


def fill_locations(value: Any, locations: Mapping[str, Path], source: str) -> Any:
    """``value`` with ``{location:LABEL}`` replaced by the location's directory, in strings
    and inside lists and tables (``{{``/``}}`` are literal braces); KeyError for a label
    the layout does not have."""
    if isinstance(value, list | tuple):
        return [fill_locations(item, locations, source) for item in value]
    if isinstance(value, dict):
        return {key: fill_locations(item, locations, source) for key, item in value.items()}
    if not isinstance(value, str) or "{" not in value:
        return value

    def replace(match: re.Match[str]) -> str:
        if match.group(0) in ("{{", "}}"):
            return match.group(0)[0]
        label = match.group(1)
        if label not in locations:
            known = ", ".join(sorted(locations))
            raise KeyError(f"{source}: placeholder {{location:{label}}} unknown here ({known})")
        return str(locations[label])

    return _PLACEHOLDER.sub(replace, value)


@dataclass(frozen=True)
class ProbeStep:
    """One step: import a module, call a dotted callable with JSON arguments, or dlopen a file."""

    id: str
    import_: str | None = None
    call: str | None = None
    args: Sequence[JSONValue] = ()
    kwargs: Mapping[str, JSONValue] = field(default_factory=dict)
    load: str | None = None
    """A file path the probe dlopens (``ctypes.CDLL``, ``RTLD_LOCAL``)."""

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("probe step: 'id' must not be empty")
        if [self.import_, self.call, self.load].count(None) != 2:
            raise ValueError(f"probe step {self.id!r}: give exactly one of import_, call or load")
        if self.call is None and (self.args or self.kwargs):
            kind = "an import" if self.import_ is not None else "a load"
            raise ValueError(f"probe step {self.id!r}: {kind} step takes no arguments")

    def to_json(self) -> dict[str, JSONValue]:
        if self.import_ is not None:
            return {"id": self.id, "import": self.import_}
        if self.load is not None:
            return {"id": self.id, "load": self.load}
        return {
            "id": self.id,
            "call": self.call,
            "args": list(self.args),
            "kwargs": dict(self.kwargs),
        }


@dataclass(frozen=True)
class ProbeSpec:
    steps: Sequence[ProbeStep] = ()
    symbols: Sequence[str] = ()
    identity_functions: Sequence[str] = ()
    samples: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """Library file name -> a few of its exported symbols, for each copy's load mode."""

    def __post_init__(self) -> None:
        ids = [step.id for step in self.steps]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"probe spec: repeated step ids {repeated}")

    @classmethod
    def from_scenario(
        cls, scenario: Scenario, locations: Mapping[str, Path] | None = None
    ) -> ProbeSpec:
        """The spec of a scenario's steps, the symbols it names and its identity functions.

        ``locations`` (the layout's) fill ``{location:LABEL}`` in load paths and arguments.
        """
        where = str(scenario.path)

        def filled(value: Any) -> Any:
            return value if locations is None else fill_locations(value, locations, where)

        steps = []
        for step in scenario.steps:
            if step.action == "import":
                steps.append(ProbeStep(id=step.id, import_=step.target))
            elif step.action == "load":
                steps.append(ProbeStep(id=step.id, load=filled(step.target)))
            else:
                steps.append(
                    ProbeStep(
                        id=step.id,
                        call=step.target,
                        args=tuple(filled(list(step.args))),
                        kwargs=filled(dict(step.kwargs)),
                    )
                )
        functions = [lib.identity_function for lib in scenario.libraries if lib.identity_function]
        return cls(
            steps=steps,
            symbols=scenario.symbols.names,
            identity_functions=tuple(dict.fromkeys(functions)),
            samples={name: tuple(names) for name, names in scenario.symbols.samples.items()},
        )

    @classmethod
    def from_json(cls, spec: Mapping[str, Any]) -> ProbeSpec:
        """A spec from its JSON form (docs/architecture.md), as scenario checks write it."""
        steps = [
            ProbeStep(
                id=str(step["id"]),
                import_=step.get("import"),
                call=step.get("call"),
                load=step.get("load"),
                args=tuple(step.get("args") or ()),
                kwargs=dict(step.get("kwargs") or {}),
            )
            for step in spec.get("steps") or ()
        ]
        return cls(
            steps=steps,
            symbols=tuple(spec.get("symbols") or ()),
            identity_functions=tuple(spec.get("identity_functions") or ()),
            samples={
                str(name): tuple(names) for name, names in (spec.get("samples") or {}).items()
            },
        )

    def to_json(self) -> dict[str, JSONValue]:
        document: dict[str, JSONValue] = {
            "steps": [step.to_json() for step in self.steps],
            "symbols": list(self.symbols),
            "identity_functions": list(self.identity_functions),
        }
        if self.samples:  # only when asked: older probes reject unknown keys
            document["samples"] = {name: list(names) for name, names in self.samples.items()}
        return document


def ld_debug_env(cell_dir: Path, setting: str = "libs") -> dict[str, str]:
    """Variables that make glibc write its LD_DEBUG trace where the probe reads it."""
    return {"LD_DEBUG": setting, "LD_DEBUG_OUTPUT": str(cell_dir / "ld-debug")}


def run_probe(
    layout: Layout,
    spec: ProbeSpec,
    cell_dir: Path,
    *,
    name: str = "probe",
    extra_env: Mapping[str, str] | None = None,
    ld_debug: str | None = None,
    timeout: float = 120,
    probe_home: Path | None = None,
    on_left: Callable[[list[str]], object] | None = None,
) -> Evidence:
    """Run the probe with the layout's interpreter in ``cell_dir`` and return its evidence.

    Writes ``<name>-spec.json`` and ``<name>-evidence.json`` into ``cell_dir``.
    ``ld_debug="libs"`` also captures glibc's loader trace (Linux only). With
    ``probe_home`` (a directory shared by the cells of a work dir) the probe runs from its
    cached bytecode there (:func:`installed_probe`); without, as a script. ``on_left``
    hears of the processes the package left running after the probe ended (killed since).
    """
    cell_dir.mkdir(parents=True, exist_ok=True)
    spec_path = cell_dir / f"{name}-spec.json"
    out_path = cell_dir / f"{name}-evidence.json"
    spec_path.write_text(json.dumps(spec.to_json(), indent=1), encoding="utf-8")
    out_path.unlink(missing_ok=True)
    env = dict(extra_env or {})
    if ld_debug:
        env.update(ld_debug_env(cell_dir, ld_debug))
    if probe_home is None:
        command = [str(PROBE_SCRIPT), str(spec_path), str(out_path)]
    else:
        command = [
            "-c",
            _BOOTSTRAP,
            str(installed_probe(probe_home)),
            str(spec_path),
            str(out_path),
        ]
    try:
        result = layout.run(command, extra_env=env, cwd=cell_dir, timeout=timeout)
    except OSError as exc:
        raise ProbeError(
            f"cannot start the probe with {layout.python}: {exc}", returncode=None, stderr=""
        ) from None
    except subprocess.TimeoutExpired as exc:
        tree = exc.tree if isinstance(exc, ProbeTimeoutError) else []
        raise ProbeError(
            f"the probe in layout {layout.kind!r} ({cell_dir}) did not finish in {timeout:g} s",
            returncode=None,
            stderr=_text(exc.stderr),
            stdout=_text(exc.stdout),
            processes=[process.line() for process in tree],
        ) from None
    if on_left is not None and result.left:
        on_left([process.line() for process in result.left])
    if result.returncode != 0 or not out_path.is_file():
        raise ProbeError.ended_badly(
            f"the probe crashed in layout {layout.kind!r}",
            cell_dir,
            result.returncode,
            result.stdout,
            result.stderr,
        )
    return load(out_path)


def _text(data: str | bytes | None) -> str:
    if data is None:
        return ""
    return data if isinstance(data, str) else os.fsdecode(data)
