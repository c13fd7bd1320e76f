"""Cost of starting a child that dies with the harness, by how much memory the harness holds.

    PYTHONPATH=. python benchmarks/bench_spawn.py [--sizes 40,130,270,400] [--rounds 7]

For each size the process first grows to that resident size (touched pages and Python
objects, as a test-suite worker or a ``harness check`` of a large family holds them),
then starts and reaps ``/bin/true`` three ways, in turn within each round:

- ``preexec``: ``preexec_fn`` making the ``PR_SET_PDEATHSIG`` request (CPython forks);
- ``setpriv``: what ``harness.dies_with_parent.popen_args`` starts (CPython vforks;
  setpriv and the shell make the request and the check);
- ``plain``: nothing requested (the floor; children would outlive a killed harness).

Prints the median milliseconds per child over the rounds (50 children a round) and the
setpriv/preexec ratio. Linux only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from harness import dies_with_parent

CHILDREN = 50
TRUE = "/bin/true"


def _resident_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _per_child(args: Sequence[str], preexec: Callable[[], None] | None) -> float:
    started = time.perf_counter()
    for _ in range(CHILDREN):
        subprocess.run(args, preexec_fn=preexec, check=True)
    return (time.perf_counter() - started) / CHILDREN * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="40,130,270,400")
    parser.add_argument("--rounds", type=int, default=7)
    options = parser.parse_args()
    env = dict(os.environ)
    wrapped, none = dies_with_parent.popen_args([TRUE], env)
    if none is not None or dies_with_parent.PRCTL is None:
        raise SystemExit("bench_spawn: needs Linux and setpriv with --pdeathsig (util-linux)")
    ways = {
        "preexec": ([TRUE], dies_with_parent.preexec()),
        "setpriv": (wrapped, None),
        "plain": ([TRUE], None),
    }
    held: list[object] = []
    print(f"{'resident MB':>11} {'preexec ms':>10} {'setpriv ms':>10} {'plain ms':>9} {'ratio':>6}")
    for size in (int(s) for s in options.sizes.split(",")):
        while _resident_mb() < size:
            held.append(bytearray(b"x" * 2**20))
            held.append([object() for _ in range(2000)])
        times: dict[str, list[float]] = {way: [] for way in ways}
        for _ in range(options.rounds):
            for way, (args, preexec) in ways.items():
                times[way].append(_per_child(args, preexec))
        median = {way: statistics.median(values) for way, values in times.items()}
        print(
            f"{_resident_mb():11.0f} {median['preexec']:10.2f} {median['setpriv']:10.2f} "
            f"{median['plain']:9.2f} {median['setpriv'] / median['preexec']:6.2f}"
        )


if __name__ == "__main__":
    main()
