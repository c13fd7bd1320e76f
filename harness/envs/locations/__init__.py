"""The registry of locations: label -> :class:`~harness.envs.location.Location`.

One module per location; this is the one place that names them, in the order a layout
adds them (which is the order of their ``PYTHONPATH`` entries). See
:mod:`harness.envs.location` for what a location is and how to add one.
"""

from __future__ import annotations

from collections.abc import Iterable

from harness.envs.layout import LayoutError
from harness.envs.location import Location
from harness.envs.locations import (
    base_env,
    editable,
    pip_prefix,
    pip_root,
    site,
    target,
    user,
    wheel_dirs,
    zipped,
)

ORDER: tuple[Location, ...] = (
    site.LOCATION,
    base_env.LOCATION,
    target.LOCATION,
    user.LOCATION,
    pip_prefix.LOCATION,
    pip_root.LOCATION,
    wheel_dirs.LOCATION,
    zipped.LOCATION,
    editable.LOCATION,
)
BY_LABEL: dict[str, Location] = {location.label: location for location in ORDER}
LABELS: tuple[str, ...] = tuple(BY_LABEL)
"""Every label a wheel can be installed into (the same set as
:data:`harness.vocabulary.WHEEL_LOCATIONS`; a test keeps them equal)."""


def get(label: str) -> Location:
    """The location of ``label``; a clear error naming the known ones."""
    try:
        return BY_LABEL[label]
    except KeyError:
        known = ", ".join(sorted(BY_LABEL))
        raise LayoutError(
            f"cannot install wheels into location {label!r}: wheels go into one of {known} "
            "(the 'system' location takes a library directory instead)"
        ) from None


def in_order(labels: Iterable[str]) -> list[Location]:
    """The locations of ``labels`` in the order a layout adds them."""
    wanted = set(labels)
    return [location for location in ORDER if location.label in wanted]


def cell_entries() -> tuple[str, ...]:
    """The root entries the locations own (a fresh cell directory holds none of them)."""
    return tuple(loc.directory for loc in ORDER if loc.directory is not None)
