"""`remove` on an [[install]]: parsed into Install.remove, bad paths named with key and fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from scenario_testlib import VALID

from harness.scenarios import parse

WHEELS_LINE = 'wheels = ["shared_lib_manager", "shared_lib_consumer", "libfoo", "pyfoo"]'


def _with_remove(value: str) -> str:
    assert WHEELS_LINE in VALID
    return VALID.replace(WHEELS_LINE, f"{WHEELS_LINE}\nremove = {value}")


def test_remove_is_parsed_in_order(write_scenario: Callable[[str, str], Path]) -> None:
    path = write_scenario("broken", _with_remove('["libfoo/lib/libfoo.so.1", "./libfoo/include"]'))
    (install,) = parse.load(path).installs
    assert install.remove == ("libfoo/lib/libfoo.so.1", "./libfoo/include")


def test_no_remove_means_an_intact_install(write_scenario: Callable[[str, str], Path]) -> None:
    (install,) = parse.load(write_scenario("intact", VALID)).installs
    assert install.remove == ()


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ('["/usr/lib/libfoo.so.1"]', "is absolute"),
        ('["C:/libfoo/foo.dll"]', "is absolute"),
        ('["libfoo/../../../etc/passwd"]', "contains '..'"),
        ('["libfoo\\\\lib\\\\libfoo.so.1"]', "uses a backslash"),
        ('[""]', "is empty"),
        ('["."]', "names the location itself"),
        ("[]", "is empty"),
        (
            '["libfoo/lib/libfoo.so.1", "libfoo/lib/libfoo.so.1"]',
            "lists 'libfoo/lib/libfoo.so.1' twice",
        ),
        ("[1]", "expected a list of strings"),
        ('"libfoo/lib/libfoo.so.1"', "expected an array"),
    ],
)
def test_bad_remove_names_file_key_and_fix(
    write_scenario: Callable[[str, str], Path], value: str, words: str
) -> None:
    path = write_scenario("bad-remove", _with_remove(value))
    with pytest.raises(parse.ScenarioError) as caught:
        parse.load(path)
    message = str(caught.value)
    assert f"{path}: key `install[0].remove`: " in message
    assert words in message
    assert "Fix: " in message
    assert "libfoo/lib/libfoo.so.1" in message  # an example or the path itself


def test_remove_on_a_misspelt_key_is_still_unknown(
    write_scenario: Callable[[str, str], Path],
) -> None:
    path = write_scenario("typo", VALID.replace(WHEELS_LINE, f'{WHEELS_LINE}\nremoves = ["x"]'))
    with pytest.raises(parse.ScenarioError, match=r"install\[0\]\.removes`: is not a known key"):
        parse.load(path)
