"""pybar: a consumer of libbar, whose library needs libfoo (the two-level chain)."""

from shared_lib_consumer import load_library_module

# libbar's loader gets libfoo loaded first, then libbar.
load_library_module("libbar")

from ._pybar import foo_identity, identity  # noqa: E402

__all__ = ["foo_identity", "identity"]
