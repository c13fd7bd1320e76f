"""Where the project's sources are: ``wheels-src/`` and ``scenarios/``.

The harness runs from a checkout (tox, CI, a developer's shell); the root is
``$HARNESS_PROJECT_ROOT`` or the nearest directory upwards from the current one that
holds both ``wheels-src/`` and ``scenarios/``.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "HARNESS_PROJECT_ROOT"


class ProjectRootNotFoundError(LookupError):
    """The harness was started outside a checkout of this project."""


def root(start: Path | None = None) -> Path:
    """The project root directory."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        path = Path(configured).resolve()
        if not (path / "wheels-src").is_dir():
            raise ProjectRootNotFoundError(f"${ENV_VAR}={configured} has no wheels-src/ directory")
        return path
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "wheels-src").is_dir() and (candidate / "scenarios").is_dir():
            return candidate
    raise ProjectRootNotFoundError(
        f"no project checkout (a directory with wheels-src/ and scenarios/) at or above {here}; "
        f"run from the checkout or set ${ENV_VAR}"
    )


def wheels_src(start: Path | None = None) -> Path:
    return root(start) / "wheels-src"


def scenarios_dir(start: Path | None = None) -> Path:
    return root(start) / "scenarios"
