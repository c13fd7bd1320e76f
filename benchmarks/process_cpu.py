"""Where a command's CPU goes, process by process, from the kernel's process accounting.

    accton ACCT                          # root; BSD process accounting on (Debian: acct)
    strace -f --seccomp-bpf -e trace=execve -s 400 -o TRACE  COMMAND   # optional
    accton off
    python benchmarks/process_cpu.py ACCT [--trace TRACE] [--top 40]

The kernel writes one record per process when it exits: its command name, pid, parent
and user + system CPU. Unlike ``pytest_cputime.py`` this counts every process, daemons
(Wine's server, a browser's helpers) and processes nobody waits for included. With an
execve trace the report groups processes by what they ran (``python -m pip``,
``python script.py``, ``python -c <first words>``, ``uv``, ``cc1``); without one, by the
kernel's 16-character command name. ``strace`` stops each process only at ``execve``
(``--seccomp-bpf``), so its overhead stays small, but compare totals from runs without
it. docs/benchmarks.md (issue 27, eleventh round) shows a report of the suite.
"""

from __future__ import annotations

import argparse
import collections
import re
import struct
import sys
from pathlib import Path

_RECORD = struct.Struct("=cBHIIIIIIf8H16s")
"""``struct acct_v3`` (linux/acct.h): flag, version, tty, exit code, uid, gid, pid,
ppid, begin time, elapsed (float), then eight ``comp_t`` counters (utime, stime, mem,
io, rw, minflt, majflt, swaps) and the command name."""

_ACCT_V3 = 3
_AHZ = 100.0
"""``comp_t`` time counters count 1/AHZ seconds."""

_EXECVE = re.compile(r'^(\d+)\s+execve\("[^"]*", \[(.*)$')
"""A pid's execve and the rest of its line: the argv's quoted words, then (unquoted) the
environment's address and the result."""
_ARG = re.compile(r'"((?:[^"\\]|\\.)*)"')


def comp_t(value: int) -> int:
    """A ``comp_t``: a 13-bit mantissa shifted left by a 3-bit base-8 exponent."""
    return (value & 0x1FFF) << (3 * (value >> 13))


def read_accounting(path: Path) -> dict[int, tuple[str, float]]:
    """pid -> (command name, user + system CPU seconds) for every process recorded."""
    data = path.read_bytes()
    processes = {}
    for offset in range(0, len(data) - _RECORD.size + 1, _RECORD.size):
        fields = _RECORD.unpack_from(data, offset)
        if fields[1] != _ACCT_V3:
            raise SystemExit(f"{path}: record at byte {offset} is not acct v3 (accton's format)")
        pid, utime, stime, name = fields[6], fields[10], fields[11], fields[18]
        cpu = (comp_t(utime) + comp_t(stime)) / _AHZ
        processes[pid] = (name.split(b"\0", 1)[0].decode(errors="replace"), cpu)
    return processes


def read_execs(path: Path) -> dict[int, list[str]]:
    """pid -> the argv of its last successful ``execve`` in an ``strace -f`` log."""
    execs = {}
    for line in path.read_text(errors="replace").splitlines():
        match = _EXECVE.match(line)
        if match and line.rstrip().endswith("= 0"):
            execs[int(match.group(1))] = _ARG.findall(match.group(2))
    return execs


def label(argv: list[str]) -> str:
    """What a process ran, coarsely: the program, and for Python what it was asked to run."""
    program = argv[0].rsplit("/", 1)[-1]
    if not program.startswith("python"):
        return program
    for index, word in enumerate(argv[1:-1], start=1):
        if word in ("-m", "-c"):
            what = argv[index + 1]
            one_line = what.replace("\\n", "; ")  # strace spells a newline as \n
            return f"{program} {word} {one_line[:40]}"
    scripts = [word for word in argv[1:] if not word.startswith("-")]
    if scripts:
        return f"{program} {'/'.join(scripts[0].rsplit('/', 2)[-2:])}"
    return program


def summarise(
    processes: dict[int, tuple[str, float]], execs: dict[int, list[str]]
) -> list[tuple[str, int, float]]:
    """(label, processes, CPU seconds) per label, the costliest first."""
    cpu: collections.defaultdict[str, float] = collections.defaultdict(float)
    count: collections.Counter[str] = collections.Counter()
    for pid, (name, seconds) in processes.items():
        key = label(execs[pid]) if pid in execs else f"[{name}]"
        cpu[key] += seconds
        count[key] += 1
    return sorted(((key, count[key], cpu[key]) for key in cpu), key=lambda row: -row[2])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("accounting", type=Path, help="the file accton wrote")
    parser.add_argument("--trace", type=Path, help="an strace -f -e trace=execve log")
    parser.add_argument("--top", type=int, default=40, help="rows to print (default 40)")
    args = parser.parse_args(argv)
    for path in (args.accounting, args.trace):
        if path is not None and not path.is_file():
            parser.error(f"{path}: no such file")
    processes = read_accounting(args.accounting)
    execs = read_execs(args.trace) if args.trace else {}
    rows = summarise(processes, execs)
    total = sum(seconds for _key, _count, seconds in rows)
    print(f"{len(processes)} processes, {total:.1f} s of CPU")
    print(f"{'CPU s':>8} {'share':>6} {'procs':>6}  what")
    for key, count, seconds in rows[: args.top]:
        print(f"{seconds:8.1f} {seconds / total:6.1%} {count:6d}  {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
