"""harness.platforms.library_copy_pattern: which file names are copies of a library."""

from __future__ import annotations

import pytest

from harness import platforms

AUDITWHEEL_HASH = "1a2b3c4d"
DELVEWHEEL_HASH = "0123456789abcdef0123456789abcdef"

CASES = {
    platforms.LINUX: (
        [
            "libfoo.so",
            "libfoo.so.1",
            "libfoo.so.1.2.3",
            f"libfoo-{AUDITWHEEL_HASH}.so.1",
            f"libfoo-{AUDITWHEEL_HASH}.so",
        ],
        [
            "libfoobar.so.1",
            "libfoo_bar.so",
            "libfoo.so.1x",
            "libfoo-1a2b.so.1",  # too short for a content hash
            "libfoo-release.so.1",
            "foo.so",
            "libfoo.1.dylib",
            "libFOO.so.1",
            "libfoo.so.1.c",
        ],
    ),
    platforms.MACOS: (
        [
            "libfoo.dylib",
            "libfoo.1.dylib",
            "libfoo.1.2.dylib",
            f"libfoo-{AUDITWHEEL_HASH}.1.dylib",
            f"libfoo-{AUDITWHEEL_HASH}.dylib",
        ],
        ["libfoobar.1.dylib", "libfoo.so.1", "foo.dylib", "libfoo.1.dylib.dSYM"],
    ),
    platforms.WINDOWS: (
        ["foo.dll", "FOO.DLL", f"foo-{DELVEWHEEL_HASH}.dll", f"Foo-{DELVEWHEEL_HASH}.DLL"],
        ["foobar.dll", "foo.dll.a", "foo.lib", "libfoo.so.1", "foo-abc.dll"],
    ),
}


@pytest.mark.parametrize("platform", list(CASES), ids=lambda p: p.name)
def test_copy_pattern_matches_plain_versioned_and_mangled_names(platform):
    copies, others = CASES[platform]

    assert [n for n in copies if not platforms.is_library_copy(platform, "foo", n)] == []
    assert [n for n in others if platforms.is_library_copy(platform, "foo", n)] == []


@pytest.mark.parametrize("platform", list(CASES), ids=lambda p: p.name)
def test_the_platforms_own_library_file_names_are_copies(platform):
    for major in (None, 1, 2):
        file_name = platform.library_file("foo", major)
        assert platforms.is_library_copy(platform, "foo", file_name), file_name


def test_library_names_are_matched_literally():
    assert platforms.is_library_copy(platforms.LINUX, "foo++", "libfoo++.so.1")
    assert not platforms.is_library_copy(platforms.LINUX, "f.o", "libfxo.so.1")
