"""Ask a producer wheel to preload its native libraries, and carry on when it is absent.

A consumer (an extension module, or a library linked against a producer's library)
calls :func:`load_library_module` before importing its compiled parts. When the
producer wheel is installed, its libraries are loaded and returned; when it is not
(the library comes from conda, the system, a module system...), nothing happens and
``None`` is returned.

This file is self-contained (standard library only, Python >= 3.9) so projects can
vendor it by copying. Importing it only defines things.
"""

# Deferred imports keep importing this module cheap; no `from __future__ import annotations`
# either (it imports a module): annotations are quoted.
# ruff: noqa: PLC0415

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping

__version__ = "0.1.0"
__all__ = ["ProducerModuleError", "load_library_module"]


class ProducerModuleError(AttributeError):
    """The producer module is installed but does not define a usable ``loader``."""

    def __init__(self, module_name: str, problem: str) -> None:
        self.module_name = module_name
        super().__init__(
            f"module {module_name!r} {problem}; a producer module must define "
            "`loader = shared_lib_manager.LibraryLoader({...})` (an object with a "
            "load(*, prefer_system=False) method)"
        )


def _log(message: str, *args: object) -> None:
    logging = sys.modules.get("logging")
    if logging is not None:
        logging.getLogger(__name__).debug(message, *args)


def _is_absent(error: ModuleNotFoundError, module_name: str) -> bool:
    """Whether ``error`` says ``module_name`` itself (or a parent package) is missing."""
    missing = error.name
    return missing is not None and (missing == module_name or module_name.startswith(missing + "."))


def load_library_module(
    module_name: str, *, prefer_system: bool = False
) -> "Mapping[str, Any] | None":
    """Import ``module_name`` and call its ``loader.load(prefer_system=...)``.

    Returns what the loader reports it loaded (an empty mapping when the producer's
    loader reports nothing), or ``None`` when the module is not installed. A
    ``ModuleNotFoundError`` for anything else -- a dependency the installed producer
    lacks -- propagates, because hiding it would turn a broken install into a
    confusing failure later.
    """
    if not isinstance(module_name, str) or not module_name or module_name.startswith("."):
        raise ValueError(f"expected an absolute module name, got {module_name!r}")
    import importlib

    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if not _is_absent(error, module_name):
            raise
        _log("%s is not installed; its libraries must come from elsewhere", module_name)
        return None
    loader = getattr(module, "loader", None)
    if loader is None:
        raise ProducerModuleError(module_name, "has no attribute 'loader'")
    load = getattr(loader, "load", None)
    if not callable(load):
        raise ProducerModuleError(
            module_name, f"has a 'loader' ({type(loader).__name__}) without a load() method"
        )
    loaded = load(prefer_system=prefer_system)
    _log("%s loaded %r", module_name, loaded)
    result: "Mapping[str, Any]" = {} if loaded is None else loaded
    return result
