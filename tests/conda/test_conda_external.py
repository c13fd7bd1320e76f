"""The external backend: a real conda tool with conda-forge's python plus the local libfoo.

The channel part runs everywhere cmake does; the prefix part needs micromamba, mamba
or conda that can reach the remote channel (CI), and is skipped otherwise.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from harness import platforms
from harness.conda import channel as local_channel
from harness.conda import conda_paths, cpython, external, prefix
from harness.workdir import WorkDir

CROSS_PLATFORM = True
"""tests/conda/conftest.py: these tests do not need the Linux-only local python package."""


def test_external_channel_keys_hold_only_libfoo(interpreter: Path) -> None:
    install = cpython.inspect(interpreter)
    source = prefix.default_libfoo_source()
    keys = local_channel.package_keys(install, source, with_python=False)
    assert sorted(keys) == ["libfoo1", "libfoo2"]
    assert local_channel.channel_key(install, source, with_python=False) != (
        local_channel.channel_key(install, source)
    )


@pytest.mark.slow
def test_external_channel_is_indexed_for_this_machine(tmp_path: Path, interpreter: Path) -> None:
    built = local_channel.ensure_channel(
        WorkDir(tmp_path / "work"),
        cpython.inspect(interpreter),
        prefix.default_libfoo_source(),
        with_python=False,
    )
    native, noarch = built.subdirs
    assert noarch == "noarch"
    repodata = json.loads((built.path / native / "repodata.json").read_text())
    records = sorted(
        (r["name"], r["version"], r["subdir"]) for r in repodata["packages.conda"].values()
    )
    assert records == [("libfoo", "1.0", native), ("libfoo", "2.0", native)]
    local_channel.verify_channel(built.path, built.subdirs)


@pytest.mark.slow
@pytest.mark.skipif(
    external.available() is None,
    reason="no micromamba/mamba/conda that reaches the remote conda channel "
    f"(${external.EXE_ENV}, ${external.CHANNEL_ENV})",
)
def test_external_prefix_has_remote_python_and_local_libfoo(
    tmp_path: Path, interpreter: Path
) -> None:
    made = prefix.create_prefix(
        WorkDir(tmp_path / "work"),
        interpreter,
        tmp_path / "env",
        ["libfoo 1.*"],
        backend="external",
    )
    assert made.backend == "external"
    records = {
        json.loads(p.read_text())["name"]: json.loads(p.read_text())
        for p in (made.path / "conda-meta").glob("*.json")
    }
    assert external.remote_channel() in records["python"]["channel"]
    assert records["libfoo"]["channel"].startswith("file:")
    here = platforms.current()
    library = conda_paths.library_path(made.path, here, "foo", 1)
    assert library.relative_to(made.path).as_posix() in records["libfoo"]["files"]
    code = (
        "import ctypes, sys; f = ctypes.CDLL(sys.argv[1]).foo_identity; "
        "f.restype = ctypes.c_char_p; print(f().decode())"
    )
    done = subprocess.run(
        [str(made.python), "-c", code, str(library)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "libfoo 1.0 conda"
