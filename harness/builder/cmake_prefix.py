"""Plain CMake install of a project into a prefix: the "system" copy of a library.

Not a wheel: ``cmake -S <project> -B <build> -D... && cmake --build && cmake --install
--prefix <prefix>``, exactly what a distribution or conda recipe does.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from harness import platforms, tools
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
    env: Mapping[str, str] | None = None,
) -> Path:
    """Configure, build and install ``project`` into ``prefix`` (``env``: see
    :meth:`~harness.builder.toolchain.Toolchain.child_env`)."""
    cmake = str(toolchain.cmake)
    configure = [cmake, "-S", str(project), "-B", str(build_dir), "-DCMAKE_BUILD_TYPE=Release"]
    # Ninja with MSVC needs a developer prompt's environment; CMake's default Visual Studio
    # generator finds the compiler itself.
    ninja = tools.find("ninja")
    if ninja is not None and platforms.current().name != "windows":
        configure += ["-G", "Ninja", f"-DCMAKE_MAKE_PROGRAM={ninja}"]
    configure += [f"-D{name}={value}" for name, value in sorted(defines.items())]
    run_logged("cmake configure", configure, log, env=env)
    build = [cmake, "--build", str(build_dir), "--config", "Release"]
    run_logged("cmake build", build, log, env=env)
    run_logged(
        "cmake install",
        [cmake, "--install", str(build_dir), "--config", "Release", "--prefix", str(prefix)],
        log,
        env=env,
    )
    return prefix
