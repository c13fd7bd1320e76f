"""``python path/to/probe SPEC.json OUT.json``: the probe run from its own directory.

Python puts this directory first on ``sys.path``; it is dropped again before anything
else, and the package is loaded under the name it has when the cells import it from the
work dir (``harness_probe``), without writing bytecode next to the harness's files.
"""

# ruff: noqa: PTH100, PTH118, PTH120
# (string paths, as the rest of the probe)

from __future__ import annotations

import importlib.util
import os
import sys

NAME = "harness_probe"


def _load(here):
    spec = importlib.util.spec_from_file_location(
        NAME, os.path.join(here, "__init__.py"), submodule_search_locations=[here]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[NAME] = module
    writes = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = writes
    return module


def _run():
    here = os.path.dirname(os.path.abspath(__file__))
    if sys.path and os.path.abspath(sys.path[0] or os.curdir) == here:
        del sys.path[0]
    return _load(here).main()


if __name__ == "__main__":
    sys.exit(_run())
