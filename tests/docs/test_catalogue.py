"""The scenario catalogue generator, on scenario directories written by the tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.docs import catalogue

BASIC = """\
schema = 1
description = \"\"\"
Producer and consumer in one venv.

Second paragraph stays out of the summary table.\"\"\"
platforms = ["linux", "macos"]
layouts = ["venv"]

[[install]]
location = "site"
wheels = ["libfoo", "pyfoo"]

[[steps]]
id = "identity"
call = "pyfoo.identity"
expect = { value = "libfoo 1.0 wheel" }

[[steps]]
import = "pyfoo_rpath"
expect = { error = "ImportError", error_matches = "libfoo.so.1|x" }

[libraries.libfoo]
location = "site"
identity = "libfoo 1.0 wheel"

[libraries.libfoo2]
copies = 0

[symbols]
not_global = ["foo_identity"]
"""


def scenario(root: Path, name: str, text: str) -> Path:
    directory = root / name
    directory.mkdir(parents=True)
    (directory / "scenario.toml").write_text(text, encoding="utf-8")
    return directory


def test_every_scenario_directory_is_listed(tmp_path: Path) -> None:
    scenario(tmp_path, "venv-basic", BASIC)
    scenario(tmp_path, "another", 'schema = 1\ndescription = "Second one."\n')
    (tmp_path / "not-a-scenario").mkdir()  # no scenario.toml: not collected, not listed
    page = catalogue.build(tmp_path)
    assert "## another" in page and "## venv-basic" in page
    assert "not-a-scenario" not in page
    assert "2 scenarios." in page
    assert (
        "| [venv-basic](#venv-basic) | linux, macos | venv | Producer and consumer in one venv. |"
        in page
    )
    assert "Second paragraph" in page.split("## venv-basic")[1]


def test_expectations_are_rendered(tmp_path: Path) -> None:
    scenario(tmp_path, "venv-basic", BASIC)
    page = catalogue.build(tmp_path)
    assert "`pyfoo.identity()` — must return `libfoo 1.0 wheel`" in page
    # A `|` inside a regular expression must not split the table or list.
    assert "must raise `ImportError`, message matching `libfoo.so.1\\|x`" in page
    assert "- `libfoo`: exactly one copy, from `site`, reports `libfoo 1.0 wheel`" in page
    assert "- `libfoo2`: must not be loaded" in page
    assert "- must not be global: `foo_identity`" in page
    assert "- `site`: `libfoo`, `pyfoo`" in page


def test_schema_growth_is_tolerated(tmp_path: Path) -> None:
    """Keys the generator does not know, and missing ones, still give an entry."""
    scenario(tmp_path, "future", "schema = 2\nnew_key = { a = 1 }\n[[steps]]\nweird = true\n")
    page = catalogue.build(tmp_path)
    assert "## future" in page and "*(no description)*" in page
    assert "- **Platforms:** all" in page


def test_extra_test_files_are_listed(tmp_path: Path) -> None:
    directory = scenario(tmp_path, "custom", 'description = "x"\n')
    (directory / "test_extra.py").write_text("", encoding="utf-8")
    assert "`test_extra.py`" in catalogue.build(tmp_path)


def test_malformed_toml_names_the_file(tmp_path: Path) -> None:
    scenario(tmp_path, "good", 'description = "x"\n')
    broken = scenario(tmp_path, "broken", "description = \n")
    with pytest.raises(catalogue.CatalogueError) as caught:
        catalogue.build(tmp_path)
    assert str(broken / "scenario.toml") in str(caught.value)
    assert "invalid TOML" in str(caught.value)


def test_missing_scenarios_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(catalogue.CatalogueError, match="no scenarios directory"):
        catalogue.build(tmp_path / "absent")


def test_write_only_touches_the_file_when_the_text_changes(tmp_path: Path) -> None:
    scenario(tmp_path / "scenarios", "one", 'description = "x"\n')
    out = tmp_path / "out" / "catalogue.md"
    catalogue.write(tmp_path / "scenarios", out)
    stamp = out.stat().st_mtime_ns
    catalogue.write(tmp_path / "scenarios", out)
    assert out.stat().st_mtime_ns == stamp
    scenario(tmp_path / "scenarios", "two", 'description = "y"\n')
    catalogue.write(tmp_path / "scenarios", out)
    assert "## two" in out.read_text(encoding="utf-8")


NATIVE = """\
schema = 1
description = "musl: the preload does not satisfy the consumer."
platforms = ["linux"]
layouts = ["native"]
loaders = ["glibc", "musl"]

[[steps]]
id = "preload"
load = "producer"
mode = "global"

[[steps]]
call = "consumer_foo_identity"
library = "preload"
expect = { error = "SymbolError" }

[libraries.libfoo]
location = "producer"
"""


def test_native_scenarios_show_their_loaders_and_native_steps(tmp_path: Path) -> None:
    scenario(tmp_path, "native-x", NATIVE)
    page = catalogue.build(tmp_path)
    assert "| [native-x](#native-x) | linux | native (glibc, musl) |" in page
    assert "- **Loaders:** glibc, musl" in page and "**Installers:**" not in page
    assert "- `preload`: load `producer` by path with RTLD_GLOBAL — must succeed" in page
    assert "call `consumer_foo_identity()` of `preload` — must raise `SymbolError`" in page
    assert "- `libfoo`: exactly one copy, from `producer`" in page
