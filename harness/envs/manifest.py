"""A layout as JSON, stored beside a template so copies can be described without running it."""

from __future__ import annotations

import json
from pathlib import Path

from harness import platforms
from harness.envs.layout import Layout, LayoutError

MANIFEST = "layout.json"
SCHEMA = 1


def dumps(layout: Layout) -> str:
    """JSON text of ``layout`` (paths as recorded; :meth:`Layout.relocated` rebases them)."""
    data = {
        "schema": SCHEMA,
        "kind": layout.kind,
        "root": str(layout.root),
        "python": str(layout.python),
        "locations": {k: str(v) for k, v in layout.locations.items()},
        "env": layout.env,
        "path_prepends": layout.path_prepends,
        "extra_dirs": {k: [str(d) for d in v] for k, v in layout.extra_dirs.items()},
        "platform": layout.platform.name,
    }
    return json.dumps(data, indent=2, sort_keys=True)


def load(path: Path) -> Layout:
    """The layout recorded in manifest file ``path``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("schema") != SCHEMA:
            raise ValueError(f"schema {data.get('schema')!r}, expected {SCHEMA}")
        return Layout(
            kind=data["kind"],
            root=Path(data["root"]),
            python=Path(data["python"]),
            locations={k: Path(v) for k, v in data["locations"].items()},
            env=dict(data["env"]),
            path_prepends={k: list(v) for k, v in data["path_prepends"].items()},
            extra_dirs={k: [Path(d) for d in v] for k, v in data["extra_dirs"].items()},
            platform=platforms.ALL[data["platform"]],
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise LayoutError(
            f"layout manifest {path} is unreadable ({exc}); delete its directory "
            f"{path.parent} so it is rebuilt"
        ) from None
