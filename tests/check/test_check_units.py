"""The pieces under ``harness check`` that need no layout: ``[wheels]`` and ``load`` steps in
scenario files, wheel-file patterns, placeholders in step values, load-mode evidence,
preload detection and wheel-tag rules."""

from __future__ import annotations

import textwrap
import zipfile
from pathlib import Path
from typing import Any

import pytest

from harness import evidence, probe
from harness.builder.supply import WheelFileError, resolve_wheel_file
from harness.check import family as families
from harness.check import preloads
from harness.inspect.wheel import Wheel
from harness.inspect.wheel import load as load_wheel
from harness.scenarios import parse
from harness.scenarios.probing import ProbeSpec, fill_locations

HEAD = """
schema = 1
description = "outside wheels"
platforms = ["linux"]
"""

INSTALL = """
[[install]]
location = "target"
wheels = ["shared_lib_manager", "outside-libfoo"]

[[install]]
location = "site"
wheels = ["shared_lib_consumer", "pyfoo"]
"""


def _write(tmp_path: Path, text: str) -> Path:
    directory = tmp_path / "scenarios" / "outside"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "scenario.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_wheels_table_and_load_steps_parse_and_fill_placeholders(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        HEAD
        + """
[wheels]
outside-libfoo = "${MY_WHEELS}/libfoo-1.0-*.whl"
"""
        + INSTALL
        + """
[[steps]]
load = "{location:target}/libfoo/lib/libfoo.so.1"

[[steps]]
id = "exists"
call = "os.path.isfile"
args = ["{location:target}/libfoo/lib/libfoo.so.1", ["{location:site}"]]
kwargs = { x = "{{literal}}" }
""",
    )
    scenario = parse.load(path)
    assert scenario.wheel_files == {"outside-libfoo": "${MY_WHEELS}/libfoo-1.0-*.whl"}
    load, _call = scenario.steps
    assert (load.id, load.action) == ("load:libfoo.so.1", "load")
    locations = {"target": Path("/cell/target"), "site": Path("/cell/site")}
    spec = ProbeSpec.from_scenario(scenario, locations).to_json()
    assert spec["steps"] == [
        {"id": "load:libfoo.so.1", "load": "/cell/target/libfoo/lib/libfoo.so.1"},
        {
            "id": "exists",
            "call": "os.path.isfile",
            "args": ["/cell/target/libfoo/lib/libfoo.so.1", ["/cell/site"]],
            "kwargs": {"x": "{literal}"},
        },
    ]
    # round trip through the JSON form keeps the load step
    assert ProbeSpec.from_json(spec).to_json() == spec


@pytest.mark.parametrize(
    ("body", "key", "what"),
    [
        ('[wheels]\nx = "${1BAD}/a.whl"\n', "wheels.x", "not an environment variable reference"),
        ('[wheels]\nx = "dist/readme.txt"\n', "wheels.x", "does not name a .whl file"),
        ('[wheels]\nx = ""\n', "wheels.x", "is empty"),
        ("[wheels]\nx = 3\n", "wheels.x", "expected a string"),
        ('[wheels]\n"bad id" = "a.whl"\n', "wheels.bad id", "is not a wheel id"),
        (
            '[[steps]]\nload = "/usr/lib/libx.so"\n',
            "steps[0].load",
            "does not start with a location placeholder",
        ),
        (
            '[[steps]]\nload = "{location:user}/x/libx.so"\n',
            "steps[0].load",
            "names a location this scenario does not have",
        ),
        (
            '[[steps]]\ncall = "os.path.isfile"\nargs = ["{location:user}/x"]\n',
            "steps[0].args",
            "names a location this scenario does not have",
        ),
        (
            '[[steps]]\nload = "{location:site}/x/libx.so"\nargs = [1]\n',
            "steps[0].args",
            "a load step takes no arguments",
        ),
        (
            '[[steps]]\nload = "{location:site}/x.so"\nimport = "x"\n',
            "steps[0].import",
            "exactly one of `import`, `call` and `load`",
        ),
    ],
)
def test_bad_wheels_and_load_steps_name_the_key(
    tmp_path: Path, body: str, key: str, what: str
) -> None:
    steps = "" if "[[steps]]" in body else '[[steps]]\nimport = "pyfoo"\n'
    path = _write(tmp_path, HEAD + INSTALL + body + steps)
    with pytest.raises(parse.ScenarioError) as raised:
        parse.load(path)
    message = str(raised.value)
    assert f"key `{key}`" in message, message
    assert what in message, message
    assert str(path) in message


def test_wheel_patterns_need_exactly_one_file(tmp_path: Path) -> None:
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "libfoo-1.0-py3-none-any.whl").write_bytes(b"")
    found = resolve_wheel_file("dist/libfoo-*.whl", tmp_path, {}.get, "x")
    assert found == (tmp_path / "dist" / "libfoo-1.0-py3-none-any.whl").resolve()
    # from a variable, absolute
    variables = {"W": str(tmp_path / "dist")}
    assert resolve_wheel_file("${W}/libfoo-1.0-*.whl", Path("/elsewhere"), variables.get) == found
    with pytest.raises(WheelFileError, match=r"'dist/libbar-\*\.whl' .* matches no file"):
        resolve_wheel_file("dist/libbar-*.whl", tmp_path, {}.get, "bar")
    (tmp_path / "dist" / "libfoo-2.0-py3-none-any.whl").write_bytes(b"")
    with pytest.raises(WheelFileError, match=r"matches 2 files \(libfoo-1\.0-.*, libfoo-2\.0-"):
        resolve_wheel_file("dist/libfoo-*.whl", tmp_path, {}.get, "x")
    with pytest.raises(WheelFileError, match=r"uses \$\{NOPE\}, which is not set") as raised:
        resolve_wheel_file("${NOPE}/x.whl", tmp_path, {}.get, "x")
    assert raised.value.fix == "set NOPE to the directory holding the wheel"


def test_fill_locations_names_an_unknown_label() -> None:
    with pytest.raises(KeyError, match=r"placeholder \{location:user\} unknown here \(site\)"):
        fill_locations(["{location:user}/x"], {"site": Path("/s")}, "where")
    assert fill_locations({"a": ("{location:site}", 1)}, {"site": Path("/s")}, "w") == {
        "a": ["/s", 1]
    }


def _document(**extra: Any) -> dict[str, Any]:
    return {
        "schema": 1,
        "python": {"version": "3.11.7", "executable": "/p", "platform": "linux"},
        "steps": [],
        "loaded": [{"path": "/cell/site/libfoo/lib/libfoo.so.1"}],
        "symbols": {},
        "identities": [],
        **extra,
    }


def test_load_modes_are_optional_and_parsed() -> None:
    assert evidence.parse(_document()).load_modes == ()  # evidence of older probes
    parsed = evidence.parse(
        _document(
            load_modes=[
                {
                    "path": "/cell/site/libfoo/lib/libfoo.so.1",
                    "sampled": ["foo_answer", "foo_identity"],
                    "global": ["foo_identity"],
                }
            ]
        )
    )
    (mode,) = parsed.load_modes
    assert mode.is_global and mode.global_names == ("foo_identity",)
    assert parsed.load_mode("/cell/site/libfoo/lib/libfoo.so.1") is mode
    with pytest.raises(evidence.EvidenceError, match=r"load_modes\[0\]\.global\[0\]"):
        evidence.parse(_document(load_modes=[{"path": "/x", "sampled": [], "global": [3]}]))


def _wheel(directory: Path, texts: dict[str, str]) -> Wheel:
    """A pure-Python wheel holding ``texts``, read back the way the check reads wheels."""
    path = directory / "libx-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in texts.items():
            archive.writestr(member, text)
        archive.writestr("libx-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: libx\n")
        archive.writestr("libx-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nTag: py3-none-any\n")
        archive.writestr("libx-1.0.dist-info/RECORD", "")
    return load_wheel(path)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from shared_lib_manager import LibraryLoader\nloader = LibraryLoader({})\n", "loader"),
        ("from libx.load import load_library\n", "function"),
        ("def load_library():\n    pass\n", "function"),
        ("import ctypes, os\n_lib = ctypes.CDLL(os.path.join('x', 'libx.so'))\n", "import"),
        ("__version__ = '1'\n", None),
    ],
)
def test_preloads_are_found_in_the_producer_source(
    tmp_path: Path, source: str, expected: str | None
) -> None:
    found = preloads.find_preload(_wheel(tmp_path, {"libx/__init__.py": source}))
    assert (found.how if found else None) == expected
    if expected == "loader":
        assert found is not None and found.call == "libx.loader.load"


def test_preload_option_and_name_rules() -> None:
    assert families.parse_preload("libfoo:loader.load").call == "libfoo.loader.load"
    assert families.parse_preload("libfoo").module == "libfoo"
    with pytest.raises(families.CheckInputError, match="MODULE or MODULE:FUNCTION"):
        families.parse_preload("lib foo")
    assert families.library_name("libfoo.so.1") == "libfoo"
    assert families.library_name("libnvJitLink.so.12") == "libnvJitLink"
    assert families.library_name("libfoo.1.dylib") == "libfoo"
    assert families.module_name("pyfoo/_pyfoo.cpython-312-x86_64-linux-gnu.so") == "pyfoo._pyfoo"


@pytest.mark.parametrize(
    ("name", "version", "runs"),
    [
        ("pyfoo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", "3.12", True),
        ("pyfoo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", "3.13", False),
        ("pyfoo-1.0-cp39-abi3-manylinux_2_17_x86_64.whl", "3.13", True),
        ("pyfoo-1.0-cp313-abi3-manylinux_2_17_x86_64.whl", "3.12", False),
        ("libfoo-1.0-py3-none-manylinux_2_17_x86_64.whl", "3.9", True),
    ],
)
def test_python_tags_decide_the_interpreter(name: str, version: str, runs: bool) -> None:
    assert families.runs_on(Path(name), version) is runs


def test_default_python_comes_from_the_version_specific_wheels() -> None:
    paths = [
        Path("libfoo-1.0-py3-none-manylinux_2_17_x86_64.whl"),
        Path("pyfoo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"),
    ]
    assert families.default_python(paths) == "3.12"
    assert families.default_python(paths[:1]) is None


@pytest.mark.parametrize(
    ("file_name", "key"),
    [
        ("libfoo.so.1", "libfoo.so.1"),
        ("libfoo-1a2b3c4d.so.1", "libfoo.so.1"),  # auditwheel's copy
        ("foo-0123456789abcdef0123456789abcdef.dll", "foo.dll"),  # delvewheel's
        ("libfoo-bar.so.1", "libfoo-bar.so.1"),  # a dash that is no hash
        ("libfoo-1a2b3c4.so.1", "libfoo-1a2b3c4.so.1"),  # 7 digits: not a repair hash
    ],
)
def test_probe_samples_hashed_copies_under_the_original_name(file_name: str, key: str) -> None:
    assert probe.sample_key(file_name) == key
