"""Typed view of the probe's evidence (schema 1): the model and its parser, a leaf.

The probe (the package ``harness/probe/``) writes plain JSON because it runs in interpreters
without the harness; this module turns that JSON into frozen dataclasses, with an
error naming the field when the document is malformed, and answers the questions
expectations ask: which copies of a library are loaded, which identity each copy
reports, which location a file came from (``label:relative/path``, never a machine
path). The format is documented in docs/architecture.md ("The probe and its evidence").
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath
from typing import TypeAlias

from harness import platforms
from harness.vocabulary import OUTSIDE

SCHEMA = 1

JSONValue: TypeAlias = bool | int | float | str | list["JSONValue"] | dict[str, "JSONValue"] | None


class EvidenceError(ValueError):
    """The evidence document is malformed; the message names the field."""


class ProbeError(RuntimeError):
    """The probe did not produce evidence (crash, timeout, bad spec); carries its output."""

    def __init__(
        self,
        message: str,
        *,
        returncode: int | None,
        stderr: str,
        stdout: str = "",
        processes: Sequence[str] = (),
    ):
        super().__init__(message)
        self.returncode = returncode
        self.stderr = stderr
        self.stdout = stdout
        self.processes = tuple(processes)
        """A timed-out probe's process tree at the timeout, one line per process."""

    @classmethod
    def ended_badly(
        cls, what: str, cell_dir: Path, returncode: int, stdout: str, stderr: str
    ) -> ProbeError:
        """``what`` (``the probe crashed in layout 'venv'``) exited non-zero or wrote no
        evidence: the message ends with its exit code, cell and stderr."""
        return cls(
            f"{what} (exit code {returncode}, cell {cell_dir}); its stderr:\n"
            f"{stderr.strip() or '(empty)'}",
            returncode=returncode,
            stderr=stderr,
            stdout=stdout,
        )


# ---------------------------------------------------------------------------
# The evidence


@dataclass(frozen=True)
class StepError:
    type: str
    """Exception class name (``ImportError``, ``SystemExit``...)."""
    message: str
    traceback: str | None = None


@dataclass(frozen=True)
class StepOutcome:
    id: str
    ok: bool
    value: JSONValue
    """The return value, or its ``repr`` when JSON cannot carry it (``value_is_repr``)."""
    error: StepError | None
    value_type: str | None = None
    value_is_repr: bool = False
    module_file: str | None = None
    """Real path of the module an ``import`` step imported."""


@dataclass(frozen=True)
class PythonInfo:
    version: str
    executable: str
    platform: str
    """``linux``, ``macos`` or ``windows``."""
    prefix: str | None = None
    base_prefix: str | None = None


@dataclass(frozen=True)
class LoaderInfo:
    """The dynamic loader a native probe ran under (the Python probe writes none)."""

    name: str
    """``glibc``, ``musl``, ``wine`` (or ``windows`` on a real Windows)."""
    version: str | None = None
    """``2.36``, ``wine-8.0``; ``None`` where the loader offers no version (musl)."""


@dataclass(frozen=True)
class LoadedObject:
    path: str
    """Real path (symlinks resolved) of a shared object mapped at the end of the run."""
    install_name: str | None = None
    """``LC_ID_DYLIB`` (macOS)."""


@dataclass(frozen=True)
class SymbolEvidence:
    name: str
    is_global: bool
    """Whether the global namespace (``dlsym(RTLD_DEFAULT)``) resolves the name."""
    defined_by: str | None
    """Object the global lookup resolved to (``dladdr``); None when not global."""
    defined_in: tuple[str, ...] = ()
    """Every loaded object that itself defines the name (global or not)."""
    note: str | None = None


@dataclass(frozen=True)
class LoadMode:
    """How one loaded object was loaded, judged from a few of its own exported symbols."""

    path: str
    sampled: tuple[str, ...]
    """Sampled names the object itself defines (the spec's ``samples`` for its file name)."""
    global_names: tuple[str, ...]
    """Those the global namespace (``dlsym(RTLD_DEFAULT)``) resolves to this object."""
    note: str | None = None

    @property
    def is_global(self) -> bool:
        """Its symbols are in the global namespace (an ``RTLD_GLOBAL`` load)."""
        return bool(self.global_names)


@dataclass(frozen=True)
class Identity:
    path: str
    function: str
    value: str | None
    error: str | None = None


@dataclass(frozen=True)
class LdDebug:
    setting: str
    text: str | None
    note: str | None = None


@dataclass(frozen=True)
class Evidence:
    """What the probe saw inside one process."""

    schema: int
    python: PythonInfo
    steps: tuple[StepOutcome, ...]
    loaded: tuple[LoadedObject, ...]
    symbols: Mapping[str, SymbolEvidence]
    identities: tuple[Identity, ...]
    loaded_source: str | None = None
    """How the loaded list was read (``dl_iterate_phdr``, ``/proc/self/maps``...)."""
    ld_debug: LdDebug | None = None
    load_modes: tuple[LoadMode, ...] = ()
    """Only when the spec asked (``samples``); older evidence has none."""
    loader: LoaderInfo | None = None
    """Native evidence only: the loader the native probe ran under."""

    def load_mode(self, path: str) -> LoadMode | None:
        return next((mode for mode in self.load_modes if mode.path == path), None)

    @property
    def platform(self) -> platforms.Platform:
        return platforms.ALL[self.python.platform]  # type: ignore[index]  # checked by parse

    def step(self, step_id: str) -> StepOutcome:
        """The outcome of step ``step_id``; KeyError naming the known ids."""
        for outcome in self.steps:
            if outcome.id == step_id:
                return outcome
        known = ", ".join(s.id for s in self.steps) or "none"
        raise KeyError(f"the probe ran no step {step_id!r} (steps: {known})")

    def symbol(self, name: str) -> SymbolEvidence:
        try:
            return self.symbols[name]
        except KeyError:
            known = ", ".join(self.symbols) or "none"
            raise KeyError(
                f"the probe did not look up symbol {name!r} (looked up: {known})"
            ) from None

    def file_name(self, path: str) -> str:
        """Base name of an evidence path, with the probe platform's separators."""
        pure: type[PurePath] = (
            PureWindowsPath if self.python.platform == "windows" else PurePosixPath
        )
        return pure(path).name

    def copies_of(self, library: str) -> list[LoadedObject]:
        """Loaded objects whose file name is a copy of ``library`` (``"foo"``), mangled or not."""
        pattern = platforms.library_copy_pattern(self.platform, library)
        return [obj for obj in self.loaded if pattern.fullmatch(self.file_name(obj.path))]

    def identity_of(self, path: str, function: str | None = None) -> str | None:
        """The identity string the object at ``path`` reported (via ``function`` if given)."""
        for identity in self.identities:
            if identity.path == path and function in (None, identity.function):
                return identity.value
        return None

    def identities_from(self, function: str) -> list[Identity]:
        """Every object that itself defines ``function``: copies found by content, not name."""
        return [identity for identity in self.identities if identity.function == function]

    def is_loaded(self, path: str | PurePath) -> bool:
        return any(obj.path == str(path) for obj in self.loaded)


def locate(
    path: str | PurePath,
    locations: Mapping[str, Path],
    extra_dirs: Mapping[str, Sequence[Path]] | None = None,
) -> tuple[str, str] | None:
    """``(label, relative/posix/path)`` of the location holding ``path``, or ``None``.

    The one mapping from paths to location labels (``Layout.label_of`` and the scenario
    evidence use it). ``extra_dirs`` are further directories of a label (a venv's
    ``platlib`` where it differs from ``purelib``). The deepest directory wins, so a
    ``target`` inside a cell is not taken for something that contains it; both sides are
    resolved first, so a location reached through a symlink (``/tmp`` -> ``/private/tmp``
    on macOS, a venv's ``lib64``) still matches the probe's real paths.
    """
    return locator(locations, extra_dirs)(path)


def locator(
    locations: Mapping[str, Path],
    extra_dirs: Mapping[str, Sequence[Path]] | None = None,
) -> Callable[[str | PurePath], tuple[str, str] | None]:
    """:func:`locate` for many paths in the same locations: each directory is resolved
    once, not once per loaded object (a cell's evidence lists some twenty)."""
    candidates = [(label, Path(directory)) for label, directory in locations.items()]
    for label, directories in (extra_dirs or {}).items():
        candidates.extend((label, Path(directory)) for directory in directories)
    resolved = sorted(
        ((label, directory.resolve()) for label, directory in candidates),
        key=lambda item: (-len(item[1].parts), item[0]),
    )

    def find(path: str | PurePath) -> tuple[str, str] | None:
        target = Path(path).resolve()
        for label, directory in resolved:
            if target.is_relative_to(directory):
                return label, target.relative_to(directory).as_posix()
        return None

    return find


def location_label(
    path: str | PurePath,
    locations: Mapping[str, Path],
    extra_dirs: Mapping[str, Sequence[Path]] | None = None,
) -> str:
    """``label:relative/path`` of ``path`` (see :func:`locate`), else ``other:<path>``."""
    found = locate(path, locations, extra_dirs)
    return f"{OUTSIDE}:{path}" if found is None else f"{found[0]}:{found[1]}"


# ---------------------------------------------------------------------------
# Parsing


class _Fields:
    """Typed access to one JSON object, naming ``where`` in every error."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict):
            raise EvidenceError(f"{where}: expected an object, got {_kind(data)}")
        self.data: dict[str, object] = data
        self.where = where

    def _get(self, key: str, required: bool) -> object:
        if key not in self.data:
            if required:
                raise EvidenceError(f"{self.where}: missing field {key!r}")
            return None
        return self.data[key]

    def _check(self, key: str, value: object, kind: type | tuple[type, ...], what: str) -> None:
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _tuple(kind)):
            raise EvidenceError(f"{self.where}.{key}: expected {what}, got {_kind(value)}")

    def text(self, key: str) -> str:
        value = self._get(key, True)
        self._check(key, value, str, "a string")
        assert isinstance(value, str)
        return value

    def opt_text(self, key: str) -> str | None:
        value = self._get(key, False)
        if value is None:
            return None
        self._check(key, value, str, "a string or null")
        assert isinstance(value, str)
        return value

    def flag(self, key: str, default: bool | None = None) -> bool:
        value = self._get(key, default is None)
        if value is None and default is not None:
            return default
        self._check(key, value, bool, "true or false")
        assert isinstance(value, bool)
        return value

    def integer(self, key: str) -> int:
        value = self._get(key, True)
        self._check(key, value, int, "an integer")
        assert isinstance(value, int)
        return value

    def items(self, key: str, required: bool = True) -> list[object]:
        value = self._get(key, required)
        if value is None and not required:
            return []
        self._check(key, value, list, "a list")
        assert isinstance(value, list)
        return value

    def obj(self, key: str, required: bool = True) -> _Fields | None:
        value = self._get(key, required)
        if value is None:
            return None
        return _Fields(value, f"{self.where}.{key}")

    def raw(self, key: str) -> object:
        return self._get(key, False)


def _tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def parse(document: str | bytes | Mapping[str, object], *, source: str = "evidence") -> Evidence:
    """Evidence from the probe's JSON (text or already decoded); EvidenceError on bad input."""
    if isinstance(document, str | bytes):
        try:
            data: object = json.loads(document)
        except ValueError as exc:
            raise EvidenceError(f"{source}: not valid JSON ({exc})") from None
    else:
        data = dict(document)
    top = _Fields(data, source)
    schema = top.integer("schema")
    if schema != SCHEMA:
        raise EvidenceError(
            f"{source}.schema: this harness reads schema {SCHEMA}, got {schema}; "
            "run the probe from the same harness checkout"
        )
    python_fields = top.obj("python")
    assert python_fields is not None
    python = PythonInfo(
        version=python_fields.text("version"),
        executable=python_fields.text("executable"),
        platform=python_fields.text("platform"),
        prefix=python_fields.opt_text("prefix"),
        base_prefix=python_fields.opt_text("base_prefix"),
    )
    if python.platform not in platforms.ALL:
        raise EvidenceError(
            f"{source}.python.platform: expected one of {sorted(platforms.ALL)}, "
            f"got {python.platform!r}"
        )
    symbols_fields = top.obj("symbols")
    assert symbols_fields is not None
    ld_debug_fields = top.obj("ld_debug", required=False)
    loader_fields = top.obj("loader", required=False)
    return Evidence(
        schema=schema,
        python=python,
        steps=tuple(
            _step(_Fields(item, f"{source}.steps[{i}]"))
            for i, item in enumerate(top.items("steps"))
        ),
        loaded=tuple(
            _loaded(_Fields(item, f"{source}.loaded[{i}]"))
            for i, item in enumerate(top.items("loaded"))
        ),
        symbols={
            name: _symbol(name, _Fields(item, f"{source}.symbols.{name}"))
            for name, item in symbols_fields.data.items()
        },
        identities=tuple(
            _identity(_Fields(item, f"{source}.identities[{i}]"))
            for i, item in enumerate(top.items("identities"))
        ),
        loaded_source=top.opt_text("loaded_source"),
        ld_debug=None
        if ld_debug_fields is None
        else LdDebug(
            setting=ld_debug_fields.text("setting"),
            text=ld_debug_fields.opt_text("text"),
            note=ld_debug_fields.opt_text("note"),
        ),
        load_modes=tuple(
            _load_mode(_Fields(item, f"{source}.load_modes[{i}]"))
            for i, item in enumerate(top.items("load_modes", required=False))
        ),
        loader=None
        if loader_fields is None
        else LoaderInfo(name=loader_fields.text("name"), version=loader_fields.opt_text("version")),
    )


def _names(fields: _Fields, key: str) -> tuple[str, ...]:
    items = fields.items(key)
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise EvidenceError(f"{fields.where}.{key}[{index}]: expected a symbol name")
    return tuple(str(item) for item in items)


def _load_mode(fields: _Fields) -> LoadMode:
    return LoadMode(
        path=fields.text("path"),
        sampled=_names(fields, "sampled"),
        global_names=_names(fields, "global"),
        note=fields.opt_text("note"),
    )


def _step(fields: _Fields) -> StepOutcome:
    error_fields = fields.obj("error")
    ok = fields.flag("ok")
    if ok == (error_fields is not None):
        raise EvidenceError(
            f"{fields.where}: 'ok' is {ok} but 'error' is {_kind(fields.raw('error'))}"
        )
    return StepOutcome(
        id=fields.text("id"),
        ok=ok,
        value=_json_value(fields.raw("value"), f"{fields.where}.value"),
        error=None
        if error_fields is None
        else StepError(
            type=error_fields.text("type"),
            message=error_fields.text("message"),
            traceback=error_fields.opt_text("traceback"),
        ),
        value_type=fields.opt_text("value_type"),
        value_is_repr=fields.flag("value_is_repr", default=False),
        module_file=fields.opt_text("module_file"),
    )


def _json_value(value: object, where: str) -> JSONValue:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return [_json_value(item, f"{where}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, dict):
        return {str(k): _json_value(v, f"{where}.{k}") for k, v in value.items()}
    raise EvidenceError(f"{where}: not a JSON value ({_kind(value)})")


def _loaded(fields: _Fields) -> LoadedObject:
    return LoadedObject(
        path=fields.text("path"),
        install_name=fields.opt_text("install_name"),
    )


def _symbol(name: str, fields: _Fields) -> SymbolEvidence:
    defined_in = fields.items("defined_in", required=False)
    for index, item in enumerate(defined_in):
        if not isinstance(item, str):
            raise EvidenceError(f"{fields.where}.defined_in[{index}]: expected a path string")
    return SymbolEvidence(
        name=name,
        is_global=fields.flag("global"),
        defined_by=fields.opt_text("defined_by"),
        defined_in=tuple(str(item) for item in defined_in),
        note=fields.opt_text("note"),
    )


def _identity(fields: _Fields) -> Identity:
    return Identity(
        path=fields.text("path"),
        function=fields.text("function"),
        value=fields.opt_text("value"),
        error=fields.opt_text("error"),
    )


def load(path: Path) -> Evidence:
    """Parse an evidence file; errors name the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise EvidenceError(f"cannot read evidence {path}: {exc}") from None
    return parse(text, source=str(path))
