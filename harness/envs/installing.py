"""Install exact wheel files into one named location of a layout, never from an index.

What differs per location (the command, its steps) is the location's own
(:mod:`harness.envs.locations`); what every install shares is here: the checks before
anything runs, the private ``--find-links`` directory of ``deps`` installs, removals.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from harness.copying import link_or_copy
from harness.envs import locations, source_builds
from harness.envs.layout import CommandRunner, Layout
from harness.envs.removing import apply_removals
from harness.installs import InstallRequest
from harness.vocabulary import Installer


def check_request(request: InstallRequest) -> None:
    """A clear error before any installer runs: unknown label, no wheels, missing files."""
    locations.get(request.location).check(request)


def install(
    layout: Layout, request: InstallRequest, installer: Installer, run: CommandRunner
) -> None:
    """Install ``request``'s wheels into its location of ``layout``."""
    location = locations.get(request.location)
    location.check(request)
    layout.location(request.location)  # the location must have been added first
    if request.deps:
        request = _with_private_find_links(layout, request)
    if request.wheels or not request.sdists:  # editable requests carry projects, no wheels
        location.install(layout, request, installer, run)
    if request.sdists:
        source_builds.install(layout, request, installer, run, location)
    if request.remove:
        apply_removals(
            layout.location(request.location),
            request.remove,
            location=request.location,
            wheels=request.wheels,
        )


def _with_private_find_links(layout: Layout, request: InstallRequest) -> InstallRequest:
    """The same request with its wheels linked into a directory that holds only them.

    With ``deps`` the installer resolves ``Requires-Dist`` from ``--find-links``; the
    wheelhouse itself must never be that directory, because it also holds variants
    (``libfoo 1.0+nosoname`` sorts above ``1.0`` and would win).
    """
    directory = layout.root / "find-links" / request.location
    directory.mkdir(parents=True, exist_ok=True)
    linked: list[Path] = []
    for wheel in request.wheels:
        destination = directory / wheel.name
        if not destination.exists():
            link_or_copy(wheel, destination)
        linked.append(destination)
    return dataclasses.replace(request, wheels=linked)
