"""A pytest plugin that records where a test run's CPU goes, test by test.

    python -m pytest tests scenarios -n 2 -p benchmarks.pytest_cputime

(from the project root, with the tests' environment: ``.tox/tests/bin/python``). For every
test it appends one JSON line to ``$CPUTIME_DIR/cputime-<pid>.jsonl`` (default: the
system temporary directory): its node id, the xdist worker, its start, its wall time,
and the CPU time of the process running it (``self``) and of the child processes it
waited for (``children``, with their own reaped children), from ``os.times()`` around
the whole test protocol (setup, call, teardown). A session fixture's cost lands on the
first test that needs it. Processes nobody waits for (daemons) are not counted.
docs/benchmarks.md (issue 27, fifth round) sums these per test, per file and per kind.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Generator
from pathlib import Path
from typing import IO

import pytest

_stream: IO[str] | None = None


def _write(record: dict[str, object]) -> None:
    global _stream  # noqa: PLW0603 - one file per process
    if _stream is None:
        directory = os.environ.get("CPUTIME_DIR") or tempfile.gettempdir()
        path = Path(directory) / f"cputime-{os.getpid()}.jsonl"
        _stream = path.open("a", encoding="utf-8", buffering=1)
    _stream.write(json.dumps(record) + "\n")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    before, started = os.times(), time.time()
    try:
        return (yield)
    finally:
        after = os.times()
        _write(
            {
                "id": item.nodeid,
                "worker": os.environ.get("PYTEST_XDIST_WORKER", "main"),
                "start": started,
                "wall": time.time() - started,
                "self": (after.user - before.user) + (after.system - before.system),
                "children": (after.children_user - before.children_user)
                + (after.children_system - before.children_system),
            }
        )
