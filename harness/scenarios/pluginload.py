"""How to make pytest load the scenario plugin exactly once.

When the harness is installed, pytest loads ``harness.pytest_plugin`` through its
``pytest11`` entry point; passing ``-p harness.pytest_plugin`` as well would register
it twice (an error). From a bare checkout the ``-p`` is needed.
"""

from __future__ import annotations

from importlib.metadata import entry_points

PLUGIN_MODULE = "harness.pytest_plugin"


def installed_as_entry_point() -> bool:
    return any(ep.value == PLUGIN_MODULE for ep in entry_points(group="pytest11"))


def plugin_args() -> list[str]:
    """``["-p", "harness.pytest_plugin"]`` unless the entry point already loads it."""
    return [] if installed_as_entry_point() else ["-p", PLUGIN_MODULE]
