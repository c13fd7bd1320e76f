"""The probe's per-OS reader logic, tested on any OS without pretending to be evidence.

The macOS and Windows readers are thin ctypes shells around pure functions that
take their data source as an argument (``dyld_images``, ``darwin_loaded``,
``enumerate_modules``, ``module_file_name``, ``windows_loaded``). Here those
functions get scripted sources; Mach-O headers come from real dylibs built with
clang + ld64.lld. What the loaders of those systems do is only proven in CI on them.
"""

from __future__ import annotations

import py_compile
import shutil
import subprocess
from pathlib import Path

import pytest

from harness import interpreters
from harness.probe import readers as probe
from harness.scenarios.probing import PROBE_SCRIPT, installed_probe

SUPPORTED = ("3.9", "3.10", "3.11", "3.12", "3.13", "3.14")


def fake_realpath(links: dict[str, str]):
    return lambda path: links.get(path, path)


# --- common ---------------------------------------------------------------------


def test_unique_real_paths_resolves_dedups_and_keeps_first_seen_order():
    links = {"/v/libfoo.so": "/r/libfoo.so.1", "/v/libbar.so": "/r/libbar.so.1"}
    names = ["/v/libfoo.so", "", "/r/libfoo.so.1", "/v/libbar.so", "/r/libfoo.so.1", None]

    assert probe.unique_real_paths(names, fake_realpath(links)) == [
        "/r/libfoo.so.1",
        "/r/libbar.so.1",
    ]


def test_parse_maps_line_keeps_file_mappings_only():
    line = "7f1c2a000000-7f1c2a001000 r-xp 00001000 fe:00 1532070    /tmp/a b/libfoo.so.1\n"

    assert probe.parse_maps_line(line) == (
        0x7F1C2A000000,
        0x7F1C2A001000,
        1532070,
        "/tmp/a b/libfoo.so.1",
    )
    deleted = "7f00-7f10 r--p 0 fe:00 9 /tmp/libgone.so (deleted)\n"
    assert probe.parse_maps_line(deleted)[3] == "/tmp/libgone.so"
    assert probe.parse_maps_line("7ffd-7ffe rw-p 0 00:00 0    [stack]\n") is None
    assert probe.parse_maps_line("7ffd-7ffe rw-p 0 00:00 0\n") is None


# --- macOS ------------------------------------------------------------------------


def test_dyld_images_skips_slots_emptied_while_iterating():
    names = {0: b"/usr/bin/python3", 1: None, 2: b"/opt/lib/libfoo.1.dylib"}
    headers = {0: 0x1000, 1: 0, 2: 0x3000}

    images = probe.dyld_images(lambda: 3, names.get, headers.get)

    assert images == [("/usr/bin/python3", 0x1000), ("/opt/lib/libfoo.1.dylib", 0x3000)]


@pytest.fixture(scope="module")
def macho_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A dylib with an install name, a bundle (extension module) and an executable."""
    clang = shutil.which("clang")
    if clang is None:
        pytest.skip("clang (with lld's ld64.lld) is needed to build Mach-O test files")
    directory = tmp_path_factory.mktemp("macho")
    source = directory / "foo.c"
    source.write_text('const char *foo_identity(void) { return "foo"; }\n', encoding="utf-8")
    target = ["-target", "arm64-apple-macos11", "-fuse-ld=lld", "-nostdlib"]
    builds = {
        "dylib": ["-shared", "-Wl,-install_name,@rpath/libfoo.1.dylib"],
        "bundle": ["-bundle"],
        "executable": ["-Wl,-e,_foo_identity"],
    }
    files = {}
    for kind, flags in builds.items():
        out = directory / kind
        result = subprocess.run(
            [clang, *target, *flags, "-o", str(out), str(source)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            pytest.skip(f"clang/ld64.lld could not link a Mach-O {kind}: {result.stderr[-500:]}")
        files[kind] = out
    return files


def _file_reader(path: Path):
    data = path.read_bytes()
    return lambda offset, size: data[offset : offset + size]


def test_macho_image_info_reads_the_install_name(macho_files):
    assert probe.macho_image_info(_file_reader(macho_files["dylib"])) == (
        6,  # MH_DYLIB
        "@rpath/libfoo.1.dylib",
    )
    assert probe.macho_image_info(_file_reader(macho_files["bundle"])) == (8, None)
    assert probe.macho_image_info(_file_reader(macho_files["executable"])) == (
        probe.MH_EXECUTE,
        None,
    )


def test_macho_image_info_rejects_other_files(tmp_path):
    elf = tmp_path / "x"
    elf.write_bytes(b"\x7fELF" + bytes(60))

    with pytest.raises(ValueError, match="not a thin"):
        probe.macho_image_info(_file_reader(elf))


def test_darwin_loaded_drops_the_executable_and_dedups_by_real_path(macho_files):
    headers = {1: macho_files["executable"], 2: macho_files["dylib"], 3: macho_files["bundle"]}
    images = [
        ("/usr/bin/python3", 1),
        ("/site/libfoo/lib/libfoo.1.dylib", 2),
        ("/site/pyfoo/_pyfoo.so", 3),
        ("/site/libfoo/lib/libfoo.dylib", 2),  # same image through a symlink
    ]
    links = {"/site/libfoo/lib/libfoo.dylib": "/site/libfoo/lib/libfoo.1.dylib"}

    loaded = probe.darwin_loaded(
        images, lambda header: _file_reader(headers[header]), fake_realpath(links)
    )

    assert loaded == [
        {"path": "/site/libfoo/lib/libfoo.1.dylib", "install_name": "@rpath/libfoo.1.dylib"},
        {"path": "/site/pyfoo/_pyfoo.so", "install_name": None},
    ]


# --- Windows ----------------------------------------------------------------------


def test_enumerate_modules_retries_when_the_list_grew():
    modules = list(range(1, 301))
    calls = []

    def enum(capacity):
        calls.append(capacity)
        return modules[:capacity], len(modules)  # copies what fits, reports what exists

    assert probe.enumerate_modules(enum) == modules
    assert calls[0] < len(modules) <= calls[1]


def test_enumerate_modules_gives_up_when_it_never_fits():
    with pytest.raises(RuntimeError, match="EnumProcessModules"):
        probe.enumerate_modules(lambda capacity: ([], capacity + 1))


def test_module_file_name_grows_the_buffer_for_long_paths():
    long_path = "C:\\" + "\\".join(["d" * 50] * 8) + "\\foo.dll"
    sizes = []

    def get(handle, size):
        sizes.append(size)
        text = long_path[:size]
        return text, min(len(long_path), size)  # a full buffer means truncated

    assert probe.module_file_name(get, 1) == long_path
    assert sizes[0] < len(long_path) < sizes[-1]


def test_module_file_name_strips_long_path_prefixes():
    for raw, expected in [
        ("\\\\?\\C:\\env\\foo.dll", "C:\\env\\foo.dll"),
        ("\\\\?\\UNC\\server\\share\\foo.dll", "\\\\server\\share\\foo.dll"),
        ("C:\\env\\foo.dll", "C:\\env\\foo.dll"),
    ]:
        assert probe.module_file_name(lambda h, s, raw=raw: (raw, len(raw)), 1) == expected


def test_module_file_name_of_a_vanished_module_is_none():
    assert probe.module_file_name(lambda handle, size: ("", 0), 7) is None


def test_windows_loaded_drops_the_executable_and_null_handles():
    paths = {
        10: "C:\\py\\python.exe",
        11: "C:\\Windows\\System32\\KERNEL32.DLL",
        12: "C:\\s\\foo.dll",
    }

    loaded = probe.windows_loaded([10, 0, 11, 12, 12], 10, paths.get, lambda p: p)

    assert loaded == [{"path": "C:\\Windows\\System32\\KERNEL32.DLL"}, {"path": "C:\\s\\foo.dll"}]


def test_windows_reader_explains_the_missing_global_namespace():
    assert "no global symbol namespace" in probe.WindowsReader.global_note
    assert probe.WindowsReader.global_address(object(), "foo_identity") is None


# --- the script itself -----------------------------------------------------------


def _available() -> list[interpreters.Interpreter]:
    found = []
    for version in SUPPORTED:
        try:
            found.append(interpreters.find(version))
        except interpreters.InterpreterNotFoundError:
            continue
    return found


def test_probe_compiles_and_imports_on_every_available_interpreter(tmp_path):
    found = _available()
    if not found:
        pytest.skip(f"no CPython among {', '.join(SUPPORTED)} found")
    for source in sorted(PROBE_SCRIPT.glob("*.py")):
        py_compile.compile(str(source), cfile=str(tmp_path / "probe.pyc"), doraise=True)
    check = (
        "import sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "import harness_probe as m\n"
        "assert callable(m.main) and m.SCHEMA == 1\n"
        "for name in ('LinuxReader', 'DarwinReader', 'WindowsReader'):\n"
        "    assert isinstance(getattr(m.readers, name), type)\n"
    )
    home = installed_probe(tmp_path / "home")
    for interpreter in found:
        result = subprocess.run(
            [str(interpreter.executable), "-W", "error", "-c", check, str(home)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"{interpreter.version}: {result.stderr}"


def test_probe_imports_only_the_standard_library():
    """The probe runs where the harness is not installed."""
    import ast

    sources = sorted(PROBE_SCRIPT.glob("*.py"))
    assert {path.name for path in sources} >= {"__init__.py", "__main__.py", "readers.py"}
    imported = set()
    for tree in (ast.parse(path.read_text(encoding="utf-8")) for path in sources):
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module.split(".")[0])
    stdlib = {
        "__future__",
        "_json",  # json's C accelerator (jsontext), in the standard library of every CPython
        "ctypes",
        "faulthandler",
        "importlib",
        "json",
        "os",
        "platform",
        "struct",
        "sys",
        "traceback",
    }
    assert imported <= stdlib, imported - stdlib
