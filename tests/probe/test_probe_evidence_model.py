"""harness.evidence: parsing errors that name the field, location labels, lookups.

These documents are written by hand to exercise the model; evidence from a real
loader is tested in test_probe_linux.py.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from harness import evidence
from harness.evidence import EvidenceError
from harness.scenarios import probing
from harness.scenarios.probing import ProbeSpec, ProbeStep

DOCUMENT: dict[str, Any] = {
    "schema": 1,
    "python": {"version": "3.11.7", "executable": "/env/bin/python", "platform": "linux"},
    "steps": [
        {"id": "import", "ok": True, "value": None, "error": None},
        {
            "id": "identity",
            "ok": False,
            "value": None,
            "error": {"type": "ImportError", "message": "libfoo.so.1: cannot open"},
        },
    ],
    "loaded": [
        {"path": "/env/site/libfoo/lib/libfoo.so.1"},
        {"path": "/env/site/pyfoo.libs/libfoo-1a2b3c4d.so.1"},
        {"path": "/env/site/libfoobar/libfoobar.so.1"},
    ],
    "symbols": {"foo_identity": {"global": False, "defined_by": None}},
    "identities": [
        {
            "path": "/env/site/libfoo/lib/libfoo.so.1",
            "function": "foo_identity",
            "value": "libfoo 1.0 wheel",
        }
    ],
}


def variant(**changes: Any) -> dict[str, Any]:
    document = copy.deepcopy(DOCUMENT)
    document.update(changes)
    return document


def test_parse_reads_the_documented_example():
    ev = evidence.parse(json.dumps(DOCUMENT))

    assert ev.python.platform == "linux"
    assert ev.step("identity").error == evidence.StepError(
        "ImportError", "libfoo.so.1: cannot open"
    )
    assert ev.symbol("foo_identity") == evidence.SymbolEvidence("foo_identity", False, None)
    assert [c.path for c in ev.copies_of("foo")] == [
        "/env/site/libfoo/lib/libfoo.so.1",
        "/env/site/pyfoo.libs/libfoo-1a2b3c4d.so.1",
    ]
    assert ev.identity_of("/env/site/libfoo/lib/libfoo.so.1") == "libfoo 1.0 wheel"
    assert ev.identity_of("/env/site/pyfoo.libs/libfoo-1a2b3c4d.so.1") is None
    assert ev.ld_debug is None


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (variant(schema=2), "evidence.schema: this harness reads schema 1, got 2"),
        ({k: v for k, v in DOCUMENT.items() if k != "loaded"}, "evidence: missing field 'loaded'"),
        (
            variant(steps=[{"id": "x", "value": None, "error": None}]),
            "evidence.steps[0]: missing field 'ok'",
        ),
        (
            variant(steps=[{"id": "x", "ok": "yes", "value": None, "error": None}]),
            "evidence.steps[0].ok: expected true or false, got str",
        ),
        (
            variant(steps=[{"id": "x", "ok": True, "value": 1, "error": {"type": "E"}}]),
            "evidence.steps[0]: 'ok' is True but 'error' is dict",
        ),
        (
            variant(loaded=[{"path": 7}]),
            "evidence.loaded[0].path: expected a string, got int",
        ),
        (
            variant(symbols={"foo_identity": {"defined_by": None}}),
            "evidence.symbols.foo_identity: missing field 'global'",
        ),
        (
            variant(python={"version": "3.11", "executable": "x", "platform": "beos"}),
            "evidence.python.platform: expected one of",
        ),
        (variant(identities={}), "evidence.identities: expected a list, got dict"),
        (variant(schema=True), "evidence.schema: expected an integer, got bool"),
    ],
)
def test_malformed_evidence_names_the_field(document, message):
    with pytest.raises(EvidenceError) as caught:
        evidence.parse(json.dumps(document))

    assert message in str(caught.value)


def test_invalid_json_names_the_file(tmp_path):
    path = tmp_path / "probe-evidence.json"
    path.write_text("{not json", encoding="utf-8")

    with pytest.raises(EvidenceError, match=r"probe-evidence\.json: not valid JSON"):
        evidence.load(path)


def test_step_and_symbol_lookups_list_what_exists():
    ev = evidence.parse(DOCUMENT)

    with pytest.raises(KeyError, match="steps: import, identity"):
        ev.step("call")
    with pytest.raises(KeyError, match="looked up: foo_identity"):
        ev.symbol("bar_identity")


def test_windows_evidence_uses_windows_file_names():
    document = variant(
        python={"version": "3.12.1", "executable": "C:\\env\\python.exe", "platform": "windows"},
        loaded=[
            {"path": "C:\\env\\Lib\\site-packages\\libfoo\\bin\\foo.dll"},
            {"path": "C:\\env\\Lib\\site-packages\\pyfoo.libs\\FOO-" + "0" * 32 + ".DLL"},
            {"path": "C:\\Windows\\System32\\KERNEL32.DLL"},
        ],
    )

    ev = evidence.parse(document)

    assert len(ev.copies_of("foo")) == 2


def test_location_label_prefers_the_deepest_location(tmp_path):
    venv = tmp_path / "venv"
    site = venv / "lib" / "site-packages"
    (site / "libfoo" / "lib").mkdir(parents=True)
    library = site / "libfoo" / "lib" / "libfoo.so.1"
    library.write_bytes(b"")
    locations = {"venv": venv, "site": site}

    assert evidence.location_label(library, locations) == "site:libfoo/lib/libfoo.so.1"
    assert evidence.location_label(site, locations) == "site:."
    assert evidence.location_label(venv / "bin", locations) == "venv:bin"


def test_location_label_resolves_symlinked_locations(tmp_path):
    real = tmp_path / "real"
    (real / "lib").mkdir(parents=True)
    (real / "lib" / "libfoo.so.1").write_bytes(b"")
    alias = tmp_path / "alias"
    alias.symlink_to(real)

    label = evidence.location_label(real / "lib" / "libfoo.so.1", {"system": alias})

    assert label == "system:lib/libfoo.so.1"


def test_location_label_of_an_unknown_path_is_other(tmp_path):
    assert evidence.location_label("/usr/lib/libc.so.6", {"site": tmp_path}) == (
        "other:/usr/lib/libc.so.6"
    )


def test_location_label_does_not_match_a_sibling_with_a_common_prefix(tmp_path):
    (tmp_path / "site-packages-old").mkdir()
    path = tmp_path / "site-packages-old" / "libfoo.so.1"

    label = evidence.location_label(path, {"site": tmp_path / "site-packages"})

    assert label == f"other:{path}"


def test_probe_spec_serialises_to_the_documented_shape():
    spec = ProbeSpec(
        steps=[
            ProbeStep(id="import", import_="pyfoo"),
            ProbeStep(id="identity", call="pyfoo.identity"),
        ],
        symbols=["foo_identity"],
        identity_functions=["foo_identity", "bar_identity"],
    )

    assert spec.to_json() == {
        "steps": [
            {"id": "import", "import": "pyfoo"},
            {"id": "identity", "call": "pyfoo.identity", "args": [], "kwargs": {}},
        ],
        "symbols": ["foo_identity"],
        "identity_functions": ["foo_identity", "bar_identity"],
    }


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: ProbeStep(id="x"), "exactly one of import_, call or load"),
        (lambda: ProbeStep(id="x", import_="a", call="b"), "exactly one of import_, call or load"),
        (lambda: ProbeStep(id="x", import_="a", args=[1]), "takes no arguments"),
        (lambda: ProbeStep(id="", import_="a"), "'id' must not be empty"),
        (
            lambda: ProbeSpec(steps=[ProbeStep(id="x", import_="a")] * 2),
            "repeated step ids ['x']",
        ),
    ],
)
def test_bad_probe_specs_are_rejected_before_running(make, message):
    with pytest.raises(ValueError) as caught:
        make()

    assert message in str(caught.value)


def test_ld_debug_env_points_into_the_cell(tmp_path: Path):
    assert probing.ld_debug_env(tmp_path) == {
        "LD_DEBUG": "libs",
        "LD_DEBUG_OUTPUT": str(tmp_path / "ld-debug"),
    }


def test_extra_dirs_take_part_in_the_deepest_match_like_layout_label_of(tmp_path):
    from harness.envs.layout import Layout

    cell = tmp_path / "cell"
    platlib = cell / "venv" / "lib64"
    locations = {"outer": cell, "site": cell / "venv" / "site"}
    extra = {"site": [platlib]}
    layout = Layout("venv", cell, cell / "venv" / "bin" / "python", locations, extra_dirs=extra)

    assert evidence.location_label(platlib / "ext.so", locations, extra) == "site:ext.so"
    assert layout.label_of(platlib / "ext.so") == ("site", "ext.so")
    assert evidence.location_label(cell / "logs" / "x", locations, extra) == "outer:logs/x"
    assert layout.label_of("/usr/lib/libc.so.6") is None
