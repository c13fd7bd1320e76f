"""Constants, the native-binary builder and the reading helpers shared by the inspect tests
and their fixtures.

Kept out of conftest.py so test modules import it by a name unique in the suite.
"""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterable
from pathlib import Path

from harness.inspect import BinaryInfo, Finding
from harness.inspect.readers import detect, read

FORMATS = ("elf", "macho", "pe")
PLATFORM_TAGS = {
    "elf": "manylinux_2_17_x86_64",
    "macho": "macosx_11_0_x86_64",
    "pe": "win_amd64",
}

FOO_C = 'const char *foo_identity(void) { return "libfoo 1.0 wheel"; }\n'
FOO_C_PE = '__declspec(dllexport) const char *foo_identity(void) { return "libfoo 1.0 wheel"; }\n'
USE_C = (
    "const char *foo_identity(void);\nconst char *pyfoo_identity(void) { return foo_identity(); }\n"
)
USE_C_PE = (
    "__declspec(dllimport) const char *foo_identity(void);\n"
    "__declspec(dllexport) const char *pyfoo_identity(void) { return foo_identity(); }\n"
)
STANDALONE_C_PE = '__declspec(dllexport) const char *pyfoo_identity(void) { return "none"; }\n'

LIBSYSTEM_TBD = """--- !tapi-tbd
tbd-version: 4
targets: [ x86_64-macos, arm64-macos ]
install-name: '/usr/lib/libSystem.B.dylib'
current-version: 1311
exports:
  - targets: [ x86_64-macos, arm64-macos ]
    symbols: [ dyld_stub_binder ]
...
"""

LOADER_INIT = (
    "import os\n"
    "from shared_lib_manager import LibraryLoader, PlatformLibrary\n"
    "_LIB = os.path.join(os.path.dirname(__file__), 'lib')\n"
    "loader = LibraryLoader({'foo': PlatformLibrary(\n"
    "    Linux=os.path.join(_LIB, 'libfoo.so.1'),\n"
    "    Darwin=os.path.join(_LIB, 'libfoo.1.dylib'),\n"
    "    Windows=os.path.join(_LIB, 'foo.dll'))})\n"
)

PROPER = "<the name consumers ask for>"
"""Default own name of a built library: SONAME = file, install id = @rpath/file."""

# Per format: the producer's shipped file name and its loader key.
PRODUCER_FILE = {"elf": "libfoo.so.1", "macho": "libfoo.1.dylib", "pe": "foo.dll"}
EXTENSION_FILE = {
    "elf": "_pyfoo.cpython-312-x86_64-linux-gnu.so",
    "macho": "_pyfoo.cpython-312-darwin.so",
    "pe": "_pyfoo.cp312-win_amd64.pyd",
}


def binary_of(path: Path) -> BinaryInfo:
    """What the inspector reads from one built binary (the evidence a test checks first)."""
    data = path.read_bytes()
    fmt = detect(data[:8])
    assert fmt is not None, path
    return read(fmt, path.name, io.BytesIO(data), "test")


def rules_of(findings: list[Finding]) -> list[str]:
    """The rule ids of ``findings``, sorted, so a test compares them as one list."""
    return sorted(f.rule for f in findings)


def _run(command: list[str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr}")


class Native:
    """Compile real shared libraries / extension modules of one format into ``workdir``."""

    def __init__(self, fmt: str, workdir: Path, arch: str = "x86_64") -> None:
        self.fmt = fmt
        self.workdir = workdir
        self.arch = arch
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._counter = 0
        if fmt == "macho":
            (workdir / "libSystem.tbd").write_text(LIBSYSTEM_TBD)

    def _fresh(self, stem: str) -> Path:
        self._counter += 1
        directory = self.workdir / f"{stem}-{self._counter}"
        directory.mkdir()
        return directory

    def _source(self, directory: Path, name: str, text: str) -> Path:
        path = directory / name
        path.write_text(text)
        return path

    def _compiler(self) -> list[str]:
        if self.fmt == "elf":
            return ["gcc", "-fPIC"]
        if self.fmt == "macho":
            return [
                "clang",
                "-target",
                f"{self.arch}-apple-macos11",
                "-fuse-ld=lld",
                "-nostdlib",
            ]
        return ["x86_64-w64-mingw32-gcc"]

    def library(
        self,
        file_name: str,
        own_name: str | None = PROPER,
        source: str | None = None,
        exports: bool = True,
    ) -> Path:
        """A producer library shipped as ``file_name`` whose own name is ``own_name``.

        ELF: ``own_name`` is the SONAME (``None``: none). Mach-O: the install id
        (default ``@rpath/<file>``). PE: the name the DLL is linked as, which the
        export directory records (the file is renamed afterwards when it differs).
        """
        directory = self._fresh("lib")
        out = directory / file_name
        if own_name == PROPER:
            own_name = f"@rpath/{file_name}" if self.fmt == "macho" else file_name
        if self.fmt == "elf":
            src = self._source(directory, "foo.c", source or FOO_C)
            soname = ["-Wl,-soname," + own_name] if own_name else []
            _run([*self._compiler(), "-shared", "-o", str(out), str(src), *soname], directory)
        elif self.fmt == "macho":
            src = self._source(directory, "foo.c", source or FOO_C)
            install_name = own_name or f"@rpath/{file_name}"
            _run(
                [
                    *self._compiler(),
                    "-dynamiclib",
                    "-o",
                    str(out),
                    str(src),
                    "-Wl,-install_name," + install_name,
                    str(self.workdir / "libSystem.tbd"),
                ],
                directory,
            )
        else:
            src = self._source(directory, "foo.c", source or FOO_C_PE)
            linked = directory / (own_name or file_name)
            if exports:
                command = [
                    *self._compiler(),
                    "-shared",
                    "-o",
                    str(linked),
                    str(src),
                    "-Wl,--out-implib," + str(directory / "import.dll.a"),
                ]
            else:
                # GNU ld writes an export directory into every DLL; lld only when
                # something is exported.
                libgcc = subprocess.run(
                    ["x86_64-w64-mingw32-gcc", "-print-libgcc-file-name"],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout.strip()
                command = [
                    "clang",
                    "--target=x86_64-w64-mingw32",
                    "-fuse-ld=lld",
                    "-shared",
                    "-o",
                    str(linked),
                    str(src),
                    f"-L{Path(libgcc).parent}",
                ]
            _run(command, directory)
            if linked != out:
                linked.rename(out)
        return out

    def extension(
        self,
        link_to: Iterable[Path] = (),
        rpaths: Iterable[str] = (),
        undefined_ok: bool = False,
    ) -> Path:
        """A Python extension module (ELF/Mach-O ``.so``, PE ``.pyd``) linked to libraries."""
        directory = self._fresh("ext")
        out = directory / EXTENSION_FILE[self.fmt]
        rpath_flags = [f"-Wl,-rpath,{r}" for r in rpaths]
        if self.fmt == "elf":
            src = self._source(directory, "use.c", USE_C)
            libs = [f"-L{p.parent}" for p in link_to] + [f"-l:{p.name}" for p in link_to]
            _run(
                [*self._compiler(), "-shared", "-o", str(out), str(src), *libs, *rpath_flags],
                directory,
            )
        elif self.fmt == "macho":
            src = self._source(directory, "use.c", USE_C)
            undefined = ["-Wl,-undefined,dynamic_lookup"] if undefined_ok else []
            _run(
                [
                    *self._compiler(),
                    "-bundle",
                    "-o",
                    str(out),
                    str(src),
                    *[str(p) for p in link_to],
                    *rpath_flags,
                    *undefined,
                    str(self.workdir / "libSystem.tbd"),
                ],
                directory,
            )
        else:
            # PE cannot leave symbols undefined: an unlinked consumer has its own code only.
            src = self._source(directory, "use.c", USE_C_PE if link_to else STANDALONE_C_PE)
            imports = [str(p.parent / "import.dll.a") for p in link_to]
            _run([*self._compiler(), "-shared", "-o", str(out), str(src), *imports], directory)
        return out
