"""Usage faults: what the person at the command line must change, said in one line.

A fault of the command line or of its surroundings (no checkout where one is needed,
an unusable work dir, an unknown scenario, a bad option value) is not a failed cell:
``harness.cli.main`` prints it as ``harness COMMAND: message`` and exits 2, never
with a traceback. Modules raise :class:`UsageError` wherever they find such a fault.
"""

from __future__ import annotations

EXIT_USAGE = 2


class UsageError(Exception):
    """A fault the user fixes by changing the command, its options or its surroundings."""

    def one_line(self) -> str:
        """The message on one line (a usage error never needs more)."""
        return " ".join(str(self).split())
