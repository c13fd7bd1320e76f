"""The catalogue's wheels for the cells of one process: each cell's own, built when it asks.

A cell asks for the wheel ids its scenario installs; the builder makes those and what they
are built against or need at run time (:func:`harness.builder.catalogue.closure`), under
the interpreter's build lock, and adds them to the interpreter's wheelhouse. So a cell
starts as soon as its own wheels exist, and a run of four scenarios on a fresh work dir
builds their handful of wheels, not the whole catalogue. Each process asks the builder
once per set of ids: a set it has already had built (or a subset) is answered from memory.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from harness import interpreters
from harness.filelock import locked
from harness.scenarios.verdict import Cause, CellFailedError
from harness.workdir import WorkDir

if TYPE_CHECKING:
    from harness.builder.wheelhouse import Wheelhouse

PREBUILT_WHEELHOUSE_VAR = "HARNESS_WHEELHOUSE"
"""A directory of ``<python tag>/`` wheelhouses (``harness build`` output) to use instead of building."""

EVERY_ID = "*"
"""Where a failure that names no wheel id is kept: it fails every later request."""


class _BuildFailedError(CellFailedError):
    """A build failed; ``item``: the wheel id whose build failed (or :data:`EVERY_ID`)."""

    def __init__(self, cause: Cause, item: str = EVERY_ID) -> None:
        super().__init__(cause)
        self.item = item


class WheelBuilds:
    """What this process had built per interpreter, and the builds that failed (a cell
    whose wheels include a failed one gets that cause again, without a rebuild)."""

    def __init__(self, workdir: WorkDir) -> None:
        self.workdir = workdir
        self._houses: dict[str, Wheelhouse] = {}
        self._covered: dict[str, frozenset[str] | None] = {}
        """Interpreter tag -> the ids built so far (None: the whole catalogue)."""
        self._failures: dict[str, dict[str, Cause]] = {}

    def wheelhouse(
        self, interpreter: interpreters.Interpreter, wheel_ids: Iterable[str] | None = None
    ) -> Wheelhouse:
        """The interpreter's wheelhouse holding ``wheel_ids`` and their closure (every wheel
        of the catalogue built here when ``None``)."""
        from harness.builder.supply import SupplyError, with_needs  # noqa: PLC0415

        tag = interpreter.tag
        try:
            wanted = None if wheel_ids is None else with_needs(wheel_ids)
        except SupplyError as error:  # one cell's mistake: the other cells still build
            raise CellFailedError(
                Cause("wheel", str(error), fix="`harness list --wheels` names the catalogue's ids")
            ) from None
        failures = self._failures.setdefault(tag, {})
        for item, cause in failures.items():
            if item == EVERY_ID or wanted is None or item in wanted:
                raise CellFailedError(cause)  # do not rebuild for every cell of the session
        covered = self._covered.get(tag, frozenset())
        house = self._houses.get(tag)
        if house is not None and (covered is None or (wanted is not None and wanted <= covered)):
            return house
        try:
            house = self._load_or_build(interpreter, wanted)
        except _BuildFailedError as error:
            failures[error.item] = error.cause
            raise
        self._houses[tag] = house
        self._covered[tag] = None if wanted is None or covered is None else covered | wanted
        return house

    def _load_or_build(
        self, interpreter: interpreters.Interpreter, wanted: frozenset[str] | None
    ) -> Wheelhouse:
        # the builder pulls in the toolchain probes; only running cells need it
        from harness.builder import BuildError, build_all  # noqa: PLC0415
        from harness.builder.wheelhouse import Wheelhouse, WheelhouseError  # noqa: PLC0415
        from harness.logged import tail  # noqa: PLC0415

        prebuilt = os.environ.get(PREBUILT_WHEELHOUSE_VAR)
        try:
            if prebuilt:
                # CI: wheels built once per OS (build.yml) and handed to the test jobs
                return Wheelhouse.load(Path(prebuilt) / interpreter.tag)
            with locked(self.workdir.tmp / f"build-{interpreter.tag}.lock"):
                return build_all(self.workdir, interpreter, wanted)
        except BuildError as error:
            log = error.log
            raise _BuildFailedError(
                Cause(
                    "build",
                    f"building the wheels for {interpreter.tag} failed at {error.item_id!r}: "
                    + error.reason.splitlines()[0],
                    where=f"wheel id {error.item_id}",
                    fix=f"read the log, then `harness build --python {interpreter.version}` "
                    "reproduces it",
                    log=str(log) if log else None,
                    details=tuple(tail(log, 8) if log else ()),
                ),
                error.item_id,
            ) from error
        except WheelhouseError as error:
            raise _BuildFailedError(
                Cause(
                    "wheel",
                    str(error),
                    where=f"${PREBUILT_WHEELHOUSE_VAR}" if prebuilt else None,
                    fix="build the wheelhouse with `harness build` for this interpreter",
                )
            ) from error
        except Exception as error:
            raise _BuildFailedError(
                Cause(
                    "build",
                    f"building the wheels for {interpreter.tag} failed: "
                    f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}",
                    fix=f"`harness build --python {interpreter.version}` reproduces it",
                )
            ) from error
