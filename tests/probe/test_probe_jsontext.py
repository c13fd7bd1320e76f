"""The probe's JSON without the ``json`` package: the same text and values as ``json``.

The probe reads its spec and writes its evidence through ``_json``'s C scanner and string
encoder (harness/probe/jsontext.py), because importing ``json`` (and with it ``re``)
costs each probe process 6-7 ms. The evidence must not change by a byte: every document,
value and spec here goes through both and is compared, in the harness's interpreter and
in the oldest and newest ones the probe runs under. The probed process itself must
import neither ``json`` nor ``re``; the control blocks ``_json`` and finds the probe
falling back to ``json``, which brings ``re`` with it.
"""

from __future__ import annotations

import collections
import enum
import json
import math
import subprocess
from pathlib import Path
from typing import Any

import pytest

from harness import interpreters
from harness.envs.layout import Layout
from harness.probe import jsontext
from harness.scenarios import probing
from harness.scenarios.probing import ProbeSpec, ProbeStep


class Colour(enum.IntEnum):
    RED = 1


class Weird(float):
    def __float__(self) -> float:
        return 0.0

    def __repr__(self) -> str:
        return "weird"


class Shouting(str):
    __slots__ = ()

    def __str__(self) -> str:
        return self.upper()


DOCUMENTS: list[Any] = [
    {
        "schema": 1,
        "python": {"version": "3.13.0", "executable": "/v/bin/python", "prefix": "/v"},
        "steps": [
            {"id": "import", "ok": True, "value": None, "error": None, "module_file": "/x.py"},
            {"id": "call", "ok": True, "value": "libfoo 1.0 wheel", "value_type": "str"},
        ],
        "loaded": [{"path": "/v/lib/libfoo.so.1", "name": "libfoo.so.1"}],
        "symbols": {"foo_identity": {"global": False, "defined_in": []}},
        "identities": [],
        "ld_debug": None,
    },
    [],
    {},
    [[], {}, [[]], {"a": {}}],
    {"b": 1, "a": [1, 2.5, -0.0, 1e300, 5e-324, True, False, None]},
    {"text": 'é \u2028 \x00\x1f "quoted" \\ / \ud83d\ude00 \ud800 tab\tnew\nline'},
    {"nan": math.nan, "inf": math.inf, "-inf": -math.inf},
    {"big": 2**200, "negative": -(2**70), "tuple": (1, (2, 3)), "enum": Colour.RED},
    {2.5: "float key", 1: "one", 3: "three"},
    {None: "null key"},
    {None: "null key", "z": 0},  # keys sorted before they become strings: json refuses
    {True: "t", False: "f"},
    {"weird": Weird(1.5), "shouting": Shouting("abc"), Shouting("key"): 1},
    "a bare string",
    42,
    None,
]

VALUES: list[Any] = [
    *DOCUMENTS,
    (1, 2, [3, (4,)]),
    collections.OrderedDict([("b", 1), ("a", 2)]),
    {1: "int key", "1": "str key after it"},
    {"1": "str key", 1: "int key after it"},
    {Colour.RED: "enum key", 1.0: "float key"},
    Colour.RED,
    Weird(2.5),
    Shouting("value"),
    True,
    -0.0,
    # what json.dumps(..., allow_nan=False) refuses
    math.nan,
    [math.inf],
    {math.nan: 1},
    object(),
    {1, 2},
    b"bytes",
    {(1, 2): "tuple key"},
]

TEXTS = [
    json.dumps(
        ProbeSpec(
            steps=(ProbeStep(id="import", import_="pyfoo"), ProbeStep(id="c", call="pyfoo.x")),
            symbols=("foo_identity",),
            identity_functions=("foo_identity",),
        ).to_json(),
        indent=1,
    ),
    '  {"a": [1, 2.5, -0, 1E3, -1.5e-3, true, false, null], "b": {}}  \n',
    '"\\u00e9\\ud83d\\ude00\\n"',
    "[NaN, Infinity, -Infinity]",
    "12345678901234567890123",
    '{"dup": 1, "dup": 2}',
]

BAD_TEXTS = ["", "   ", "{", '{"a": 1,}', "[1 2]", '{"a": 1} x', "tru", "'single'", '"\t"', "01"]


def _exactly(a: Any, b: Any) -> bool:
    """Equal with the same types all the way down (``1 == 1.0 == True`` is not enough)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_exactly(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_exactly(x, y) for x, y in zip(a, b))
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or float.__repr__(a) == float.__repr__(b)
    return bool(a == b)


def _outcome(function: Any, value: Any) -> tuple[str, Any]:
    try:
        return "ok", function(value)
    except (TypeError, ValueError) as exc:
        return "raises", type(exc).__name__


@pytest.mark.parametrize("document", DOCUMENTS, ids=range(len(DOCUMENTS)))
def test_evidence_text_is_what_json_dump_writes(document: Any) -> None:
    expected = _outcome(lambda d: json.dumps(d, indent=1, sort_keys=True), document)
    assert _outcome(jsontext.dumps, document) == expected


def test_the_documents_tell_the_formats_apart() -> None:
    """Control: the comparison above sees indentation, key order and escaping; writing
    with any other of ``json``'s settings differs for the same documents."""
    documents = [d for d in DOCUMENTS if _outcome(jsontext.dumps, d)[0] == "ok"]
    ours = [jsontext.dumps(d) for d in documents]
    for settings in ({"indent": 2}, {"sort_keys": False}, {"ensure_ascii": False}):
        other = [json.dumps(d, **{"indent": 1, "sort_keys": True, **settings}) for d in documents]
        assert ours != other, settings


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_step_values_are_what_a_json_round_trip_gives(value: Any) -> None:
    """What the harness reads back: ``plain`` keeps a string's lone surrogates where
    ``json.loads`` joins a pair of them, but the evidence text, read, joins them alike."""
    expected = _outcome(lambda v: json.loads(json.dumps(v, allow_nan=False)), value)
    got = _outcome(jsontext.plain, value)
    assert got[0] == expected[0], (got, expected)
    if got[0] == "raises":
        assert got[1] == expected[1]
        return
    read = json.loads(jsontext.dumps([got[1]]))
    assert _exactly(read, json.loads(json.dumps([expected[1]], indent=1, sort_keys=True)))
    if "\\ud83d" not in json.dumps(value):
        assert _exactly(got[1], expected[1]), (got, expected)


def test_a_circular_value_is_refused_like_json_does() -> None:
    loop: list[Any] = [1]
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular"):
        json.dumps(loop)
    with pytest.raises(ValueError, match="Circular"):
        jsontext.plain(loop)
    shared = [1]
    assert jsontext.plain([shared, shared]) == [[1], [1]], "shared is not circular"


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_specs_read_as_json_loads_reads_them(text: str) -> None:
    assert _exactly(jsontext.loads(text), json.loads(text))


@pytest.mark.parametrize("text", BAD_TEXTS)
def test_text_json_refuses_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        json.loads(text)
    with pytest.raises(ValueError):
        jsontext.loads(text)


_COMPARE_IN_INTERPRETER = """
import json, math, sys
sys.path.insert(0, sys.argv[1])
from harness_probe import jsontext
documents = [
    {"b": [1, 2.5, -0.0, 1e300, True, None, (1, 2)], "a": {}, "c": "\\u00e9\\ud800\\n\\x01"},
    {1: "k", 2.5: "f", 3: "i"}, {"nan": math.nan, "big": 2**100}, [], {}, [[{}]],
]
for document in documents:
    assert jsontext.dumps(document) == json.dumps(document, indent=1, sort_keys=True), document
    try:
        expected = json.loads(json.dumps(document, allow_nan=False))
    except ValueError:
        expected = "refused"
    try:
        got = jsontext.plain(document)
    except ValueError:
        got = "refused"
    assert json.dumps(got, sort_keys=True) == json.dumps(expected, sort_keys=True), document
    text = json.dumps(document)
    assert repr(jsontext.loads(text)) == repr(json.loads(text)), text
print("same", jsontext._json is not None)
"""


def test_each_interpreter_writes_what_its_json_writes(
    python: interpreters.Interpreter, tmp_path: Path
) -> None:
    """The probe runs under 3.9 up to the newest CPython: ``_json`` and ``json`` of each."""
    home = probing.installed_probe(tmp_path / "probe-home")
    done = subprocess.run(
        [str(python.executable), "-c", _COMPARE_IN_INTERPRETER, str(home)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["same", "True"], "compared through _json"


_MODULES_SEEN = (
    ProbeStep(id="json", call="sys:modules.__contains__", args=["json"]),
    ProbeStep(id="re", call="sys:modules.__contains__", args=["re"]),
    ProbeStep(id="value", call="builtins:tuple", args=[[1, "two", 2.5]]),
)


def _probe_modules(tmp_path: Path, python: Path, path: Path | None) -> dict[str, Any]:
    layout = Layout(
        kind="plain",
        root=tmp_path,
        python=python,
        locations={},
        env={"PYTHONPATH": str(path)} if path else {},
    )
    spec = ProbeSpec(steps=_MODULES_SEEN)
    home = tmp_path / "probe-home"  # imported as the package, the way cells run it
    evidence = probing.run_probe(layout, spec, tmp_path / "cell", timeout=60, probe_home=home)
    return {step: evidence.step(step).value for step in ("json", "re", "value")}


def test_the_probed_process_imports_neither_json_nor_re(
    python: interpreters.Interpreter, tmp_path: Path
) -> None:
    executable = python.executable
    assert _probe_modules(tmp_path / "own", executable, None) == {
        "json": False,
        "re": False,
        "value": [1, "two", 2.5],
    }

    # control: without _json the probe falls back to json, which imports re
    blocker = tmp_path / "no-accelerator"
    blocker.mkdir()
    (blocker / "_json.py").write_text("raise ImportError('blocked by the test')\n")
    builtin = subprocess.run(
        [str(executable), "-c", "import sys; print('_json' in sys.builtin_module_names)"],
        capture_output=True,
        text=True,
        check=True,
    )
    if builtin.stdout.strip() == "True":
        pytest.skip(f"{executable} has _json built in: a file cannot hide it")
    assert _probe_modules(tmp_path / "fallback", executable, blocker) == {
        "json": True,
        "re": True,
        "value": [1, "two", 2.5],
    }
