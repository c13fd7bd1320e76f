"""Library names across formats and the marks repair tools leave."""

from __future__ import annotations

import pytest

from harness.inspect.loader_check import missing_loader
from harness.inspect.names import is_mangled, is_vendored, key_matches, library_stem


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("libfoo.so.1", "foo"),
        ("libfoo.so", "foo"),
        ("libfoo-1a2b3c4d.so.1", "foo"),
        ("@rpath/libfoo.1.dylib", "foo"),
        ("/Users/runner/build/libfoo.dylib", "foo"),
        ("foo.dll", "foo"),
        ("FOO.DLL", "foo"),
        ("libfoo-1.dll", "foo"),
        ("foo-0123456789abcdef0123456789abcdef.dll", "foo"),
        ("libfoo2.so.2", "foo2"),
        ("KERNEL32.dll", "kernel32"),
        ("libpython3.12.so.1.0", "python3.12"),
    ],
)
def test_library_stem(name: str, stem: str) -> None:
    assert library_stem(name) == stem


def test_vendored_and_mangled() -> None:
    assert is_vendored("pyfoo.libs/libfoo-1a2b3c4d.so.1")
    assert is_vendored("pyfoo/.dylibs/libfoo.1.dylib")
    assert is_vendored("pyfoo/libfoo-1a2b3c4d.so.1")
    assert not is_vendored("libfoo/lib/libfoo.so.1")
    assert is_mangled("foo-0123456789abcdef0123456789abcdef.dll")
    assert not is_mangled("libfoo-bar.so.1")


def test_key_matching_rules_per_format() -> None:
    assert key_matches("pe", "FOO.dll", "foo.DLL")
    assert not key_matches("elf", "LIBFOO.so.1", "libfoo.so.1")
    assert not key_matches("macho", "@rpath/libfoo.dylib", "@rpath/libfoo.1.dylib")


@pytest.mark.parametrize(
    ("source", "ok"),
    [
        ("loader = object()\n", True),
        ("loader: object = object()\n", True),
        ("import shared_lib_manager as loader\n", True),
        ("from . import loader\n", True),
        ("if True:\n    loader = 1\n", True),
        ("class X:\n    loader = 1\n", False),
        ("def f():\n    loader = 1\n", False),
        ("LOADER = 1\n", False),
        ("loader =\n", False),
    ],
)
def test_missing_loader(source: str, ok: bool) -> None:
    assert (missing_loader(source) is None) is ok
