"""PyInstaller's way into libfoo: the ``pyinstaller40`` entry point names
:func:`get_hook_dirs`, so an app frozen with libfoo installed runs ``hook-libfoo.py``."""

# ruff: noqa: PTH120 - PyInstaller takes hook directories as str paths
import os


def get_hook_dirs():
    """The directory holding libfoo's PyInstaller hook (this package's own)."""
    return [os.path.dirname(__file__)]
