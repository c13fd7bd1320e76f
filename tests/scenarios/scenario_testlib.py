"""Scenario texts and evidence documents shared by the scenario tests.

Kept out of conftest.py so test modules import it by a name unique in the suite.
"""

from __future__ import annotations

import base64
import hashlib
import textwrap
import zipfile
from pathlib import Path
from typing import Any

VALID = textwrap.dedent(
    """
    schema = 1
    description = "producer and consumer in one site dir"
    platforms = ["linux", "macos", "windows"]
    layouts = ["venv"]
    installers = ["uv", "pip"]

    [[install]]
    location = "site"
    wheels = ["shared_lib_manager", "shared_lib_consumer", "libfoo", "pyfoo"]

    [[steps]]
    id = "import"
    import = "pyfoo"

    [[steps]]
    id = "identity"
    call = "pyfoo.identity"
    expect = { value = "libfoo 1.0 wheel" }

    [libraries.libfoo]
    location = "site"
    copies = 1
    identity = "libfoo 1.0 wheel"

    [symbols]
    not_global = ["foo_identity"]
    """
)


SITE = "/cell/venv/lib/python3.11/site-packages"
TARGET = "/cell/target"


def evidence_document(**overrides: Any) -> dict[str, Any]:
    """An evidence document (schema 1) as the probe writes it for venv-basic, passing.

    Used only by the tests of the pure expectation logic; everything that runs a layout
    uses the real probe.
    """
    document: dict[str, Any] = {
        "schema": 1,
        "python": {"version": "3.11.7", "executable": "/cell/venv/bin/python", "platform": "linux"},
        "steps": [
            {"id": "import", "ok": True, "value": None, "error": None},
            {"id": "identity", "ok": True, "value": "libfoo 1.0 wheel", "error": None},
        ],
        "loaded": [
            {"path": "/usr/lib/x86_64-linux-gnu/libc.so.6"},
            {"path": f"{SITE}/libfoo/lib/libfoo.so.1"},
            {"path": f"{SITE}/pyfoo/_pyfoo.cpython-311-x86_64-linux-gnu.so"},
        ],
        "symbols": {"foo_identity": {"global": False, "defined_by": None}},
        "identities": [
            {
                "path": f"{SITE}/libfoo/lib/libfoo.so.1",
                "function": "foo_identity",
                "value": "libfoo 1.0 wheel",
            }
        ],
    }
    document.update(overrides)
    return document


LOCATIONS = {"site": Path(SITE), "target": Path(TARGET)}


def pure_wheel(
    directory: Path,
    dist: str,
    module: str,
    source: str,
    *,
    version: str = "1.0",
    requires: str = "",
) -> Path:
    """A pure wheel of distribution ``dist`` (``shared-lib-manager``) whose package
    ``module`` holds ``source`` in its ``__init__.py``: wheels no build would make."""
    stem = dist.replace("-", "_")
    info = f"{stem}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n"
    if requires:
        metadata += f"Requires-Dist: {requires}\n"
    files = {
        f"{module}/__init__.py": source,
        f"{info}/METADATA": metadata,
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    record = []
    for name, text in files.items():
        data = text.encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    files[f"{info}/RECORD"] = "\n".join([*record, f"{info}/RECORD,,"]) + "\n"
    path = directory / f"{stem}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path
