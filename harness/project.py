"""Where the project's sources are: ``wheels-src/`` and ``scenarios/``.

Only what builds the catalogue's wheels needs them: ``harness build``, ``harness run``
and ``harness list`` of the catalogue's own scenarios, the ``libfoo`` conda packages and
the native cells. ``harness check``, ``harness lint``, ``harness report merge`` and
``harness run/list --scenarios DIR`` of scenarios naming their wheels under ``[wheels]``
work with an installed harness anywhere (docs/check.md). The root is
``$HARNESS_PROJECT_ROOT`` or the nearest directory upwards from the current one that
holds both ``wheels-src/`` and ``scenarios/``.
"""

from __future__ import annotations

import os
from pathlib import Path

from harness.usage import UsageError

ENV_VAR = "HARNESS_PROJECT_ROOT"


OUTSIDE_HINT = (
    "your own wheels need no checkout: `harness check`; your own scenarios: "
    "`harness run --scenarios DIR` with their wheels under [wheels]"
)


class ProjectRootNotFoundError(UsageError, LookupError):
    """The harness was started outside a checkout of this project, for something that
    builds the catalogue's wheels (a usage fault: one line, exit 2)."""


def root(start: Path | None = None) -> Path:
    """The project root directory."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        path = Path(configured).resolve()
        if not (path / "wheels-src").is_dir():
            raise ProjectRootNotFoundError(
                f"${ENV_VAR}={configured} has no wheels-src/ directory; point it at a "
                "checkout of the harness's repository or unset it"
            )
        return path
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "wheels-src").is_dir() and (candidate / "scenarios").is_dir():
            return candidate
    raise ProjectRootNotFoundError(
        f"this needs a checkout of the harness's repository (a directory with wheels-src/ "
        f"and scenarios/), and there is none at or above {here}: run it in the checkout or "
        f"set ${ENV_VAR} ({OUTSIDE_HINT})"
    )


def present(start: Path | None = None) -> bool:
    """Whether a checkout is found (without raising)."""
    try:
        root(start)
    except ProjectRootNotFoundError:
        return False
    return True


def wheels_src(start: Path | None = None) -> Path:
    return root(start) / "wheels-src"


def scenarios_dir(start: Path | None = None) -> Path:
    return root(start) / "scenarios"
