"""Plain CMake install of a project into a prefix: the "system" copy of a library.

Not a wheel: ``cmake -S <project> -B <build> -D... && cmake --build && cmake --install
--prefix <prefix>``, exactly what a distribution or conda recipe does.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

from harness import platforms
from harness.builder.toolchain import Toolchain
from harness.logged import run_logged


def install_prefix(
    toolchain: Toolchain,
    project: Path,
    defines: Mapping[str, str],
    *,
    build_dir: Path,
    prefix: Path,
    log: Path,
) -> Path:
    """Configure, build and install ``project`` into ``prefix``."""
    cmake = str(toolchain.cmake)
    configure = [cmake, "-S", str(project), "-B", str(build_dir), "-DCMAKE_BUILD_TYPE=Release"]
    # Ninja with MSVC needs a developer prompt's environment; CMake's default Visual Studio
    # generator finds the compiler itself.
    if shutil.which("ninja") and platforms.current().name != "windows":
        configure += ["-G", "Ninja"]
    configure += [f"-D{name}={value}" for name, value in sorted(defines.items())]
    run_logged("cmake configure", configure, log)
    run_logged("cmake build", [cmake, "--build", str(build_dir), "--config", "Release"], log)
    run_logged(
        "cmake install",
        [cmake, "--install", str(build_dir), "--config", "Release", "--prefix", str(prefix)],
        log,
    )
    return prefix
