"""Make the loader packages importable from their source folders (they are not installed)."""

from __future__ import annotations

import sys

from loader_testlib import CONSUMER_DIR, MANAGER_DIR

for _directory in (MANAGER_DIR, CONSUMER_DIR):
    if str(_directory) not in sys.path:
        sys.path.insert(0, str(_directory))
