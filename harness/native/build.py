"""The native probe and the native library variants, compiled per loader and cached.

One build per loader holds everything a native cell loads (``<variant>/lib/<file>``):

| variant | glibc / musl (ELF) | wine (PE) | identity / what it is |
| --- | --- | --- | --- |
| ``producer`` | ``libfoo.so.1`` (SONAME ``libfoo.so.1``) | ``foo.dll`` | ``libfoo 1.0 native`` |
| ``copy`` | the same, another build | ``foo.dll`` | ``libfoo 1.0 native-copy`` |
| ``consumer`` | ``libconsumer.so``, ``DT_NEEDED libfoo.so.1``, no RPATH | ``consumer.dll`` importing ``foo.dll`` | ``consumer_foo_identity()`` calls ``foo_identity()`` |
| ``consumer-rpath`` | as ``consumer``, RUNPATH ``$ORIGIN/../../producer/lib`` | -- | the producer's directory on the search path |
| ``bundled`` | ``libfoo.so.1`` beside ``bundled-consumer`` | ``foo.dll`` | ``libfoo 1.0 native-bundled``: another package's private copy |
| ``bundled-consumer`` | ``libotherconsumer.so``, RUNPATH ``$ORIGIN`` | ``otherconsumer.dll`` | a consumer that finds its own copy of foo first |

The producer is ``wheels-src/libfoo/src/foo.c`` (the wheel's own source), compiled with
the loader's compiler (``gcc``, ``musl-gcc``, ``x86_64-w64-mingw32-gcc``). A build lives in
``<workdir>/cache/native/<loader>-<key>``; the key hashes the sources, this recipe and the
compiler's identity, so a changed source or compiler makes a new build and an unchanged
one is reused. Builds are created atomically (a concurrent builder's result is reused).
"""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from harness import project, resources
from harness.hashing import file_sha256
from harness.vocabulary import NATIVE_LOADERS, NativeLoader
from harness.workdir import WorkDir, atomic_directory

Loader = NativeLoader
LOADERS: tuple[Loader, ...] = NATIVE_LOADERS

HERE = Path(__file__).resolve().parent
PROBE_SOURCE = resources.path(resources.NATIVE_PROBE)
CONSUMER_SOURCE = resources.path(resources.NATIVE_CONSUMER)
RECIPE_VERSION = 1
"""Bump when a compile command below changes in a way the sources do not show."""

PRODUCER_VERSION = "1.0"


class ToolMissingError(RuntimeError):
    """A compiler or runtime a loader needs is not installed; the message names it."""

    def __init__(self, tool: str, package: str, loader: str) -> None:
        super().__init__(
            f"{tool} not found: the {loader} native cells need it (Debian package: {package})"
        )
        self.tool = tool
        self.package = package


class NativeBuildError(RuntimeError):
    """A compile step failed; the message holds the command and the compiler's output."""


@dataclass(frozen=True)
class Toolchain:
    loader: Loader
    compiler: str
    package: str
    pe: bool
    """Windows (PE) targets: DLL names, no RPATH, the probe runs under Wine."""


TOOLCHAINS: dict[Loader, Toolchain] = {
    "glibc": Toolchain("glibc", "gcc", "gcc", pe=False),
    "musl": Toolchain("musl", "musl-gcc", "musl-tools", pe=False),
    "wine": Toolchain("wine", "x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64", pe=True),
}

ELF_FILES = {
    "producer": "producer/lib/libfoo.so.1",
    "copy": "copy/lib/libfoo.so.1",
    "consumer": "consumer/lib/libconsumer.so",
    "consumer-rpath": "consumer-rpath/lib/libconsumer.so",
    "bundled": "bundled/lib/libfoo.so.1",
    "bundled-consumer": "bundled/lib/libotherconsumer.so",
}
PE_FILES = {
    "producer": "producer/lib/foo.dll",
    "copy": "copy/lib/foo.dll",
    "consumer": "consumer/lib/consumer.dll",
    "bundled": "bundled/lib/foo.dll",
    "bundled-consumer": "bundled/lib/otherconsumer.dll",
}
IDENTITIES = {
    "producer": f"libfoo {PRODUCER_VERSION} native",
    "copy": f"libfoo {PRODUCER_VERSION} native-copy",
    "bundled": f"libfoo {PRODUCER_VERSION} native-bundled",
}
"""What ``foo_identity()`` returns in each copy of the producer."""


def toolchain(loader: str) -> Toolchain:
    """The toolchain of ``loader``; ValueError naming the known loaders."""
    if loader not in TOOLCHAINS:
        raise ValueError(f"unknown native loader {loader!r}; expected one of {', '.join(LOADERS)}")
    return TOOLCHAINS[loader]


def files_of(loader: str) -> dict[str, str]:
    """``variant -> path relative to the build`` for ``loader`` (PE builds have no RPATH variant)."""
    return PE_FILES if toolchain(loader).pe else ELF_FILES


def variants(loader: str) -> tuple[str, ...]:
    """The library names a native step may load with ``loader`` (``producer``, ``copy``...)."""
    return tuple(files_of(loader))


def location_labels(loader: str) -> tuple[str, ...]:
    """The location labels of ``loader``'s build: the top directories of its variants."""
    return tuple(dict.fromkeys(Path(path).parts[0] for path in files_of(loader).values()))


def missing_compiler(loader: str) -> ToolMissingError | None:
    """The error to raise (or skip with) when ``loader``'s compiler is not installed."""
    chain = toolchain(loader)
    if shutil.which(chain.compiler) is None:
        return ToolMissingError(chain.compiler, chain.package, loader)
    return None


@dataclass(frozen=True)
class NativeBuild:
    """One loader's probe and libraries, in a finished cache directory."""

    loader: Loader
    root: Path

    @property
    def pe(self) -> bool:
        return TOOLCHAINS[self.loader].pe

    @property
    def probe(self) -> Path:
        return self.root / ("probe.exe" if self.pe else "probe")

    @property
    def variants(self) -> tuple[str, ...]:
        return tuple(PE_FILES if self.pe else ELF_FILES)

    @property
    def locations(self) -> dict[str, Path]:
        """Location label -> directory (``producer`` -> ``<build>/producer/lib``), for evidence."""
        files = PE_FILES if self.pe else ELF_FILES
        return {Path(path).parts[0]: (self.root / path).parent for path in files.values()}

    def library(self, variant: str) -> Path:
        """The file of ``variant`` (``producer``, ``consumer-rpath``...); KeyError naming them."""
        files = PE_FILES if self.pe else ELF_FILES
        if variant not in files:
            raise KeyError(
                f"the {self.loader} native build has no library {variant!r} "
                f"(it has: {', '.join(files)})"
            )
        return self.root / files[variant]


_built: dict[tuple[Path, str], NativeBuild] = {}


def build(loader: str, workdir: WorkDir) -> NativeBuild:
    """The probe and libraries for ``loader``, built once per content key.

    Raises ToolMissingError when the compiler is absent, NativeBuildError when a compile fails.
    """
    chain = toolchain(loader)
    missing = missing_compiler(loader)
    if missing is not None:
        raise missing
    key = _cache_key(chain)
    memo = (workdir.root, f"{loader}-{key}")
    if memo in _built:
        return _built[memo]
    final = workdir.cache / "native" / f"{loader}-{key}"
    if not (final / "build.json").is_file():
        with atomic_directory(final, workdir.tmp) as scratch:
            _compile_all(chain, scratch)
            (scratch / "build.json").write_text(
                json.dumps({"loader": loader, "key": key, "recipe": RECIPE_VERSION}) + "\n",
                encoding="utf-8",
            )
    result = _built[memo] = NativeBuild(chain.loader, final)
    return result


def _sources() -> dict[str, Path]:
    libfoo = project.wheels_src(HERE) / "libfoo"
    return {
        "probe.c": PROBE_SOURCE,
        "consumer.c": CONSUMER_SOURCE,
        "foo.c": libfoo / "src" / "foo.c",
        "foo.h": libfoo / "include" / "foo.h",
    }


@functools.lru_cache(maxsize=8)
def _cache_key(chain: Toolchain) -> str:
    """Computed once per process and loader (it asks the compiler its version)."""
    digest = hashlib.sha256()
    version = _run([chain.compiler, "--version"], Path.cwd()).stdout
    digest.update(json.dumps([RECIPE_VERSION, chain.loader, chain.compiler, version]).encode())
    for name, path in sorted(_sources().items()):
        if not path.is_file():
            raise NativeBuildError(f"native build: source {path} is missing ({name})")
        digest.update(f"{name}={file_sha256(path)}\n".encode())
    digest.update(file_sha256(Path(__file__)).encode())
    return digest.hexdigest()[:16]


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        result = subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, check=False, timeout=300
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise NativeBuildError(f"native build: {' '.join(command)} did not run: {exc}") from None
    if result.returncode != 0:
        raise NativeBuildError(
            f"native build: {' '.join(command)} failed (exit {result.returncode}):\n"
            f"{result.stderr.strip() or result.stdout.strip()}"
        )
    return result


def _compile_all(chain: Toolchain, root: Path) -> None:
    sources = _sources()
    include = str(sources["foo.h"].parent)
    files = PE_FILES if chain.pe else ELF_FILES
    cc = chain.compiler
    base = [cc, "-O2", "-Wall", "-Wextra"]
    if chain.pe:
        # -static-libgcc: the DLLs import only KERNEL32/msvcrt and each other.
        library = [*base, "-shared", "-static-libgcc", "-I", include]
        probe = [*base, "-municode", "-static-libgcc", "-o", "probe.exe", str(PROBE_SOURCE)]
        probe.append("-lpsapi")
    else:
        library = [*base, "-shared", "-fPIC", "-fvisibility=hidden", "-I", include]
        probe = [*base, "-o", "probe", str(PROBE_SOURCE), "-ldl"]
    _run(probe, root)
    for variant, identity in IDENTITIES.items():
        out = root / files[variant]
        out.parent.mkdir(parents=True, exist_ok=True)
        command = [*library, f"-DLIBFOO_IDENTITY={json.dumps(identity)}"]
        command += ["-DFOO_BUILDING"] if chain.pe else ["-Wl,-soname,libfoo.so.1"]
        _run([*command, "-o", str(out), str(sources["foo.c"])], root)
    consumers = {
        "consumer": ("producer", None),
        "consumer-rpath": ("producer", "$ORIGIN/../../producer/lib"),
        "bundled-consumer": ("bundled", "$ORIGIN"),
    }
    for variant, (producer, rpath) in consumers.items():
        if variant not in files:
            continue
        out = root / files[variant]
        out.parent.mkdir(parents=True, exist_ok=True)
        dependency = root / files[producer]
        command = [*library, "-o", str(out), str(CONSUMER_SOURCE)]
        if chain.pe:
            command.append(str(dependency))  # ld links against a DLL directly: an import of it
        else:
            command += [f"-Wl,-soname,{out.name}", "-L", str(dependency.parent), "-l:libfoo.so.1"]
            if rpath:
                command.append(f"-Wl,-rpath,{rpath}")
        _run(command, root)
