"""Native scenarios in scenario.toml: load/call steps, the loader axis, and errors that name
the file, the key and the fix (the cells themselves run in tests/native/test_native_cells.py)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from harness import platforms, report
from harness.evidence import parse as parse_evidence
from harness.native import wine
from harness.scenarios import parse
from harness.scenarios.cells import Selection, expand
from harness.scenarios.observed import observe
from harness.scenarios.verdict import CellVerdict, not_applicable
from harness.vocabulary import NATIVE_LOADERS, NATIVE_PYTHON

NATIVE = """
schema = 1
description = "musl: the preload does not satisfy the consumer"
platforms = ["linux"]
layouts = ["native"]
loaders = ["musl"]

[[steps]]
id = "preload"
load = "producer"
mode = "global"

[[steps]]
load = "consumer"
expect = { error = "LoadError" }

[[steps]]
call = "consumer_foo_identity"
library = "consumer"
expect = { error = "NotLoaded" }

[libraries.libfoo]
copies = 1
location = "producer"

[symbols]
global = ["foo_identity"]
"""

Write = Callable[[str, str], Path]


def _native(write_scenario: Write, text: str = NATIVE) -> parse.Scenario:
    return parse.load(write_scenario("native-x", text))


def test_native_steps_parse_into_loads_and_calls(write_scenario: Write) -> None:
    scenario = _native(write_scenario)
    assert scenario.is_native and scenario.layouts == ("native",)
    assert scenario.loaders == ("musl",)
    assert scenario.installers == NATIVE_LOADERS, "every loader gets a cell"
    preload, consumer, call = scenario.steps
    assert (preload.action, preload.target, preload.mode) == ("load", "producer", "global")
    assert (consumer.id, consumer.mode, consumer.expect.error_type) == (
        "consumer",  # a load's default id is the library it loads
        "local",
        "LoadError",
    )
    assert (call.id, call.action, call.target, call.library) == (
        "call:consumer_foo_identity",
        "call",
        "consumer_foo_identity",
        "consumer",
    )
    assert scenario.libraries[0].location == "producer"


def test_loaders_default_to_all(write_scenario: Write) -> None:
    scenario = _native(write_scenario, NATIVE.replace('loaders = ["musl"]\n', ""))
    assert scenario.loaders == NATIVE_LOADERS


def test_native_cells_have_one_fixed_python_and_the_loader_as_installer(
    write_scenario: Write,
) -> None:
    scenario = _native(write_scenario)
    cells = expand(scenario, Selection(pythons=("3.9", "3.13")))
    assert [c.name for c in cells] == [
        "native-x[native-glibc]",
        "native-x[native-musl]",
        "native-x[native-wine]",
    ], "--python does not multiply native cells"
    assert {c.python for c in cells} == {NATIVE_PYTHON}
    only_musl = expand(scenario, Selection(installers=("musl",)))
    assert [c.id for c in only_musl] == ["native-musl"]
    assert expand(scenario, Selection(layouts=("venv",))) == []
    assert expand(scenario, Selection(installers=("uv",))) == []


def test_cells_of_other_loaders_are_not_applicable(write_scenario: Write) -> None:
    glibc, musl, _ = expand(_native(write_scenario), Selection())
    verdict = not_applicable(glibc)
    assert verdict is not None and verdict.status == "not-applicable"
    assert verdict.cause is not None
    assert verdict.cause.what == (
        "not applicable to the glibc loader: the scenario declares loaders musl"
    )
    assert verdict.installer == "glibc" and verdict.python == NATIVE_PYTHON
    assert not_applicable(musl) is None


def _problem(write_scenario: Write, text: str) -> str:
    path = write_scenario("native-x", text)
    with pytest.raises(parse.ScenarioError) as error:
        parse.load(path)
    message = str(error.value)
    assert all(line.startswith(f"{path}: key `") for line in message.splitlines())
    return message


PYTHON_STEP = '[[steps]]\nid = "preload"\nload = "producer"\nmode = "global"'

# (replace this text of NATIVE, with this, the key named, words of the problem, words of the fix)
BROKEN = [
    (
        'layouts = ["native"]',
        'layouts = ["native", "venv"]',
        "layouts",
        "`native` cannot share a scenario with venv",
        'use `layouts = ["native"]`',
    ),
    (
        'loaders = ["musl"]',
        'loaders = ["musl"]\ninstallers = ["uv"]',
        "installers",
        "native cells install nothing",
        "use `loaders =",
    ),
    ('loaders = ["musl"]', 'loaders = ["bionic"]', "loaders", "unknown value 'bionic'", "'musl'"),
    (
        PYTHON_STEP,
        '[[steps]]\nid = "preload"\nimport = "pyfoo"',
        "steps[0].import",
        "a native scenario runs no Python",
        "put Python steps into a venv or conda scenario",
    ),
    (
        'load = "producer"',
        'load = "libfoo.so.1"',
        "steps[0].load",
        "'libfoo.so.1' is no native library",
        "use one of producer, copy, consumer, consumer-rpath, bundled",
    ),
    (
        'load = "producer"',
        'load = "/usr/lib/libfoo.so.1"',
        "steps[0].load",
        "is a machine path",
        "{location:LABEL}/FILE",
    ),
    (
        'load = "producer"',
        'load = "{location:site}/libfoo.so.1"',
        "steps[0].load",
        "placeholder {location:site} names no directory of the musl native build",
        "use one of producer, copy",
    ),
    (
        'load = "producer"',
        'load = "{location:producer}/../../x.so"',
        "steps[0].load",
        "leaves the location",
        "name a file inside it",
    ),
    ('mode = "global"', 'mode = "lazy"', "steps[0].mode", "unknown mode 'lazy'", "RTLD_LOCAL"),
    (
        'library = "consumer"',
        "",
        "steps[2].library",
        "is missing: a native call looks its function up in a loaded library",
        'e.g. `library = "consumer"`',
    ),
    (
        'library = "consumer"',
        'library = "later"',
        "steps[2].library",
        "names 'later', which is no earlier load step",
        "use one of preload, consumer",
    ),
    (
        'call = "consumer_foo_identity"',
        'call = "pyfoo.identity"',
        "steps[2].call",
        "'pyfoo.identity' is not a C symbol name",
        "consumer_foo_identity",
    ),
    (
        'call = "consumer_foo_identity"',
        'call = "consumer_foo_identity"\nargs = [1]',
        "steps[2].args",
        "the C functions take no arguments",
        "venv or conda scenario",
    ),
    (
        'location = "producer"',
        'location = "site"',
        "libraries.libfoo.location",
        "unknown location label 'site'",
        "use one of producer, copy, consumer, consumer-rpath, bundled",
    ),
    (
        'loaders = ["musl"]',
        'loaders = ["musl"]\n[[install]]\nlocation = "site"\nwheels = ["libfoo"]',
        "install",
        "a native scenario installs no wheels",
        'load = "producer"',
    ),
]


@pytest.mark.parametrize("case", BROKEN, ids=[case[2] + ":" + case[3][:24] for case in BROKEN])
def test_bad_native_input_names_the_key_and_the_fix(
    write_scenario: Write, case: tuple[str, str, str, str, str]
) -> None:
    old, new, key, what, fix = case
    assert old in NATIVE
    message = _problem(write_scenario, NATIVE.replace(old, new, 1))
    line = next((li for li in message.splitlines() if f"key `{key}`:" in li), None)
    assert line is not None, message
    assert what in line and "Fix: " in line and fix in line.split("Fix: ", 1)[1], line


def test_a_library_the_windows_build_lacks_names_the_loader(write_scenario: Write) -> None:
    text = NATIVE.replace('loaders = ["musl"]', 'loaders = ["musl", "wine"]').replace(
        'load = "consumer"', 'load = "consumer-rpath"'
    )
    text = text.replace('library = "consumer"', 'library = "consumer-rpath"')
    message = _problem(write_scenario, text)
    assert (
        "key `steps[1].load`: the wine native build has no library 'consumer-rpath' "
        "(Windows DLLs have no RPATH). Fix: remove wine from `loaders`, or load another library"
    ) in message


def test_native_steps_in_a_venv_scenario_say_what_to_change(write_scenario: Write) -> None:
    """A venv scenario's `load` dlopens a path from Python; `mode` and `library` are native."""
    text = """
    schema = 1
    description = "d"
    [[install]]
    location = "site"
    wheels = ["libfoo"]
    [[steps]]
    load = "{location:site}/libfoo/lib/libfoo.so.1"
    mode = "global"
    [[steps]]
    call = "consumer_foo_identity"
    library = "load:libfoo.so.1"
    """
    message = _problem(write_scenario, text)
    assert (
        "key `steps[0].mode`: `mode` belongs to a native step (the C probe), but `layouts` is "
        'not native. Fix: set `layouts = ["native"]` for a native scenario, or remove it'
    ) in message
    assert "key `steps[1].library`: `library` belongs to a native step" in message
    assert "steps[0].load" not in message, "a Python load of a located path is valid"
    loaders = _problem(
        write_scenario,
        'schema = 1\ndescription = "d"\nloaders = ["musl"]\n[[steps]]\nimport = "json"\n',
    )
    assert "key `loaders`: only native scenarios have loaders" in loaders


def test_wine_paths_are_located_after_mapping_to_host_files(tmp_path: Path) -> None:
    """Pure mapping logic (the real Wine cells are in tests/native/test_native_cells.py)."""
    producer = tmp_path / "build" / "producer" / "lib"
    producer.mkdir(parents=True)
    windows = wine.to_windows(producer / "foo.dll")
    evidence = parse_evidence(
        {
            "schema": 1,
            "python": {"version": "native", "executable": "Z:\\probe.exe", "platform": "windows"},
            "loader": {"name": "wine", "version": "8.0"},
            "steps": [],
            "loaded": [{"path": "C:\\windows\\system32\\ntdll.dll"}, {"path": windows}],
            "symbols": {},
            "identities": [],
        }
    )
    assert evidence.loader is not None and evidence.loader.name == "wine"
    observed = observe(evidence, {"producer": producer}, host_path=wine.to_host)
    assert [obj.origin for obj in observed.loaded] == [
        "other:C:\\windows\\system32\\ntdll.dll",
        "producer:foo.dll",
    ]
    assert [obj.origin for obj in observed.copies_of("libfoo")] == ["producer:foo.dll"]
    unmapped = observe(evidence, {"producer": producer})
    assert unmapped.copies_of("libfoo")[0].origin.startswith("other:"), "the mapping matters"


def test_report_columns_name_the_loader() -> None:
    cells = [
        CellVerdict("native-x", NATIVE_PYTHON, "native", "musl", ["linux"], status="passed",
                    loader_version="musl"),
        CellVerdict("native-x", NATIVE_PYTHON, "native", "wine", ["linux"], status="passed",
                    loader_version="wine 8.0"),
        CellVerdict("venv-basic", "3.13", "venv", "uv", ["linux"], status="passed",
                    python_version="3.13.0"),
    ]  # fmt: skip
    document = report.document(cells)
    setups = [(c["python"], c["layout"], c["installer"]) for c in document["columns"]]
    assert setups == [
        ("3.13", "venv", "uv"),
        ("native", "native", "musl"),
        ("native", "native", "wine"),
    ]
    facts = document["runs"][0]
    assert facts["pythons"] == {"3.13": "3.13.0"}
    assert facts["loaders"] == {"musl": "musl", "wine": "wine 8.0"}
    assert [c["installer"] for c in report.document(cells)["cells"]][:2] == ["musl", "wine"]


LIBC = """
schema = 1
description = "musl: the preload does not satisfy the consumer"
platforms = ["linux"]
libc = ["musl"]
[[install]]
location = "site"
wheels = ["libfoo", "pyfoo"]
[[steps]]
import = "pyfoo"
expect = { error = "ImportError" }
"""


def test_libc_narrows_a_linux_scenario_to_hosts_with_that_libc(write_scenario: Write) -> None:
    scenario = parse.load(write_scenario("musl-x", LIBC))
    assert scenario.libcs == ("musl",)
    assert parse.load(write_scenario("glibc-x", LIBC.replace('libc = ["musl"]\n', ""))).libcs == (
        "glibc",
    ), "a Linux scenario holds for glibc unless it says otherwise"
    (cell,) = expand(scenario, Selection(pythons=("3.12",)))
    verdict = not_applicable(cell)
    here = platforms.current_libc()
    if here == "musl":
        assert verdict is None
    else:
        assert here == "glibc", "this suite runs on glibc or musl Linux"
        assert verdict is not None and verdict.cause is not None
        assert verdict.cause.what == "not applicable on glibc: the scenario declares libc musl"
        assert verdict.cause.where == "libc"


def test_the_host_libc_is_read_from_the_c_library() -> None:
    try:
        glibc = os.confstr("CS_GNU_LIBC_VERSION")
    except (ValueError, OSError):
        glibc = None
    assert platforms.current_libc() == ("glibc" if glibc else "musl")


@pytest.mark.parametrize(
    ("old", "new", "what"),
    [
        ('libc = ["musl"]', 'libc = ["bionic"]', "key `libc`: unknown value 'bionic'"),
        ('platforms = ["linux"]', 'platforms = ["macos"]', "key `libc`: only Linux hosts have"),
    ],
)
def test_bad_libc_names_the_key(write_scenario: Write, old: str, new: str, what: str) -> None:
    assert what in _problem(write_scenario, LIBC.replace(old, new))


def test_libc_does_not_apply_to_native_scenarios(write_scenario: Write) -> None:
    message = _problem(write_scenario, NATIVE.replace('loaders = ["musl"]', 'libc = ["musl"]'))
    assert "key `libc`: native cells bring their own loader" in message
