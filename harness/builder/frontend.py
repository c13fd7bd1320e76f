"""Build one staged project into a wheel with ``uv build``.

Just-built producer wheels reach the build environment through build constraints of the
form ``libfoo @ file:///.../libfoo-1.0-py3-none-manylinux_2_5_x86_64.whl`` (what RAPIDS
does with pip): the resolver must take that file, so an index copy of a same-named
distribution can never be picked. Build backends (scikit-build-core) still come from the
index through uv's cache, kept under the work directory.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from harness.builder.toolchain import Toolchain
from harness.logged import run_logged


def constraint_lines(inputs: Mapping[str, Path]) -> list[str]:
    """``dist @ file://...`` for every input wheel (distribution name -> wheel file)."""
    return [f"{dist} @ {wheel.resolve().as_uri()}" for dist, wheel in sorted(inputs.items())]


def build_wheel(
    toolchain: Toolchain,
    python: Path,
    project: Path,
    *,
    out_dir: Path,
    inputs: Mapping[str, Path],
    uv_cache: Path,
    log: Path,
    env: Mapping[str, str] | None = None,
) -> Path:
    """Build ``project`` for ``python`` into ``out_dir`` and return the wheel."""
    command = [
        str(toolchain.uv),
        "build",
        "--wheel",
        "--no-config",
        "--no-python-downloads",
        "--python",
        str(python),
        "--out-dir",
        str(out_dir),
    ]
    if inputs:
        constraints = out_dir.parent / "build-constraints.txt"
        constraints.write_text("\n".join(constraint_lines(inputs)) + "\n", encoding="utf-8")
        command += ["--build-constraint", str(constraints)]
    command.append(str(project))
    run_logged("uv build", command, log, env={**(env or {}), "UV_CACHE_DIR": str(uv_cache)})
    wheels = sorted(out_dir.glob("*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"uv build of {project} produced {len(wheels)} wheels in {out_dir}")
    return wheels[0]
