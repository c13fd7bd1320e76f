"""In-process evidence probe: run a scenario's steps, then report what the loader did.

Usage: ``python path/to/probe SPEC.json OUT.json`` (this package's directory, run by
``__main__.py``), or imported as the package ``harness_probe`` and ``main([SPEC, OUT])``
(the spec and evidence formats are in docs/architecture.md, "The probe and its
evidence"; schema 1).

This package (this module, :mod:`.readers` and :mod:`.jsontext`) is run by the
interpreter of the layout under test, which may be any CPython >= 3.9 without the harness
installed, so it imports nothing but the standard library and nothing from ``harness``. It never crashes because a step
failed: every step's outcome (value, or exception type and message) is recorded
and the next step runs. It exits 2 on a malformed spec and 1 on an internal error,
with the reason on stderr; the harness reports both as a probe crash.

Collecting evidence loads nothing new: libraries are looked up with
``RTLD_NOLOAD`` (``GetModuleHandleW`` on Windows), and everything the collectors
need (ctypes, struct) is imported before the first step runs.

Each operating system has one reader class in :mod:`.readers` (``LinuxReader``,
``DarwinReader``, ``WindowsReader``); the platform-independent parts (iteration,
real paths, de-duplication, binary header parsing) are plain functions there that take
their data source as an argument so they can be tested on any OS.

Beyond schema 1's required fields the evidence carries these optional ones:
steps: ``value_type`` (type name of the value), ``value_is_repr`` (true when the
value is a repr because JSON cannot carry it), ``module_file`` (real path of the
module an import step imported), ``error.traceback``; ``python.prefix`` and
``python.base_prefix``; ``loaded[].install_name`` (macOS); ``loaded_source`` (which
reader listed the objects); ``symbols.<name>.defined_in`` (every loaded object that
itself defines the name, global or not) and ``.note`` (Windows: why ``global`` is
always false); ``identities[].error`` (the identity call raised); ``ld_debug``;
``load_modes`` (for each loaded object whose file name the spec's ``samples`` lists: which
of the sampled symbols it defines itself and which of those the global namespace
resolves to it, i.e. whether it was loaded ``RTLD_GLOBAL``).

Steps are ``import`` (a module), ``call`` (a dotted callable with JSON arguments) or
``load`` (dlopen a file by path with ``ctypes.CDLL``, ``RTLD_LOCAL``).

LD_DEBUG: when the process starts with ``LD_DEBUG`` and ``LD_DEBUG_OUTPUT`` set
(glibc writes the trace to ``$LD_DEBUG_OUTPUT.<pid>``), the trace of this process
is read at the end and reported as ``ld_debug``.
"""

# ruff: noqa: PTH100, PTH105, PTH119, PTH120, PTH123
# (string paths straight from the loader APIs; pathlib adds nothing here)

from __future__ import annotations

import ctypes
import faulthandler
import importlib
import os
import sys

from . import jsontext, readers

SCHEMA = 1
EXIT_BAD_SPEC = 2


class SpecError(Exception):
    """The spec file is not what the probe understands; the message names the key."""


# ---------------------------------------------------------------------------
# The spec


def load_spec(path):
    """Read and validate the spec so that a typo fails loudly instead of probing nothing."""
    try:
        with open(path, encoding="utf-8") as handle:
            spec = jsontext.loads(handle.read())
    except (OSError, ValueError) as exc:
        raise SpecError(f"cannot read probe spec {path}: {exc}") from None
    if not isinstance(spec, dict):
        raise SpecError(f"probe spec {path}: top level must be an object")
    unknown = set(spec) - {"steps", "symbols", "identity_functions", "samples"}
    if unknown:
        raise SpecError(f"probe spec {path}: unknown keys {sorted(unknown)}")
    steps = spec.get("steps", [])
    if not isinstance(steps, list):
        raise SpecError(f"probe spec {path}: 'steps' must be a list")
    seen = set()
    for index, step in enumerate(steps):
        where = f"probe spec {path}: steps[{index}]"
        if not isinstance(step, dict):
            raise SpecError(f"{where} must be an object")
        if not isinstance(step.get("id"), str) or not step["id"]:
            raise SpecError(f"{where}: 'id' must be a non-empty string")
        if step["id"] in seen:
            raise SpecError(f"{where}: duplicate id {step['id']!r}")
        seen.add(step["id"])
        kinds = [kind for kind in ("import", "call", "load") if kind in step]
        if len(kinds) != 1:
            raise SpecError(f"{where}: needs exactly one of 'import', 'call' or 'load'")
        if not isinstance(step[kinds[0]], str) or not step[kinds[0]]:
            raise SpecError(f"{where}: {kinds[0]!r} must be a non-empty string")
        unknown = set(step) - {"id", "import", "call", "load", "args", "kwargs"}
        if unknown:
            raise SpecError(f"{where}: unknown keys {sorted(unknown)}")
        if not isinstance(step.get("args", []), list):
            raise SpecError(f"{where}: 'args' must be a list")
        if not isinstance(step.get("kwargs", {}), dict):
            raise SpecError(f"{where}: 'kwargs' must be an object")
    for key in ("symbols", "identity_functions"):
        names = spec.get(key, [])
        if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            raise SpecError(f"probe spec {path}: {key!r} must be a list of names")
    samples = spec.get("samples", {})
    good = isinstance(samples, dict) and all(
        isinstance(names, list) and all(isinstance(n, str) and n for n in names)
        for names in samples.values()
    )
    if not good:
        raise SpecError(f"probe spec {path}: 'samples' must map file names to lists of names")
    return {
        "steps": steps,
        "symbols": spec.get("symbols", []),
        "identity_functions": spec.get("identity_functions", []),
        "samples": samples,
    }


# ---------------------------------------------------------------------------
# Steps


def resolve_callable(dotted):
    """``pkg.mod.func`` or ``pkg.mod:Class.method`` -> the object.

    Submodules are imported as needed, but an ImportError raised *inside* an
    existing module propagates unchanged: it is evidence, not a lookup miss.
    """
    if ":" in dotted:
        module_name, _, attributes = dotted.partition(":")
        target = importlib.import_module(module_name)
        for attribute in attributes.split("."):
            target = getattr(target, attribute)
        return target
    parts = dotted.split(".")
    name = parts[0]
    target = importlib.import_module(name)
    for part in parts[1:]:
        name = f"{name}.{part}"
        if hasattr(target, part):
            target = getattr(target, part)
            continue
        try:
            target = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            raise AttributeError(f"{dotted}: {name.rpartition('.')[0]} has no {part!r}") from None
    return target


def _safe_text(obj):
    try:
        return str(obj)
    except BaseException:  # a broken __str__ must not end the probe
        return f"<unprintable {type(obj).__name__}>"


def _format_traceback(exc):
    # imported on the first failure only: traceback costs ~10 ms of start-up on 3.12+
    import traceback  # noqa: PLC0415

    try:
        return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    except BaseException:
        return None


def _type_name(obj):
    kind = type(obj)
    module = getattr(kind, "__module__", "builtins")
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


def json_value(value):
    """The step value as evidence: itself when JSON can carry it, else its repr."""
    try:
        return jsontext.plain(value), False
    except BaseException:
        try:
            return repr(value), True
        except BaseException:
            return f"<unrepresentable {_type_name(value)}>", True


def run_step(step):
    """Run one step; any exception (SystemExit included) becomes the step's error."""
    record = {"id": step["id"], "ok": False, "value": None, "error": None}
    try:
        if "import" in step:
            module = importlib.import_module(step["import"])
            value = None
            module_file = getattr(module, "__file__", None)
            if module_file:
                record["module_file"] = os.path.realpath(module_file)
        elif "load" in step:
            ctypes.CDLL(step["load"])  # RTLD_LOCAL, as a ctypes preload does
            value = None
        else:
            function = resolve_callable(step["call"])
            value = function(*step.get("args", []), **step.get("kwargs", {}))
    except BaseException as exc:
        record["error"] = {
            "type": type(exc).__name__,
            "message": _safe_text(exc),
            "traceback": _format_traceback(exc),
        }
        return record
    record["ok"] = True
    record["value"], is_repr = json_value(value)
    record["value_type"] = _type_name(value)
    if is_repr:
        record["value_is_repr"] = True
    return record


# ---------------------------------------------------------------------------
# Collection


_IDENTITY_FUNCTION = ctypes.CFUNCTYPE(ctypes.c_char_p)


def collect_symbols(reader, paths, symbols):
    report = {}
    for symbol in symbols:
        address = reader.global_address(symbol)
        entry = {
            "global": bool(address),
            "defined_by": reader.object_at(address) if address else None,
            "defined_in": [path for path in paths if reader.own_address(path, symbol)],
        }
        if reader.global_note:
            entry["note"] = reader.global_note
        report[symbol] = entry
    return report


def collect_identities(reader, paths, functions):
    """Call each identity function in each object that defines it itself."""
    identities = []
    for function in functions:
        for path in paths:
            address = reader.own_address(path, function)
            if not address:
                continue
            try:
                raw = _IDENTITY_FUNCTION(address)()
                value = None if raw is None else raw.decode("utf-8", "replace")
            except BaseException as exc:
                value = None
                identities.append(
                    {"path": path, "function": function, "value": None, "error": _safe_text(exc)}
                )
                continue
            identities.append({"path": path, "function": function, "value": value})
    return identities


def sample_key(file_name):
    """The file name ``samples`` lists for a loaded file: itself, or the name before a repair
    tool inserted its hash (``libfoo-1a2b3c4d.so.1`` -> ``libfoo.so.1``)."""
    stem, dot, rest = file_name.partition(".")
    head, dash, tail = stem.rpartition("-")
    hexdigits = "0123456789abcdef"
    if dash and len(tail) in (8, 32) and all(c in hexdigits for c in tail):
        return head + dot + rest
    return file_name


def collect_load_modes(reader, paths, samples):
    """For each loaded object named in ``samples``: its own sampled symbols, and those the
    global namespace resolves to it (only an ``RTLD_GLOBAL`` load, or a link by the
    program itself, puts them there)."""
    if not samples:
        return None
    report = []
    for path in paths:
        base = os.path.basename(path)
        names = samples.get(base) or samples.get(sample_key(base))
        if not names:
            continue
        own = [name for name in names if reader.own_address(path, name)]
        visible = []
        for name in own:
            address = reader.global_address(name)
            if address and reader.object_at(address) == path:
                visible.append(name)
        entry = {"path": path, "sampled": own, "global": visible}
        if reader.global_note:
            entry["note"] = reader.global_note
        report.append(entry)
    return report


def ld_debug_settings(environ):
    """The LD_DEBUG settings the process started with (read before any step runs)."""
    setting = environ.get("LD_DEBUG")
    if not setting:
        return None
    return {"setting": setting, "output": environ.get("LD_DEBUG_OUTPUT")}


def read_ld_debug(settings, pid):
    if settings is None:
        return None
    report = {"setting": settings["setting"], "text": None}
    if not settings["output"]:
        report["note"] = "LD_DEBUG_OUTPUT is not set: the trace went to stderr"
        return report
    trace = f"{settings['output']}.{pid}"
    try:
        with open(trace, encoding="utf-8", errors="replace") as handle:
            report["text"] = handle.read()
    except OSError as exc:
        report["note"] = f"cannot read {trace}: {exc}"
    return report


def python_info():
    names = {"linux": "linux", "darwin": "macos", "win32": "windows"}
    key = "linux" if sys.platform.startswith("linux") else sys.platform
    return {
        "version": sys.version.split()[0],
        "executable": sys.executable,
        "platform": names.get(key, sys.platform),
        "prefix": sys.prefix,
        "base_prefix": getattr(sys, "base_prefix", sys.prefix),
    }


def collect(spec, reader, step_records, ld_debug=None):
    """The evidence document (schema 1) for steps already run."""
    loaded = reader.images()
    paths = [entry["path"] for entry in loaded]
    load_modes = collect_load_modes(reader, paths, spec.get("samples"))
    document = {
        "schema": SCHEMA,
        "python": python_info(),
        "steps": step_records,
        "loaded": loaded,
        "loaded_source": reader.source,
        "symbols": collect_symbols(reader, paths, spec["symbols"]),
        "identities": collect_identities(reader, paths, spec["identity_functions"]),
        "ld_debug": read_ld_debug(ld_debug, os.getpid()),
    }
    if load_modes is not None:
        document["load_modes"] = load_modes
    return document


def write_json(path, document):
    scratch = f"{path}.{os.getpid()}.tmp"
    with open(scratch, "w", encoding="utf-8") as handle:
        handle.write(jsontext.dumps(document))
    os.replace(scratch, path)


def _forget_own_directory():
    """Drop the directory holding this package from sys.path (where the bootstrap put it)
    so it cannot shadow the layout's modules."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if sys.path and os.path.abspath(sys.path[0] or os.curdir) == here:
        del sys.path[0]


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print("usage: python probe SPEC.json OUT.json", file=sys.stderr)
        return EXIT_BAD_SPEC
    spec_path, out_path = argv
    faulthandler.enable()
    _forget_own_directory()
    ld_debug = ld_debug_settings(os.environ)
    try:
        spec = load_spec(spec_path)
    except SpecError as exc:
        print(f"probe: {exc}", file=sys.stderr)
        return EXIT_BAD_SPEC
    reader = readers.platform_reader()  # before the steps: collecting must load nothing new
    records = [run_step(step) for step in spec["steps"]]
    write_json(out_path, collect(spec, reader, records, ld_debug))
    return 0
