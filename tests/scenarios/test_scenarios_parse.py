"""scenario.toml validation: every key's errors name file, key, problem and fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from scenario_testlib import VALID

from harness.scenarios import parse
from harness.scenarios.probing import ProbeSpec


def test_valid_scenario_parses_with_defaults(write_scenario: Callable[[str, str], Path]) -> None:
    path = write_scenario("venv-basic", VALID)
    scenario = parse.load(path)
    assert scenario.name == "venv-basic"
    assert scenario.platforms == ("linux", "macos", "windows")
    assert scenario.installers == ("uv", "pip")
    assert [s.id for s in scenario.steps] == ["import", "identity"]
    assert scenario.steps[0].expect.ok is True
    assert scenario.steps[1].expect.value == "libfoo 1.0 wheel"
    (libfoo,) = scenario.libraries
    assert (libfoo.copies, libfoo.location, libfoo.identity_function) == (1, "site", "foo_identity")
    assert scenario.symbols.must_not_be_global == ("foo_identity",)
    assert ProbeSpec.from_scenario(scenario).to_json() == {
        "steps": [
            {"id": "import", "import": "pyfoo"},
            {"id": "identity", "call": "pyfoo.identity", "args": [], "kwargs": {}},
        ],
        "symbols": ["foo_identity"],
        "identity_functions": ["foo_identity"],
    }


def test_minimal_scenario_defaults(write_scenario: Callable[[str, str], Path]) -> None:
    path = write_scenario(
        "tiny",
        """
        schema = 1
        description = "d"
        [[steps]]
        import = "json"
        """,
    )
    scenario = parse.load(path)
    assert scenario.layouts == ("venv",)
    assert scenario.installers == ("uv",)
    assert scenario.steps[0].id == "import:json"
    assert scenario.libraries == ()


# (replace this text of VALID, with this, expected key, expected words in the message)
BROKEN = [
    ("schema = 1", "", "schema", "is missing"),
    ("schema = 1", "schema = 2", "schema", "unsupported schema version 2"),
    ("schema = 1", 'schema = "1"', "schema", "expected an integer"),
    ('description = "producer and consumer in one site dir"', "", "description", "is missing"),
    (
        'platforms = ["linux", "macos", "windows"]',
        'platforms = ["linux", "beos"]',
        "platforms",
        "unknown value 'beos'",
    ),
    ('platforms = ["linux", "macos", "windows"]', "platforms = []", "platforms", "is empty"),
    (
        'platforms = ["linux", "macos", "windows"]',
        'platforms = "linux"',
        "platforms",
        "expected an array",
    ),
    ('layouts = ["venv"]', 'layouts = ["docker"]', "layouts", "unknown value 'docker'"),
    (
        'installers = ["uv", "pip"]',
        'installers = ["poetry"]',
        "installers",
        "unknown value 'poetry'",
    ),
    (
        'location = "site"\nwheels',
        'location = "nowhere"\nwheels',
        "install[0].location",
        "unknown install location 'nowhere'",
    ),
    (
        'location = "site"\nwheels',
        'location = "system"\nwheels',
        "install[0].location",
        "[system] prefix",
    ),
    (
        'wheels = ["shared_lib_manager", "shared_lib_consumer", "libfoo", "pyfoo"]',
        "",
        "install[0].wheels",
        "is missing",
    ),
    (
        'wheels = ["shared_lib_manager", "shared_lib_consumer", "libfoo", "pyfoo"]',
        'wheels = ["lib foo"]',
        "install[0].wheels",
        "is not a wheel id",
    ),
    (
        'wheels = ["shared_lib_manager", "shared_lib_consumer", "libfoo", "pyfoo"]',
        'wheels = ["pyfoo"]\ndeps = "yes"',
        "install[0].deps",
        "expected a boolean",
    ),
    (
        'wheels = ["shared_lib_manager", "shared_lib_consumer", "libfoo", "pyfoo"]',
        'wheels = ["pyfoo"]\nwhere = "x"',
        "install[0].where",
        "is not a known key",
    ),
    ('import = "pyfoo"', "", "steps[0].import", "exactly one of `import`, `call` and `load`"),
    ('import = "pyfoo"', 'import = "pyfoo"\ncall = "pyfoo.x"', "steps[0].import", "exactly one"),
    ('import = "pyfoo"', 'import = "py foo"', "steps[0].import", "not a dotted Python name"),
    ('import = "pyfoo"', 'import = "pyfoo"\nargs = [1]', "steps[0].args", "takes no arguments"),
    ('call = "pyfoo.identity"', 'call = "identity"', "steps[1].call", "has no module part"),
    (
        'call = "pyfoo.identity"',
        'call = "pyfoo.identity"\nargs = "x"',
        "steps[1].args",
        "expected an array",
    ),
    ('id = "identity"', 'id = "import"', "steps[1].id", "used twice"),
    (
        'expect = { value = "libfoo 1.0 wheel" }',
        'expect = { value = "x", error = "ImportError" }',
        "steps[1].expect.error",
        "both a value and an error",
    ),
    (
        'expect = { value = "libfoo 1.0 wheel" }',
        'expect = { error_matches = "(" }',
        "steps[1].expect.error_matches",
        "not a valid regular expression",
    ),
    (
        'expect = { value = "libfoo 1.0 wheel" }',
        'expect = { ok = true, error = "ImportError" }',
        "steps[1].expect.ok",
        "contradicts an expected error",
    ),
    (
        'expect = { value = "libfoo 1.0 wheel" }',
        "expect = { ok = false, value = 1 }",
        "steps[1].expect.ok",
        "contradicts an expected value",
    ),
    (
        'expect = { value = "libfoo 1.0 wheel" }',
        "expect = { equals = 1 }",
        "steps[1].expect.equals",
        "is not a known key",
    ),
    ("copies = 1", "copies = -1", "libraries.libfoo.copies", "cannot be negative"),
    ("copies = 1", "copies = true", "libraries.libfoo.copies", "expected an integer"),
    ("copies = 1\nidentity", "copies = 0\nidentity", "libraries.libfoo.copies", "`copies = 0`"),
    (
        'location = "site"\ncopies',
        'location = "attic"\ncopies',
        "libraries.libfoo.location",
        "unknown location label 'attic'",
    ),
    (
        'location = "site"\ncopies',
        'location = "target"\ncopies',
        "libraries.libfoo.location",
        "puts nothing in location 'target'",
    ),
    (
        "copies = 1\nidentity",
        'copies = 1\nfrom = "site"\nidentity',
        "libraries.libfoo.from",
        "is not a known key",
    ),
    (
        'not_global = ["foo_identity"]',
        'not_global = ["foo identity"]',
        "symbols.not_global",
        "is not a C symbol name",
    ),
    (
        'not_global = ["foo_identity"]',
        'not_global = ["foo_identity"]\nglobal = ["foo_identity"]',
        "symbols.not_global",
        "both global and not global",
    ),
    (
        'not_global = ["foo_identity"]',
        'hidden = ["foo_identity"]',
        "symbols.hidden",
        "is not a known key",
    ),
    ("schema = 1", "schema = 1\ncolour = 'red'", "colour", "is not a known key"),
    (
        "schema = 1",
        'schema = 1\nload_order = ["libbar"]',
        "load_order",
        "has no [libraries.libbar] table",
    ),
    (
        "[symbols]",
        '[env]\nLD_LIBRARY_PATH = "{location:system}"\n[symbols]',
        "env.LD_LIBRARY_PATH",
        "{location:system} names a location",
    ),
    ("[symbols]", '[env]\nX = "{prefix}"\n[symbols]', "env.X", "unknown placeholder {prefix}"),
    ("[symbols]", "[env]\nX = 1\n[symbols]", "env.X", "expected a string"),
    (
        "[symbols]",
        '[system]\nprefix = "libfoo-system"\nlib = "x"\n[symbols]',
        "system.lib",
        "is not a known key",
    ),
    ("[symbols]", "[system]\n[symbols]", "system.prefix", "is missing"),
]


@pytest.mark.parametrize(
    ("old", "new", "key", "words"), BROKEN, ids=[b[2] + ":" + b[3] for b in BROKEN]
)
def test_each_key_error_names_file_key_problem_and_fix(
    write_scenario: Callable[[str, str], Path], old: str, new: str, key: str, words: str
) -> None:
    assert old in VALID, old
    path = write_scenario("broken", VALID.replace(old, new, 1))
    with pytest.raises(parse.ScenarioError) as raised:
        parse.load(path)
    message = str(raised.value)
    matching = [line for line in message.splitlines() if f"key `{key}`" in line]
    assert matching, message
    assert any(words in line for line in matching), message
    assert all(line.startswith(str(path)) and "Fix: " in line for line in message.splitlines())


def test_toml_syntax_error_names_file(write_scenario: Callable[[str, str], Path]) -> None:
    path = write_scenario("syntax", "schema = \n")
    with pytest.raises(parse.ScenarioError, match=r"key `\(syntax\)`: is not valid TOML"):
        parse.load(path)


def test_all_problems_reported_together(write_scenario: Callable[[str, str], Path]) -> None:
    path = write_scenario("many", 'schema = 3\nplatforms = ["beos"]\n')
    with pytest.raises(parse.ScenarioError) as raised:
        parse.load(path)
    keys = {problem.key for problem in raised.value.problems}
    assert {"schema", "description", "platforms"} <= keys


def test_load_all_reports_broken_and_keeps_good(write_scenario: Callable[[str, str], Path]) -> None:
    good = write_scenario("good", VALID)
    write_scenario("bad", "schema = 1\n")
    broken: list[parse.ScenarioError] = []
    scenarios = parse.load_all(good.parent.parent, on_error=broken.append)
    assert [s.name for s in scenarios] == ["good"]
    assert [b.path.parent.name for b in broken] == ["bad"]


def test_the_project_catalogue_is_valid() -> None:
    root = Path(__file__).resolve().parents[2] / "scenarios"
    scenarios = parse.load_all(root)
    assert len(scenarios) >= 14


def test_steps_must_be_tables(write_scenario: Callable[[str, str], Path]) -> None:
    path = write_scenario("steps", 'schema = 1\ndescription = "d"\nsteps = 3\n')
    with pytest.raises(parse.ScenarioError, match=r"key `steps`: expected an array"):
        parse.load(path)


_EDITABLE = """
schema = 1
description = "d"
[[install]]
location = "editable"
wheels = ["libfoo"]
{extra}
[[steps]]
import = "libfoo"
[libraries.libfoo]
location = "site"
"""


def test_editable_install_mode_defaults_to_redirect(
    write_scenario: Callable[[str, str], Path],
) -> None:
    scenario = parse.load(write_scenario("ed", _EDITABLE.format(extra="")))
    (install,) = scenario.installs
    assert (install.location, install.wheels, install.mode) == ("editable", ("libfoo",), "redirect")
    inplace = parse.load(write_scenario("ed2", _EDITABLE.format(extra='mode = "inplace"')))
    assert inplace.installs[0].mode == "inplace"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (_EDITABLE.format(extra='mode = "strict"'), "unknown editable mode 'strict'"),
        (
            VALID.replace('location = "site"', 'location = "site"\nmode = "inplace"', 1),
            "only editable installs have a mode",
        ),
    ],
    ids=["unknown-mode", "mode-without-editable"],
)
def test_editable_mode_errors(
    write_scenario: Callable[[str, str], Path], text: str, words: str
) -> None:
    with pytest.raises(parse.ScenarioError) as raised:
        parse.load(write_scenario("bad", text))
    assert "key `install[0].mode`" in str(raised.value)
    assert words in str(raised.value)


@pytest.mark.parametrize("label", ["prefix", "root", "wheel-dirs", "zip", "base"])
def test_new_install_locations_are_labels(
    write_scenario: Callable[[str, str], Path], label: str
) -> None:
    text = VALID.replace('location = "site"', f'location = "{label}"')
    scenario = parse.load(write_scenario("loc", text))
    assert scenario.installs[0].location == label
    assert scenario.libraries[0].location == label
