"""The producers' CMake projects, cross-built for Windows and macOS, install what their loaders say.

Only Linux runs here, and CI's macOS/Windows builds must be right the first time, so
libfoo, libbar and libclasha are configured, built and installed in the wheel layout
(``SKBUILD=ON``, as scikit-build-core does) with mingw-w64 and with clang + ld64.lld
(toolchain files in ``tests/builder/toolchains/``), and the binaries are read with the
same ``harness.inspect`` readers ``harness lint`` uses:

- Windows: ``foo.dll`` (not MinGW's default ``libfoo.dll``) exporting only the API,
  its import library next to it and named by the exported CMake target, ``bar.dll``
  importing ``foo.dll``;
- macOS: ``libfoo.1.dylib`` with install id ``@rpath/libfoo.1.dylib`` and no namelink,
  ``libbar.1.dylib`` depending on exactly that and carrying no LC_RPATH after install;
- each producer's ``__init__`` names, for that OS, the file CMake installed.

The consumer extensions (pyfoo...) need a target Python's headers and, on Windows, its
import library, which do not exist here; their link and suffix rules are checked by the
real builds in CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pefile
import pytest

from harness import project
from harness.inspect import BinaryInfo
from harness.inspect import macho as macho_reader
from harness.inspect import pe as pe_reader

pytestmark = pytest.mark.slow

TOOLCHAINS = Path(__file__).resolve().parent / "toolchains"
WHEELS_SRC = project.wheels_src(Path(__file__).parent)
INSTALL_NAME_TOOLS = [
    "install_name_tool",
    "llvm-install-name-tool",
    *(f"llvm-install-name-tool-{v}" for v in range(22, 13, -1)),  # as the toolchain file
]


def _missing(tools: list[str]) -> str | None:
    for tool in tools:
        if shutil.which(tool) is None:
            return tool
    return None


def windows_unavailable() -> str | None:
    tool = _missing(["cmake", "x86_64-w64-mingw32-gcc"])
    return f"{tool} not found (Debian: cmake, gcc-mingw-w64-x86-64)" if tool else None


def _clang_finds(program: str) -> bool:
    """Whether clang's ``-fuse-ld`` can run ``program`` (it also looks beside itself)."""
    out = subprocess.run(
        ["clang", f"-print-prog-name={program}"], capture_output=True, text=True, check=False
    )
    found = out.stdout.strip()
    return bool(found) and (Path(found).is_file() or shutil.which(found) is not None)


def macos_unavailable() -> str | None:
    tool = _missing(["cmake", "clang"])
    if tool:
        return f"{tool} not found (Debian: cmake, clang, lld)"
    if not _clang_finds("ld64.lld"):
        return "ld64.lld not found by clang (Debian: lld)"
    if not any(shutil.which(name) for name in INSTALL_NAME_TOOLS):
        return "no install_name_tool / llvm-install-name-tool-N found (Debian: llvm)"
    return None


@dataclass
class CrossBuild:
    """Configure, build and install wheels-src projects with one toolchain file."""

    toolchain: Path
    root: Path
    env: dict[str, str]

    def run(self, command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command, cwd=cwd, env=self.env, capture_output=True, text=True, check=False
        )

    def configure(self, name: str, source: Path, defines: dict[str, str]) -> Path:
        build = self.root / "build" / name
        command = [
            "cmake",
            "-S",
            str(source),
            "-B",
            str(build),
            f"-DCMAKE_TOOLCHAIN_FILE={self.toolchain}",
            "-DCMAKE_BUILD_TYPE=Release",
            "-DSKBUILD=ON",
            *(f"-D{key}={value}" for key, value in sorted(defines.items())),
        ]
        result = self.run(command, self.root)
        if result.returncode != 0:
            raise RuntimeError(f"configuring {name} failed:\n{result.stdout}\n{result.stderr}")
        return build

    def install(self, name: str, source: Path, defines: dict[str, str]) -> Path:
        """``source`` installed into ``<root>/<name>`` in the wheel layout; the prefix."""
        build = self.configure(name, source, defines)
        prefix = self.root / name
        for step in (
            ["cmake", "--build", str(build)],
            ["cmake", "--install", str(build), "--prefix", str(prefix)],
        ):
            result = self.run(step, self.root)
            if result.returncode != 0:
                raise RuntimeError(f"{' '.join(step)} failed:\n{result.stdout}\n{result.stderr}")
        return prefix


@dataclass
class Producers:
    """libfoo, libbar (built against the installed libfoo) and libclasha of one target OS."""

    build: CrossBuild
    libfoo: Path
    libbar: Path
    libclasha: Path


def _build_producers(build: CrossBuild) -> Producers:
    libfoo = build.install("libfoo", WHEELS_SRC / "libfoo", {})
    libbar = build.install(
        "libbar",
        WHEELS_SRC / "libbar",
        {"libfoo_DIR": str(libfoo / "libfoo" / "lib" / "cmake" / "libfoo")},
    )
    libclasha = build.install("libclasha", WHEELS_SRC / "libclash", {"CLASH_NAME": "a"})
    return Producers(build, libfoo, libbar, libclasha)


@pytest.fixture(scope="module")
def windows(tmp_path_factory: pytest.TempPathFactory) -> Producers:
    reason = windows_unavailable()
    if reason:
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("cross-windows")
    return _build_producers(CrossBuild(TOOLCHAINS / "windows-x86_64.cmake", root, dict(os.environ)))


@pytest.fixture(scope="module")
def macos(tmp_path_factory: pytest.TempPathFactory) -> Producers:
    reason = macos_unavailable()
    if reason:
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("cross-macos")
    # CMake's Darwin platform files read the OS version from `sw_vers` (a Mac host's tool).
    fake_bin = root / "bin"
    fake_bin.mkdir()
    sw_vers = fake_bin / "sw_vers"
    sw_vers.write_text("#!/bin/sh\necho 11.0\n")
    sw_vers.chmod(0o755)
    env = dict(os.environ, PATH=f"{fake_bin}{os.pathsep}{os.environ.get('PATH', '')}")
    return _build_producers(CrossBuild(TOOLCHAINS / "macos-x86_64.cmake", root, env))


def read_pe(path: Path) -> BinaryInfo:
    return pe_reader.read(path.name, path.read_bytes())


def read_macho(path: Path) -> BinaryInfo:
    return macho_reader.read(path.name, path.read_bytes())


def exported_names(dll: Path) -> set[str]:
    image = pefile.PE(str(dll), fast_load=True)
    try:
        image.parse_data_directories(
            directories=[pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_EXPORT"]]
        )
        exports = getattr(image, "DIRECTORY_ENTRY_EXPORT", None)
        symbols = exports.symbols if exports is not None else []
        return {symbol.name.decode() for symbol in symbols if symbol.name}
    finally:
        image.close()


def files_under(directory: Path) -> list[str]:
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file())


# -- what each producer's __init__ tells the loader ------------------------------------


@pytest.fixture
def declared_paths(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path, str], dict[str, str]]:
    """``declared(package_dir, system)``: library name -> path the package's loader would
    load on ``system`` (``"Windows"``, ``"Darwin"``), read by running the installed
    ``__init__.py`` against stand-ins of the loader packages that record the arguments."""

    def declared(package_dir: Path, system: str) -> dict[str, str]:
        recorded: dict[str, str] = {}
        manager = types.ModuleType("shared_lib_manager")

        class PlatformLibrary:
            def __init__(self, **paths: str) -> None:
                self.paths = paths

        class LibraryLoader:
            def __init__(self, libraries: dict[str, PlatformLibrary]) -> None:
                for name, library in libraries.items():
                    recorded[name] = str(library.paths[system])

        manager.PlatformLibrary = PlatformLibrary  # type: ignore[attr-defined]
        manager.LibraryLoader = LibraryLoader  # type: ignore[attr-defined]
        consumer = types.ModuleType("shared_lib_consumer")
        consumer.load_library_module = lambda *args, **kwargs: None  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "shared_lib_manager", manager)
        monkeypatch.setitem(sys.modules, "shared_lib_consumer", consumer)
        init = package_dir / "__init__.py"
        code = compile(init.read_text(encoding="utf-8"), str(init), "exec")
        exec(code, {"__file__": str(init), "__name__": package_dir.name})
        return recorded

    return declared


# -- Windows ----------------------------------------------------------------------------


def test_windows_libfoo_is_foo_dll_with_only_the_api_exported(windows: Producers) -> None:
    lib = windows.libfoo / "libfoo" / "lib"
    dll = lib / "foo.dll"
    assert dll.is_file(), files_under(windows.libfoo)
    assert not (lib / "libfoo.dll").exists()
    (arch_slice,) = read_pe(dll).slices
    assert arch_slice.own_name == "foo.dll"  # what importers record and the loader keys on
    assert arch_slice.is_library
    assert exported_names(dll) == {"foo_identity", "foo_answer"}


def test_windows_import_library_ships_with_the_cmake_package(windows: Producers) -> None:
    lib = windows.libfoo / "libfoo" / "lib"
    implibs = sorted(p.name for p in lib.iterdir() if p.name.endswith((".lib", ".dll.a")))
    assert len(implibs) == 1, files_under(windows.libfoo)
    targets = (lib / "cmake" / "libfoo" / "libfooTargets-release.cmake").read_text()
    assert f'IMPORTED_IMPLIB_RELEASE "${{_IMPORT_PREFIX}}/libfoo/lib/{implibs[0]}"' in targets
    assert 'IMPORTED_LOCATION_RELEASE "${_IMPORT_PREFIX}/libfoo/lib/foo.dll"' in targets


def test_windows_libbar_imports_foo_dll(windows: Producers) -> None:
    bar = windows.libbar / "libbar" / "lib" / "bar.dll"
    (arch_slice,) = read_pe(bar).slices
    assert arch_slice.own_name == "bar.dll"
    assert "foo.dll" in [d.name for d in arch_slice.dependencies if d.kind == "import"]
    assert exported_names(bar) == {"bar_identity", "bar_foo_identity"}


def test_windows_clash_producer_is_clasha_dll(windows: Producers) -> None:
    dll = windows.libclasha / "libclasha" / "lib" / "clasha.dll"
    assert read_pe(dll).slices[0].own_name == "clasha.dll", files_under(windows.libclasha)
    assert exported_names(dll) == {"clash_value", "clasha_identity"}


@pytest.mark.parametrize(
    ("package", "library", "file"),
    [
        ("libfoo", "libfoo", "libfoo/lib/foo.dll"),
        ("libbar", "libbar", "libbar/lib/bar.dll"),
        ("libclasha", "libclasha", "libclasha/lib/clasha.dll"),
    ],
)
def test_windows_loaders_name_the_installed_dlls(
    windows: Producers,
    declared_paths: Callable[[Path, str], dict[str, str]],
    package: str,
    library: str,
    file: str,
) -> None:
    prefix: Path = getattr(windows, package)
    declared = declared_paths(prefix / package, "Windows")
    assert Path(declared[library]).resolve() == (prefix / file).resolve()
    assert (prefix / file).is_file()


def test_negative_control_mingw_names_the_dll_libfoo_without_the_prefix_override(
    windows: Producers, tmp_path: Path
) -> None:
    """Without ``PREFIX ""`` MinGW names the library libfoo.dll, which no loader path,
    repair exclude or import entry of this project asks for: the checks above can fail."""
    source = tmp_path / "libfoo"
    shutil.copytree(WHEELS_SRC / "libfoo", source)
    cmakelists = source / "CMakeLists.txt"
    text = cmakelists.read_text()
    assert 'PREFIX ""' in text
    cmakelists.write_text(text.replace('PREFIX ""', "PREFIX lib"))
    prefix = CrossBuild(windows.build.toolchain, tmp_path, windows.build.env).install(
        "libfoo", source, {}
    )
    assert (prefix / "libfoo" / "lib" / "libfoo.dll").is_file()
    assert not (prefix / "libfoo" / "lib" / "foo.dll").exists()


def test_windows_refuses_the_no_soname_variant(windows: Producers, tmp_path: Path) -> None:
    """The catalogue builds libfoo-nosoname on Linux only because CMake stops here."""
    build = CrossBuild(windows.build.toolchain, tmp_path, windows.build.env)
    with pytest.raises(RuntimeError, match="ELF negative control"):
        build.configure("nosoname", WHEELS_SRC / "libfoo", {"LIBFOO_SONAME": "OFF"})


# -- macOS ------------------------------------------------------------------------------


def test_macos_libfoo_is_libfoo_1_dylib_with_an_rpath_install_name(macos: Producers) -> None:
    lib = macos.libfoo / "libfoo" / "lib"
    dylibs = sorted(p.name for p in lib.iterdir() if p.name.endswith(".dylib"))
    assert dylibs == ["libfoo.1.dylib"]  # SOVERSION 1, no namelink inside a wheel
    (arch_slice,) = read_macho(lib / "libfoo.1.dylib").slices
    assert arch_slice.own_name == "@rpath/libfoo.1.dylib"
    assert arch_slice.is_library
    assert arch_slice.rpaths == ()


def test_macos_libbar_depends_on_the_install_name_and_has_no_rpath(macos: Producers) -> None:
    installed = macos.libbar / "libbar" / "lib" / "libbar.1.dylib"
    (arch_slice,) = read_macho(installed).slices
    assert arch_slice.own_name == "@rpath/libbar.1.dylib"
    assert "@rpath/libfoo.1.dylib" in [d.name for d in arch_slice.dependencies]
    assert arch_slice.rpaths == ()
    # Negative control: the build tree's copy points at the build machine's libfoo; only
    # install (INSTALL_RPATH "") removes it, so the check above sees what install did.
    built = macos.build.root / "build" / "libbar" / "libbar.1.dylib"
    (built_slice,) = read_macho(built).slices
    assert [r.value for r in built_slice.rpaths] == [str(macos.libfoo / "libfoo" / "lib")]


def test_macos_clash_producer(macos: Producers) -> None:
    (arch_slice,) = read_macho(macos.libclasha / "libclasha" / "lib" / "libclasha.1.dylib").slices
    assert arch_slice.own_name == "@rpath/libclasha.1.dylib"


@pytest.mark.parametrize(
    ("package", "library", "file"),
    [
        ("libfoo", "libfoo", "libfoo/lib/libfoo.1.dylib"),
        ("libbar", "libbar", "libbar/lib/libbar.1.dylib"),
        ("libclasha", "libclasha", "libclasha/lib/libclasha.1.dylib"),
    ],
)
def test_macos_loaders_name_the_installed_dylibs(
    macos: Producers,
    declared_paths: Callable[[Path, str], dict[str, str]],
    package: str,
    library: str,
    file: str,
) -> None:
    prefix: Path = getattr(macos, package)
    declared = declared_paths(prefix / package, "Darwin")
    assert Path(declared[library]).resolve() == (prefix / file).resolve()
    assert (prefix / file).is_file()


def test_macos_refuses_the_no_soname_variant(macos: Producers, tmp_path: Path) -> None:
    build = CrossBuild(macos.build.toolchain, tmp_path, macos.build.env)
    with pytest.raises(RuntimeError, match="ELF negative control"):
        build.configure("nosoname", WHEELS_SRC / "libfoo", {"LIBFOO_SONAME": "OFF"})
