"""A producer and a consumer written against the reference API work unchanged.

The producer package, its consumer package and the consumer's native library sit in
three different directories (as with ``--target`` or split installs); only the
preload lets the consumer's DT_NEEDED resolve.
"""

from __future__ import annotations

from pathlib import Path

from loader_testlib import LINUX_ONLY, build_dep, build_user, clean_env, evidence, run_python

pytestmark = LINUX_ONLY

# Written the way existing producer wheels call the reference API.
PRODUCER_LOAD_PY = """
from pathlib import Path

from shared_lib_manager import LibraryLoader, PlatformLibrary

_lib_dir = Path(__file__).parent / "lib"

loader = LibraryLoader(
    {
        "libdep": PlatformLibrary(
            Linux=_lib_dir / "libdep.so.1",
            Darwin=_lib_dir / "libdep.1.dylib",
            Windows=_lib_dir / "dep.dll",
        ),
    }
)
"""

CONSUMER_INIT_PY = """
import ctypes
import os

import shared_lib_consumer

shared_lib_consumer.load_library_module("refproducer.load")
shared_lib_consumer.load_library_module("refproducer.load", prefer_system=False)
shared_lib_consumer.load_library_module("refproducer_not_installed")

_native = ctypes.CDLL(os.path.join(os.path.dirname(__file__), "libuser.so"))


def value():
    return _native.user_value()
"""


def test_reference_style_producer_and_consumer(tmp_path: Path) -> None:
    producer_root = tmp_path / "site"
    consumer_root = tmp_path / "target"
    dep = build_dep(producer_root / "refproducer" / "lib", "wheel")
    (producer_root / "refproducer" / "__init__.py").write_text("", encoding="utf-8")
    (producer_root / "refproducer" / "load.py").write_text(PRODUCER_LOAD_PY, encoding="utf-8")
    build_user(consumer_root / "refconsumer", dep)
    (consumer_root / "refconsumer" / "__init__.py").write_text(CONSUMER_INIT_PY, encoding="utf-8")
    env = clean_env()
    env["PYTHONPATH"] = f"{env['PYTHONPATH']}:{producer_root}:{consumer_root}"

    code = """
import refconsumer
from refproducer.load import loader
loader.load(["libdep"], prefer_system=False)
emit(value=refconsumer.value(), loaded={k: v.path for k, v in loader.load().items()},
     copies=mapped("libdep"))
"""
    seen = evidence(run_python(code, env=env))

    assert seen["value"] == 42
    assert seen["loaded"] == {"libdep": str(dep)}
    assert seen["copies"] == [str(dep)]
