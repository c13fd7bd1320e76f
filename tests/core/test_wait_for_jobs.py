"""A stop signal during the builder's wait: every job ends before the harness goes on.

A real signal handler raises in the main thread while a job still cleans up (the way
``harness.logged.stop_on_signals`` does); the job's cleanup must have finished when
the wait re-raises. The negative control shows the platform fact the wait avoids:
before CPython 3.13 an interrupted ``Thread.join`` marks the running thread stopped,
so joining the pool again returns while the job still runs.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from harness import logged

CLEANUP_SECONDS = 0.5
START_SECONDS = 1.0
"""Generous: the main thread must be inside the wait when the signal comes, even on a
loaded machine."""


class _Stop(KeyboardInterrupt):
    pass


@pytest.fixture
def interrupt_main() -> Iterator[Callable[[], None]]:
    """A function a job calls to interrupt the main thread, as SIGTERM would."""
    if not hasattr(signal, "pthread_kill"):
        pytest.skip("needs signal.pthread_kill (POSIX)")

    def handler(signum: int, frame: object) -> None:
        raise _Stop("SIGUSR1")

    previous = signal.signal(signal.SIGUSR1, handler)
    main = threading.main_thread().ident
    assert main is not None
    try:
        yield lambda: signal.pthread_kill(main, signal.SIGUSR1)
    finally:
        signal.signal(signal.SIGUSR1, previous)


def _job(interrupt: Callable[[], None], ended: threading.Event) -> None:
    time.sleep(START_SECONDS)  # the main thread is waiting by now
    interrupt()
    try:
        raise OSError("the build command was killed")
    finally:
        time.sleep(CLEANUP_SECONDS)  # removing the scratch directory
        ended.set()


def _start(
    interrupt: Callable[[], None],
) -> tuple[ThreadPoolExecutor, Future[None], threading.Event]:
    ended = threading.Event()
    pool = ThreadPoolExecutor(max_workers=2)
    return pool, pool.submit(_job, interrupt, ended), ended


def test_interrupted_wait_returns_only_after_every_job_ended(
    interrupt_main: Callable[[], None],
) -> None:
    pool, future, ended = _start(interrupt_main)
    with pytest.raises(_Stop):
        logged.wait_for_jobs(pool, [future])
    assert ended.is_set(), "the wait returned while a job was still cleaning up"
    assert future.done()


@pytest.mark.skipif(
    sys.version_info >= (3, 13),
    reason="CPython 3.13 reimplemented Thread.join; the control needs 3.9-3.12",
)
def test_control_an_interrupted_thread_join_stops_waiting_too_early(
    interrupt_main: Callable[[], None],
) -> None:
    pool, _future, ended = _start(interrupt_main)
    with pytest.raises(_Stop):
        pool.shutdown(wait=True)
    pool.shutdown(wait=True)  # joins a thread that the interrupted join marked as stopped
    returned_early = not ended.is_set()
    ended.wait(5)
    assert returned_early, "the second join waited for the job: the platform fact changed"
