"""Find the base environment provider for a layout kind (``venv``, ``conda``).

The providers live in ``harness.envs`` (one module per kind); this is the one place
the scenario runner names them, so adding a kind means adding one entry here and the
kind to ``schema.LAYOUT_KINDS``.
"""

from __future__ import annotations

import importlib
from typing import Any

from harness.envs.base import BaseProvider
from harness.workdir import WorkDir

# kind -> (module, class); each class takes (installer, workdir)
_FACTORIES: dict[str, tuple[str, str]] = {
    "venv": ("harness.envs.venv", "VenvProvider"),
    "conda": ("harness.envs.conda", "CondaProvider"),
}


class ProviderUnavailableError(RuntimeError):
    """The provider for a layout kind is not installed or cannot run here."""


def get(kind: str, installer: str, workdir: WorkDir) -> BaseProvider:
    """A provider of ``kind`` that installs wheels with ``installer``."""
    try:
        module_name, attribute = _FACTORIES[kind]
    except KeyError:
        raise ProviderUnavailableError(
            f"no provider for layout kind {kind!r} (known: {', '.join(sorted(_FACTORIES))})"
        ) from None
    try:
        module = importlib.import_module(module_name)
        factory: Any = getattr(module, attribute)
    except (ImportError, AttributeError) as error:
        raise ProviderUnavailableError(
            f"the {kind} provider ({module_name}.{attribute}) is not available: {error}"
        ) from None
    provider: BaseProvider = factory(installer, workdir)
    return provider
