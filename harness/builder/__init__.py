"""Build and repair the wheel matrix into a per-interpreter wheelhouse, cached by content hash.

``build_all(workdir, interpreter, only=None) -> Wheelhouse`` is the entry point; the
catalogue of wheels is :mod:`harness.builder.catalogue`.
"""

from harness.builder.matrix import BuildError, build_all
from harness.builder.wheelhouse import Wheelhouse, WheelhouseError

__all__ = ["BuildError", "Wheelhouse", "WheelhouseError", "build_all"]
