"""Errors of the conda part, each naming the file or package at fault and the fix."""

from __future__ import annotations


class CondaError(RuntimeError):
    """Building the local channel or a conda prefix failed."""


class ChannelError(CondaError):
    """A package of the local channel is missing or broken."""
