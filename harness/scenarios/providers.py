"""Find the base environment provider for a layout kind (``venv``, ``conda``).

The providers live in ``harness.envs`` (one module per kind); this is the one place
the scenario runner names them, so adding a kind means adding one entry here and the
kind to ``schema.LAYOUT_KINDS``.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

from harness.envs.base import BaseProvider
from harness.workdir import WorkDir

# kind -> (module, class); each class takes (installer, workdir)
_FACTORIES: dict[str, tuple[str, str]] = {
    "venv": ("harness.envs.venv", "VenvProvider"),
    "conda": ("harness.envs.conda", "CondaProvider"),
}
_TAKES_CONDA_PACKAGES = frozenset({"conda"})
"""Kinds whose provider also takes ``conda_packages=`` (the scenario's ``[conda] packages``)."""


class ProviderUnavailableError(RuntimeError):
    """The provider for a layout kind is not installed or cannot run here."""


def get(
    kind: str, installer: str, workdir: WorkDir, *, conda_packages: Sequence[str] = ()
) -> BaseProvider:
    """A provider of ``kind`` that installs wheels with ``installer``.

    ``conda_packages`` (match specs) go into the prefix of a ``conda`` layout; asking
    for them with another kind is an error rather than a cell silently without them.
    """
    if conda_packages and kind not in _TAKES_CONDA_PACKAGES:
        raise ValueError(
            f"conda packages {list(conda_packages)} were asked for a {kind!r} layout; only "
            f"{', '.join(sorted(_TAKES_CONDA_PACKAGES))} layouts hold conda packages"
        )
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
    if kind in _TAKES_CONDA_PACKAGES:
        provider: BaseProvider = factory(installer, workdir, conda_packages=conda_packages)
    else:
        provider = factory(installer, workdir)
    return provider
