"""Interop harness: proves, from evidence inside the process, that wheels can share native libraries."""

__version__ = "0.1.0"
