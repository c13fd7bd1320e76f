"""The provider of each layout kind: the one place that names them.

It sits on top of the provider modules (``venv``, ``conda``), so adding a kind means a
module beside them, an entry here and the kind in :data:`harness.vocabulary.LAYOUT_KINDS`.
Providers are imported on first use: a venv-only run never imports the conda side.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

from harness.envs.layout import BaseProvider
from harness.workdir import WorkDir

# kind -> (module, class)
_FACTORIES: dict[str, tuple[str, str]] = {
    "venv": ("harness.envs.venv", "VenvProvider"),
    "conda": ("harness.envs.conda", "CondaProvider"),
}
_TAKES_CONDA_PACKAGES = frozenset({"conda"})
"""Kinds whose provider takes ``conda_packages=`` (the scenario's ``[conda] packages``)."""


class ProviderUnavailableError(RuntimeError):
    """The provider for a layout kind is not installed or cannot run here."""


def get(kind: str, workdir: WorkDir, *, conda_packages: Sequence[str] = ()) -> BaseProvider:
    """The provider of layouts of ``kind``.

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
        factory: Any = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as error:
        raise ProviderUnavailableError(
            f"the {kind} provider ({module_name}.{attribute}) is not available: {error}"
        ) from None
    if kind in _TAKES_CONDA_PACKAGES:
        provider: BaseProvider = factory(workdir, conda_packages=conda_packages)
    else:
        provider = factory(workdir)
    return provider
