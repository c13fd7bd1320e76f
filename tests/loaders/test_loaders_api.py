"""The manager's API in-process: the boolean table, errors, validation, records, logging.

Libraries loaded here get names unique to the test (tmp_path), so the pytest process
never holds two libraries with one SONAME.
"""

from __future__ import annotations

import logging
import os
import pickle
import sys
from pathlib import Path

import pytest
import shared_lib_manager as slm
from loader_testlib import (
    LINUX_ONLY,
    MANAGER_DIR,
    build_dep,
    build_user,
    clean_env,
    evidence,
    run_python,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        ("", False),
        ("0", False),
        ("false", False),
        ("False", False),
        ("no", False),
        ("OFF", False),
        (" off ", False),
        ("1", True),
        ("true", True),
        ("TRUE", True),
        ("yes", True),
        ("On", True),
        (" 1\n", True),
    ],
)
def test_boolean_table(value: str | None, expected: bool) -> None:
    assert slm.parse_bool("PREFER_X_SYSTEM_LIBRARY", value) is expected


@pytest.mark.parametrize("value", ["2", "-1", "y", "n", "enable", "maybe", "truee", "0.0"])
def test_bad_boolean_names_variable_and_value(value: str) -> None:
    with pytest.raises(slm.EnvironmentValueError) as caught:
        slm.parse_bool("PREFER_LIBFOO_SYSTEM_LIBRARY", value)
    assert isinstance(caught.value, ValueError)
    assert caught.value.variable == "PREFER_LIBFOO_SYSTEM_LIBRARY"
    assert caught.value.value == value
    assert f"PREFER_LIBFOO_SYSTEM_LIBRARY={value!r}" in str(caught.value)
    assert "1, true, yes, on" in str(caught.value)


@pytest.mark.parametrize(
    ("name", "variable"),
    [
        ("libfoo", "PREFER_LIBFOO_SYSTEM_LIBRARY"),
        ("cudart", "PREFER_CUDART_SYSTEM_LIBRARY"),
        ("foo-bar.x", "PREFER_FOO_BAR_X_SYSTEM_LIBRARY"),
        ("naïve", "PREFER_NA_VE_SYSTEM_LIBRARY"),
    ],
)
def test_variable_name(name: str, variable: str) -> None:
    assert slm.prefer_system_variable(name) == variable


def _unique_lib(tmp_path: Path) -> tuple[str, Path]:
    name = "libslm" + str(abs(hash(tmp_path)))
    return name, build_dep(tmp_path, "wheel", file_name=f"{name}.so.1", soname=f"{name}.so.1")


@LINUX_ONLY
def test_bad_environment_value_fails_before_loading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, path = _unique_lib(tmp_path)
    variable = slm.prefer_system_variable(name)
    monkeypatch.setenv(variable, "sometimes")
    loader = slm.LibraryLoader({name: slm.PlatformLibrary(Linux=path)})

    with pytest.raises(slm.EnvironmentValueError, match=variable):
        loader.load()
    assert loader.loaded == {}


@LINUX_ONLY
@pytest.mark.parametrize(("value", "source"), [("yes", "wheel-fallback"), ("no", "wheel")])
def test_environment_value_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str, source: str
) -> None:
    name, path = _unique_lib(tmp_path)
    monkeypatch.setenv(slm.prefer_system_variable(name), value)

    record = slm.LibraryLoader({name: slm.PlatformLibrary(Linux=path)}).load()[name]

    assert record.source == source
    assert record.path == str(path)


@LINUX_ONLY
def test_load_returns_records_and_is_idempotent(tmp_path: Path) -> None:
    name, path = _unique_lib(tmp_path)
    loader = slm.LibraryLoader({name: slm.PlatformLibrary(Linux=path)})

    first = loader.load()
    second = loader.load([name], prefer_system=True)

    assert list(first) == [name]
    assert second[name] is first[name], "a loaded library is never loaded again"
    assert first[name].handle.dep_value() == 41
    assert repr(first[name]) == f"LoadedLibrary(name={name!r}, path={str(path)!r}, source='wheel')"
    with pytest.raises(AttributeError):
        first[name].path = "/elsewhere"  # type: ignore[misc]


@LINUX_ONLY
def test_debug_log_says_where_each_library_came_from(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    name, path = _unique_lib(tmp_path)
    with caplog.at_level(logging.DEBUG, logger="shared_lib_manager"):
        slm.LibraryLoader({name: slm.PlatformLibrary(Linux=path)}).load(prefer_system=True)

    messages = [(r.name, r.getMessage()) for r in caplog.records]
    assert (
        "shared_lib_manager",
        f"{name}: no system copy of '{name}.so.1' found, using the wheel's",
    ) in messages
    assert ("shared_lib_manager", f"{name}: loaded {path} (wheel-fallback)") in messages


def test_missing_file_error_names_library_paths_and_fix(tmp_path: Path) -> None:
    missing = tmp_path / "gone" / "libgone.so.1"
    loader = slm.LibraryLoader(
        {"libgone": slm.PlatformLibrary(Linux=missing, Darwin=missing, Windows=missing)}
    )

    with pytest.raises(slm.LibraryLoadError) as caught:
        loader.load()

    error = caught.value
    assert isinstance(error, OSError)
    assert error.library == "libgone"
    assert error.tried == (f"wheel path {missing}",)
    assert error.system_search_tried is False
    assert error.missing_file is True
    text = str(error)
    assert text.splitlines()[0] == "could not load library 'libgone'"
    assert f"    - wheel path {missing}: " in text
    assert error.platform_message and error.platform_message in text
    assert "system search: not tried (PREFER_LIBGONE_SYSTEM_LIBRARY is not true" in text
    assert "fix: the library file is missing; reinstall the package that ships it" in text
    assert "set PREFER_LIBGONE_SYSTEM_LIBRARY=1" in text
    assert loader.loaded == {}
    restored = pickle.loads(pickle.dumps(error))
    assert str(restored) == text


def test_missing_file_with_system_search_lists_both_attempts(tmp_path: Path) -> None:
    missing = tmp_path / "libgone2.so.1"
    loader = slm.LibraryLoader(
        {"libgone2": slm.PlatformLibrary(Linux=missing, Darwin=missing, Windows=missing)}
    )

    with pytest.raises(slm.LibraryLoadError) as caught:
        loader.load(prefer_system=True)

    assert caught.value.tried == ("system search for 'libgone2.so.1'", f"wheel path {missing}")
    assert caught.value.system_search_tried is True
    assert "system search: tried first, nothing usable found" in str(caught.value)


@LINUX_ONLY
def test_unloadable_file_error_points_at_dependencies(tmp_path: Path) -> None:
    dep = build_dep(
        tmp_path / "elsewhere", "wheel", file_name="libslmgone.so.1", soname="libslmgone.so.1"
    )
    user = build_user(tmp_path / "lib", dep, file_name="libslmuser.so")

    with pytest.raises(slm.LibraryLoadError) as caught:
        slm.LibraryLoader({"libslmuser": slm.PlatformLibrary(Linux=user)}).load()

    assert caught.value.missing_file is False
    assert "libslmgone.so.1: cannot open shared object file" in caught.value.platform_message
    assert "the file exists but the platform loader rejected it" in str(caught.value)


def test_platform_library_validation(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"str or os\.PathLike"):
        slm.PlatformLibrary(Linux=3)  # type: ignore[arg-type]
    relative = "lib/libfoo.so.1"
    system = {"linux": "Linux", "darwin": "Darwin", "win32": "Windows"}.get(sys.platform)
    if system is not None:
        with pytest.raises(ValueError, match="must be absolute"):
            slm.PlatformLibrary(**{system: relative})
    with pytest.raises(TypeError, match="callable"):
        slm.PlatformLibrary(default="/x/libfoo.so")  # type: ignore[arg-type]
    library = slm.PlatformLibrary(Linux=tmp_path / "a.so", default=lambda: str(tmp_path / "b.so"))
    assert library.Linux == str(tmp_path / "a.so")
    assert library.path("Linux") == str(tmp_path / "a.so")
    assert library.path("FreeBSD") == str(tmp_path / "b.so")


def test_loader_validation_and_unknown_names(tmp_path: Path) -> None:
    with pytest.raises(
        TypeError, match="'libfoo': expected a non-empty name and a PlatformLibrary, got str"
    ):
        slm.LibraryLoader({"libfoo": "/x/libfoo.so"})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="declares no path for this platform"):
        slm.LibraryLoader({"libfoo": slm.PlatformLibrary()})
    path = tmp_path / "libnever.so"
    loader = slm.LibraryLoader({"libnever": slm.PlatformLibrary(default=lambda: path)})
    assert loader.names == ("libnever",)
    with pytest.raises(
        ValueError, match="unknown library 'libbar'; this loader declares 'libnever'"
    ):
        loader.load(["libbar"])
    assert loader.loaded == {}


def test_default_callable_runs_at_load_not_at_construction(tmp_path: Path) -> None:
    calls: list[int] = []

    def default() -> str:
        calls.append(1)
        return os.fspath(tmp_path / "libdefault.so")

    loader = slm.LibraryLoader({"libdefault": slm.PlatformLibrary(default=default)})
    assert calls == []
    with pytest.raises(slm.LibraryLoadError, match="libdefault"):
        loader.load()
    assert calls == [1]


VENDORED = """
import mypkg._slm as slm
record = slm.LibraryLoader({"libdep": slm.PlatformLibrary(Linux=sys.argv[1])}).load()["libdep"]
loaded = {"source": record.source, "value": record.handle.dep_value()}
loader = slm.LibraryLoader({"libgone": slm.PlatformLibrary(Linux=sys.argv[2])})
try:
    loader.load()
except slm.LibraryLoadError as exc:
    emit(loaded=loaded, error=str(exc), reason=exc.reason, missing=exc.missing_file,
         diagnostics=sorted(name for name in sys.modules if name.endswith("_diagnostics")))
except ImportError as exc:
    emit(loaded=loaded, import_error=str(exc),
         diagnostics=sorted(name for name in sys.modules if name.endswith("_diagnostics")))
"""


@LINUX_ONLY
@pytest.mark.parametrize("with_diagnostics", [True, False])
def test_vendored_under_another_name_finds_its_companion_beside_it(
    tmp_path: Path, with_diagnostics: bool
) -> None:
    """Copied as ``mypkg/_slm.py``, the companion is ``mypkg/_slm_diagnostics.py``. A copy
    without it still loads what loads; a failed load then says which file is missing."""
    package = tmp_path / "mypkg"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "_slm.py").write_bytes((MANAGER_DIR / "shared_lib_manager.py").read_bytes())
    if with_diagnostics:
        source = MANAGER_DIR / "shared_lib_manager_diagnostics.py"
        (package / "_slm_diagnostics.py").write_bytes(source.read_bytes())
    dep = build_dep(tmp_path / "lib", "vendored")
    missing = tmp_path / "libgone.so.1"

    seen = evidence(
        run_python(
            f"sys.argv[1:] = {[str(dep), str(missing)]!r}" + VENDORED,
            env=clean_env(PYTHONPATH=str(tmp_path)),
        )
    )

    assert seen["loaded"] == {"source": "wheel", "value": 41}, "the hot path needs no companion"
    if with_diagnostics:
        text = str(seen["error"])
        assert text.splitlines()[:3] == [
            "could not load library 'libgone'",
            "  tried:",
            f"    - wheel path {missing}: {missing}: cannot open shared object file: "
            "No such file or directory",
        ]
        assert (seen["reason"], seen["missing"]) == ("missing", True)
        assert seen["diagnostics"] == ["mypkg._slm_diagnostics"]
        assert "fix: the library file is missing" in text
    else:
        assert seen["diagnostics"] == []
        assert seen["import_error"] == (
            "mypkg._slm needs its companion module mypkg._slm_diagnostics, which handles "
            "everything but a successful load (errors, the system-library search); vendor "
            "shared_lib_manager_diagnostics.py beside it as _slm_diagnostics.py"
        )
