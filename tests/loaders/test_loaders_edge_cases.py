"""Edge cases of a declaration: a NUL in the path, a directory, a file another loader loaded.

Each error must be a ``LibraryLoadError`` naming the library and the real cause, and a
record's ``source`` must say what dlopen actually returned. Real files, the real loader;
the controls show what the platform itself does with the same input.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

import pytest
import shared_lib_manager as slm
from loader_testlib import LINUX_ONLY, build_dep, build_user, clean_env, evidence, run_python


def _everywhere(path: str | Path) -> slm.PlatformLibrary:
    return slm.PlatformLibrary(Linux=path, Darwin=path, Windows=path)


@pytest.mark.parametrize("prefer_system", [False, True])
def test_nul_in_the_path_is_a_load_error_naming_the_library(
    tmp_path: Path, prefer_system: bool
) -> None:
    declared = f"{tmp_path}{os.sep}libnul\0.so.1"
    loader = slm.LibraryLoader({"libnul": _everywhere(declared)})

    with pytest.raises(slm.LibraryLoadError) as caught:
        loader.load(prefer_system=prefer_system)

    error = caught.value
    assert (error.library, error.reason) == ("libnul", "nul-in-path")
    assert len(error.attempts) == (2 if prefer_system else 1), "both attempts are listed"
    text = str(error)
    assert text.splitlines()[0] == "could not load library 'libnul'"
    assert "contains a NUL character" in text
    assert "\0" not in text, "the message shows the NUL escaped"
    assert "missing dependency" not in text
    assert loader.loaded == {}


def test_control_the_platform_call_itself_raises_a_bare_value_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="null") as caught:
        ctypes.CDLL(f"{tmp_path}{os.sep}libnul\0.so.1")
    assert not isinstance(caught.value, OSError), "what the loader must not let through"


def test_a_directory_is_called_a_directory(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    folder.mkdir()
    loader = slm.LibraryLoader({"libdir": _everywhere(folder)})

    with pytest.raises(slm.LibraryLoadError) as caught:
        loader.load()

    error = caught.value
    assert (error.library, error.reason, error.missing_file) == ("libdir", "directory", False)
    text = str(error)
    assert f"file: {folder} is a directory, not a library file" in text
    assert "must name the library file inside it" in text
    assert "missing dependency" not in text and "wrong architecture" not in text
    assert error.platform_message, "the platform's own words are kept"


@LINUX_ONLY
def test_control_a_real_library_the_loader_rejects_keeps_the_dependency_advice(
    tmp_path: Path,
) -> None:
    """The same check on a file (an ELF whose own dependency is missing) is no directory."""
    dep = build_dep(
        tmp_path / "gone", "gone", file_name="libedgegone.so.1", soname="libedgegone.so.1"
    )
    user = build_user(tmp_path / "lib", dep, file_name="libedgeuser.so")

    with pytest.raises(slm.LibraryLoadError) as caught:
        slm.LibraryLoader({"libedgeuser": _everywhere(user)}).load()

    assert caught.value.reason == "rejected"
    assert "usually a missing dependency" in str(caught.value)


LOAD_PREFERRING_SYSTEM = """
from shared_lib_manager import LibraryLoader, PlatformLibrary
wheel, first = sys.argv[1], sys.argv[2]
if first == "another-loader":  # another producer (or a vendored copy) declared the same file
    LibraryLoader({"libdep_elsewhere": PlatformLibrary(Linux=wheel)}).load()
elif first == "ctypes":
    ctypes.CDLL(wheel, mode=os.RTLD_LOCAL)
record = LibraryLoader({"libdep": PlatformLibrary(Linux=wheel)}).load()["libdep"]
record.handle.dep_identity.restype = ctypes.c_char_p
emit(source=record.source, path=record.path, identity=record.handle.dep_identity().decode(),
     copies=mapped("libdep"))
"""


@LINUX_ONLY
@pytest.mark.parametrize(
    ("first", "system_copy", "expected"),
    [
        # The search for libdep.so.1 is answered by the wheel's file, already loaded.
        ("another-loader", False, ("wheel-fallback", "wheel")),
        ("ctypes", False, ("wheel-fallback", "wheel")),
        # glibc answers from the loaded SONAME before it searches: the system copy on
        # LD_LIBRARY_PATH is never opened, so the record must not claim it.
        ("another-loader", True, ("wheel-fallback", "wheel")),
        # Controls: nothing loaded before, the search finds the system copy or nothing.
        ("nothing", True, ("system", "system")),
        ("nothing", False, ("wheel-fallback", "wheel")),
    ],
)
def test_prefer_system_source_is_what_dlopen_returned(
    tmp_path: Path, first: str, system_copy: bool, expected: tuple[str, str]
) -> None:
    wheel = build_dep(tmp_path / "site" / "libdep" / "lib", "wheel")
    system = build_dep(tmp_path / "system" / "lib", "system")
    extra = {"PREFER_LIBDEP_SYSTEM_LIBRARY": "1"}
    if system_copy:
        extra["LD_LIBRARY_PATH"] = str(system.parent)
    argv = [str(wheel), first]

    seen = evidence(
        run_python(f"sys.argv[1:] = {argv!r}" + LOAD_PREFERRING_SYSTEM, env=clean_env(**extra))
    )

    source, identity = expected
    chosen = system if identity == "system" else wheel
    assert (seen["source"], seen["identity"]) == (source, identity)
    assert seen["path"] == str(chosen)
    assert seen["copies"] == [str(chosen)], "one copy, the one the record names"
