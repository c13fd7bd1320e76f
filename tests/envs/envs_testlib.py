"""Helpers for the environment tests: ask a layout's own interpreter where modules live."""

from __future__ import annotations

import json
from collections.abc import Mapping

from harness.envs.layout import Layout

_WHERE = """\
import importlib, json, sys
out = {}
for name in sys.argv[1:]:
    try:
        out[name] = importlib.import_module(name).__file__
    except ImportError as exc:
        out[name] = "ImportError: %s" % exc
print(json.dumps(out))
"""


def where(
    layout: Layout, *modules: str, extra_env: Mapping[str, str] | None = None
) -> dict[str, str]:
    """``module -> "label:relative/path"`` (or the ImportError) as the layout imports it."""
    done = layout.run(["-c", _WHERE, *modules], extra_env=extra_env)
    assert done.returncode == 0, done.stderr
    found: dict[str, str | None] = json.loads(done.stdout)
    result = {}
    for name, file in found.items():
        if file is None or file.startswith("ImportError"):
            result[name] = file or "namespace package (no __file__)"
            continue
        labelled = layout.label_of(file)
        result[name] = f"{labelled[0]}:{labelled[1]}" if labelled else f"unlabelled:{file}"
    return result
