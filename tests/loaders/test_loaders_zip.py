"""A producer imported from a zip on ``sys.path`` gets a clear error, not a bare "not found".

zipimport serves the producer's Python files from the archive and sets ``__file__`` inside
it, so the path the producer builds for its library points into the zip, where no
dynamic loader can open a file. The producer and its real gcc-built library are zipped
the way a zipapp or a zipped site directory would hold them; the control puts the very
same tree unpacked on ``sys.path``. The loader is installed beside the zip, or vendored
inside it (then its diagnostics module is imported from the zip as well).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from loader_testlib import LINUX_ONLY, MANAGER_DIR, build_dep, clean_env, evidence, run_python

pytestmark = LINUX_ONLY

PRODUCER_INIT = """
import os

from {loader_module} import LibraryLoader, PlatformLibrary

loader = LibraryLoader(
    {{"libdep": PlatformLibrary(Linux=os.path.join(os.path.dirname(__file__), "lib", "libdep.so.1"))}}
)
"""

IMPORT_AND_LOAD = """
import zipprod
error_type = sys.modules[zipprod.LibraryLoader.__module__].LibraryLoadError
where = dict(file=zipprod.__file__, importer=type(zipprod.__loader__).__name__)
try:
    record = zipprod.loader.load()["libdep"]
    emit(error=None, source=record.source, path=record.path, copies=mapped("libdep"), **where)
except error_type as exc:
    emit(error=str(exc), reason=exc.reason, archive=exc.archive, library=exc.library,
         copies=mapped("libdep"), **where)
"""


def _producer_tree(root: Path, vendored: bool) -> None:
    package = root / "zipprod"
    build_dep(package / "lib", "wheel")
    module = "zipprod._vendor.shared_lib_manager" if vendored else "shared_lib_manager"
    (package / "__init__.py").write_text(
        PRODUCER_INIT.format(loader_module=module), encoding="utf-8"
    )
    if vendored:
        (package / "_vendor").mkdir()
        (package / "_vendor" / "__init__.py").write_text("", encoding="utf-8")
        for name in ("shared_lib_manager.py", "shared_lib_manager_diagnostics.py"):
            (package / "_vendor" / name).write_bytes((MANAGER_DIR / name).read_bytes())


def _zip(tree: Path, archive: Path) -> Path:
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(tree.rglob("*")):
            zipped.write(path, path.relative_to(tree).as_posix())
    return archive


def _run(entry: Path, vendored: bool) -> dict[str, object]:
    env = clean_env()
    search = [str(entry)] if vendored else [str(entry), env["PYTHONPATH"]]
    env["PYTHONPATH"] = ":".join(search)
    return evidence(run_python(IMPORT_AND_LOAD, env=env))


@pytest.mark.parametrize("vendored", [False, True], ids=["installed-loader", "vendored-loader"])
def test_library_inside_a_zip_says_so_and_what_to_do(tmp_path: Path, vendored: bool) -> None:
    _producer_tree(tmp_path / "tree", vendored)
    archive = _zip(tmp_path / "tree", tmp_path / "producer.zip")

    seen = _run(archive, vendored)

    assert seen["importer"] == "zipimporter", "the producer really came from the zip"
    assert seen["file"] == str(archive / "zipprod" / "__init__.py")
    assert (seen["library"], seen["reason"], seen["archive"]) == (
        "libdep",
        "in-archive",
        str(archive),
    )
    message = str(seen["error"])
    assert f"lies inside the zip archive {archive}" in message
    assert "a shared library cannot be loaded from inside an archive" in message
    assert "install the package's wheel unpacked" in message
    assert "reinstall" not in message, "not the advice for a missing file"
    assert seen["copies"] == []


@pytest.mark.parametrize("vendored", [False, True], ids=["installed-loader", "vendored-loader"])
def test_control_the_same_tree_unpacked_loads(tmp_path: Path, vendored: bool) -> None:
    _producer_tree(tmp_path / "tree", vendored)

    seen = _run(tmp_path / "tree", vendored)

    assert seen["importer"] == "SourceFileLoader"
    library = tmp_path / "tree" / "zipprod" / "lib" / "libdep.so.1"
    assert (seen["error"], seen["source"], seen["path"]) == (None, "wheel", str(library))
    assert seen["copies"] == [str(library)]
