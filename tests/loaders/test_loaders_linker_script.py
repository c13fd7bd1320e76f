"""Failure mode 9: a producer declares its unversioned ``libfoo.so``, a GNU ld linker script.

Distributions ship ``libc.so`` and others as a text script the static linker follows to
the real library; ``dlopen`` only sees an "invalid ELF header". The loader must say what
the file is and name the file to declare instead (the one named by the SONAME). Evidence
comes from a real gcc-built library, a real script that ``ld`` follows, and fresh
interpreters that report what is mapped.
"""

from __future__ import annotations

import pickle
import subprocess
from pathlib import Path

import pytest
import shared_lib_manager as slm
import shared_lib_manager_diagnostics as diagnostics
from loader_testlib import (
    LINUX_ONLY,
    USER_SOURCE,
    build_dep,
    c_compiler,
    evidence,
    run_python,
)

SCRIPT = "/* GNU ld script: the real library is libdep.so.1 */\nINPUT(libdep.so.1)\n"

LOAD = """
from shared_lib_manager import LibraryLoader, LibraryLoadError, PlatformLibrary
declared, user = sys.argv[1], sys.argv[2]
loader = LibraryLoader({"libdep": PlatformLibrary(Linux=declared)})
try:
    loader.load()
    error = None
    value = ctypes.CDLL(user).user_value()
except LibraryLoadError as exc:
    error = {"message": str(exc), "not_a_library": exc.not_a_library,
             "script_inputs": list(exc.script_inputs), "missing_file": exc.missing_file}
    value = None
emit(error=error, value=value, dep_copies=mapped("libdep"))
"""


def _producer_with_script(tmp_path: Path) -> tuple[Path, Path, Path]:
    """``(libdep.so.1, libdep.so script, libuser.so)``; the user is linked *through* the script."""
    lib_dir = tmp_path / "wheel" / "lib"
    real = build_dep(lib_dir, "wheel")
    script = lib_dir / "libdep.so"
    script.write_text(SCRIPT, encoding="utf-8")
    source = tmp_path / "user.c"
    source.write_text(USER_SOURCE, encoding="utf-8")
    user = tmp_path / "consumer" / "libuser.so"
    user.parent.mkdir()
    command = [c_compiler(), "-shared", "-fPIC", "-o", str(user), str(source)]
    subprocess.run([*command, f"-L{lib_dir}", "-ldep"], check=True, capture_output=True)
    return real, script, user


def _needed(binary: Path) -> list[str]:
    from elftools.elf.dynamic import DynamicSection
    from elftools.elf.elffile import ELFFile

    with binary.open("rb") as stream:
        elf = ELFFile(stream)
        dynamic = next(s for s in elf.iter_sections() if isinstance(s, DynamicSection))
        return [tag.needed for tag in dynamic.iter_tags() if tag.entry.d_tag == "DT_NEEDED"]


def _load(declared: Path, user: Path) -> dict[str, object]:
    code = "sys.argv[1:] = " + repr([str(declared), str(user)]) + LOAD
    return evidence(run_python(code))


@LINUX_ONLY
def test_the_script_is_a_real_linker_script(tmp_path: Path) -> None:
    """ld followed it: the consumer linked with -ldep records the SONAME file."""
    pytest.importorskip("elftools", reason="needs pyelftools to read DT_NEEDED")
    _, _, user = _producer_with_script(tmp_path)
    assert "libdep.so.1" in _needed(user)


@LINUX_ONLY
def test_declaring_the_linker_script_says_what_it_is_and_names_the_real_file(
    tmp_path: Path,
) -> None:
    real, script, user = _producer_with_script(tmp_path)
    seen = _load(script, user)
    error = seen["error"]
    assert isinstance(error, dict), seen
    assert error["not_a_library"] == "a GNU ld linker script"
    assert error["script_inputs"] == [str(real)]
    assert error["missing_file"] is False
    message = error["message"]
    assert f"{script}: invalid ELF header" in message, "the platform's own message is kept"
    assert f"file: {script} is a GNU ld linker script, naming {real}" in message
    assert "not the shared library consumers need" in message
    assert f"the file named by the SONAME ({real})" in message
    assert "missing dependency" not in message, "not the advice for a rejected real library"
    assert seen["dep_copies"] == [], "nothing of libdep was mapped"


@LINUX_ONLY
def test_control_declaring_the_soname_file_loads_and_satisfies_the_consumer(
    tmp_path: Path,
) -> None:
    real, _, user = _producer_with_script(tmp_path)
    seen = _load(real, user)
    assert seen["error"] is None
    assert seen["value"] == 42
    assert seen["dep_copies"] == [str(real)]


@LINUX_ONLY
def test_the_diagnostics_module_is_imported_only_after_a_failure(tmp_path: Path) -> None:
    """The hot path never reads magic bytes: a successful load leaves the module unimported."""
    real, script, user = _producer_with_script(tmp_path)
    check = "\nemit(diagnostics_imported='shared_lib_manager_diagnostics' in sys.modules)\n"
    ok = evidence(run_python("sys.argv[1:] = " + repr([str(real), str(user)]) + LOAD + check))
    failed = evidence(run_python("sys.argv[1:] = " + repr([str(script), str(user)]) + LOAD + check))
    assert ok["diagnostics_imported"] is False
    assert failed["diagnostics_imported"] is True, "control: a failed load imports it"


@LINUX_ONLY
def test_a_real_library_the_loader_rejects_keeps_the_dependency_advice(tmp_path: Path) -> None:
    """An ELF file that fails (its own DT_NEEDED is missing) is not called a text file."""
    dep = build_dep(tmp_path / "elsewhere", "gone")
    _, _, user = _producer_with_script(tmp_path)
    broken_user = tmp_path / "consumer2" / "libuser2.so"
    broken_user.parent.mkdir()
    source = tmp_path / "user2.c"
    source.write_text(USER_SOURCE, encoding="utf-8")
    command = [c_compiler(), "-shared", "-fPIC", "-o", str(broken_user), str(source)]
    subprocess.run([*command, f"-L{dep.parent}", f"-l:{dep.name}"], check=True, capture_output=True)
    seen = _load(broken_user, user)
    error = seen["error"]
    assert isinstance(error, dict), seen
    assert error["not_a_library"] is None
    assert "libdep.so.1: cannot open shared object file" in error["message"]
    assert "usually a missing dependency" in error["message"]


@pytest.mark.parametrize(
    ("content", "kind", "inputs"),
    [
        (b"INPUT(libfoo.so.1)\n", "a GNU ld linker script", ("libfoo.so.1",)),
        (
            b"/* GNU ld script\n   Use the shared library. */\nOUTPUT_FORMAT(elf64-x86-64)\n"
            b"GROUP ( /lib/libz.so.9 /usr/lib/libz_extra.a AS_NEEDED ( /lib/libq.so.3 ) )\n",
            "a GNU ld linker script",
            ("/lib/libz.so.9", "/lib/libq.so.3"),
        ),
        (b"INPUT(-lbar)\n", "a GNU ld linker script", ("libbar.so",)),
        (b"version https://git-lfs.github.com/spec/v1\n", "a text file", ()),
        (b"", "an empty file", ()),
        (b"\x00\x01\x02\xff\xfe garbage", "not an ELF, Mach-O or PE file", ()),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 60, None, ()),
        (b"MZ\x90\x00" + b"\x00" * 60, None, ()),
        (b"\xcf\xfa\xed\xfe" + b"\x00" * 60, None, ()),
        (b"\xca\xfe\xba\xbe" + b"\x00" * 60, None, ()),
    ],
    ids=[
        "input",
        "group-as-needed",
        "dash-l",
        "lfs-pointer",
        "empty",
        "binary",
        "elf",
        "pe",
        "macho",
        "fat",
    ],
)
def test_file_kinds(
    tmp_path: Path, content: bytes, kind: str | None, inputs: tuple[str, ...]
) -> None:
    path = tmp_path / "libfoo.so"
    path.write_bytes(content)
    assert diagnostics._not_a_library(str(path)) == (kind, inputs)


def test_script_inputs_found_beside_the_script_are_named_by_their_path(tmp_path: Path) -> None:
    (tmp_path / "libfoo.so.1").write_bytes(b"\x7fELF")
    script = tmp_path / "libfoo.so"
    script.write_text("INPUT(/usr/lib/libfoo.so.1 libother.so.2)\n", encoding="utf-8")
    assert diagnostics._not_a_library(str(script)) == (
        "a GNU ld linker script",
        (str(tmp_path / "libfoo.so.1"), "libother.so.2"),
    )


def test_the_error_keeps_its_fields_through_pickle() -> None:
    error = slm.LibraryLoadError(
        "libfoo",
        (("wheel path /w/libfoo.so", "/w/libfoo.so: invalid ELF header"),),
        False,
        "PREFER_LIBFOO_SYSTEM_LIBRARY",
        False,
        "a GNU ld linker script",
        ("/w/libfoo.so.1",),
        "libfoo==1.0",
    )
    restored = pickle.loads(pickle.dumps(error))
    assert (restored.not_a_library, restored.script_inputs, restored.owner) == (
        "a GNU ld linker script",
        ("/w/libfoo.so.1",),
        "libfoo==1.0",
    )
    assert str(restored) == str(error)
    assert "file: /w/libfoo.so is a GNU ld linker script, naming /w/libfoo.so.1" in str(error)
