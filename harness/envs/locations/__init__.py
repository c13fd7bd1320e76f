"""The registry of locations: label -> :class:`~harness.envs.location.Location`.

One module per location, each with a ``LOCATION``; the registry finds them (a new
location is a new module, no list to edit) and orders them by ``Location.order``: the
order a layout adds them in, which is the order of their ``PYTHONPATH`` entries. See
:mod:`harness.envs.location` for what a location is and how to add one.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable

from harness.envs.layout import LayoutError
from harness.envs.location import Location


def _discover() -> tuple[Location, ...]:
    """Every module of this package's ``LOCATION``, in the order they are added."""
    found: list[Location] = []
    for module in pkgutil.iter_modules(__path__):
        location = importlib.import_module(f"{__name__}.{module.name}").LOCATION
        if not isinstance(location, Location):
            raise TypeError(f"{__name__}.{module.name}.LOCATION is not a Location")
        found.append(location)
    return tuple(sorted(found, key=lambda location: location.order))


ORDER: tuple[Location, ...] = _discover()
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
