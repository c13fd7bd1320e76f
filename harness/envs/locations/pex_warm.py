"""The ``pex-warm`` location: a ``pex`` app whose cache was filled by one run while the
layout was made, so each cell's run finds every wheel already unpacked (the second and
later runs of a deployed PEX). See :mod:`harness.envs.locations.pex_app`."""

from __future__ import annotations

from harness.envs.locations.pex_app import PexApp
from harness.vocabulary import PEX_WARM


class PexWarm(PexApp):
    label = PEX_WARM
    order = 91
    directory = PEX_WARM
    warm = True


LOCATION = PexWarm()
