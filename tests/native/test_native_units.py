"""The native runner's contract: spec validation, errors that name the fix, the build cache."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from native_testlib import call_identity, load

from harness.evidence import EvidenceError, parse
from harness.native import (
    NativeSpec,
    NativeStep,
    ToolMissingError,
    build,
    probe_run,
    run_native,
    wine,
)
from harness.vocabulary import NATIVE_LOADERS, NATIVE_LOCATIONS
from harness.workdir import WorkDir


def test_a_step_is_a_load_or_a_call() -> None:
    with pytest.raises(ValueError, match="exactly one of load or call"):
        NativeStep("x")
    with pytest.raises(ValueError, match="names the load step"):
        NativeStep("x", call="consumer_foo_identity")
    with pytest.raises(ValueError, match="mode must be"):
        NativeStep("x", load="producer", mode="lazy")  # type: ignore[arg-type]


def test_a_call_must_name_an_earlier_load_and_ids_are_unique() -> None:
    with pytest.raises(ValueError, match="no earlier load step"):
        NativeSpec(steps=[call_identity(), load("consumer", "consumer")])
    with pytest.raises(ValueError, match="repeated step id 'a'"):
        NativeSpec(steps=[load("a", "producer"), load("a", "copy")])


def test_unknown_loader_names_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="glibc, musl, wine"):
        run_native("bionic", NativeSpec(), WorkDir(tmp_path))


def test_unknown_variant_names_the_built_ones(native_workdir: WorkDir) -> None:
    spec = NativeSpec(steps=[load("x", "libfoo.so.1")])
    with pytest.raises(ValueError, match=r"no library 'libfoo.so.1' \(it has: producer, copy"):
        run_native("glibc", spec, native_workdir)


def test_pe_builds_have_no_rpath_variant() -> None:
    assert "consumer-rpath" not in build.PE_FILES, "Windows DLLs have no RPATH"


def test_a_missing_compiler_names_the_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no compiler on PATH
    error = build.missing_compiler("musl")
    assert isinstance(error, ToolMissingError)
    assert str(error) == (
        "musl-gcc not found: the musl native cells need it (Debian package: musl-tools)"
    )
    with pytest.raises(ToolMissingError, match="x86_64-w64-mingw32-gcc not found"):
        build.build("wine", WorkDir(tmp_path / "work"))
    missing_wine = wine.missing_tool()
    assert missing_wine is not None and missing_wine.tool == "wine"


def test_builds_are_cached_by_content(native_workdir: WorkDir) -> None:
    if build.missing_compiler("glibc"):
        pytest.skip(str(build.missing_compiler("glibc")))
    first = build.build("glibc", native_workdir)
    build._built.clear()  # a new process: found in the cache directory, not rebuilt
    again = build.build("glibc", native_workdir)
    assert again.root == first.root and (first.root / "build.json").is_file()
    assert first.probe.is_file() and first.library("consumer-rpath").is_file()


def test_the_evidence_names_its_loader_and_parses_unchanged(
    native_workdir: WorkDir, tmp_path: Path
) -> None:
    """The cell's own directory is read back: the newest ``native-glibc-*`` of the shared
    work dir could be another xdist worker's cell, still running."""
    if build.missing_compiler("glibc"):
        pytest.skip(str(build.missing_compiler("glibc")))
    cell = tmp_path / "cell"
    spec = NativeSpec(
        steps=[load("preload", "producer")],
        symbols=("foo_identity",),
        identity_functions=("foo_identity",),
    )
    evidence = run_native("glibc", spec, native_workdir, cell_dir=cell)
    assert evidence.python.version == "native" and evidence.loaded_source == "dl_iterate_phdr"
    out = cell / probe_run.EVIDENCE_FILE
    assert probe_run.loader_of(out) == "glibc"
    assert parse(out.read_text(encoding="utf-8")) == evidence


def test_a_bad_spec_line_is_named_by_the_probe(native_workdir: WorkDir, tmp_path: Path) -> None:
    if build.missing_compiler("glibc"):
        pytest.skip(str(build.missing_compiler("glibc")))
    probe = build.build("glibc", native_workdir).probe
    spec = tmp_path / "spec.tsv"
    spec.write_text("load\tx\n")
    result = subprocess.run(
        [str(probe), str(spec), str(tmp_path / "out.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert f"spec {spec} line 1: expected: load <TAB> id <TAB> path" in result.stderr
    assert not (tmp_path / "out.json").exists()


def test_a_path_with_a_tab_is_refused_before_running(native_workdir: WorkDir) -> None:
    spec = NativeSpec(steps=[load("x", "/tmp/a\tb.so")])
    with pytest.raises(ValueError, match="holds a tab"):
        run_native("glibc", spec, native_workdir)


def test_windows_paths_map_back_to_host_files(tmp_path: Path) -> None:
    windows = wine.to_windows(tmp_path / "lib" / "foo.dll")
    assert windows.startswith("Z:\\") and windows.endswith("\\lib\\foo.dll")
    assert wine.to_host(windows) == (tmp_path / "lib" / "foo.dll").resolve()
    prefix = tmp_path / "prefix"
    assert wine.to_host("C:\\windows\\system32\\ntdll.dll", prefix) == (
        prefix / "drive_c" / "windows" / "system32" / "ntdll.dll"
    )
    assert wine.to_host("D:\\x.dll", prefix) is None


def test_the_build_directories_are_the_vocabulary_location_labels() -> None:
    assert build.location_labels("glibc") == NATIVE_LOCATIONS
    assert build.location_labels("musl") == NATIVE_LOCATIONS
    assert build.location_labels("wine") == tuple(
        label for label in NATIVE_LOCATIONS if label != "consumer-rpath"
    )
    assert build.LOADERS == NATIVE_LOADERS


def test_the_loader_field_is_optional_and_checked() -> None:
    base = {"schema": 1, "python": {"version": "native", "executable": "/p", "platform": "linux"},
            "steps": [], "loaded": [], "symbols": {}, "identities": []}  # fmt: skip
    assert parse(base).loader is None, "the Python probe writes no loader"
    musl = parse({**base, "loader": {"name": "musl", "version": None}})
    assert musl.loader is not None and (musl.loader.name, musl.loader.version) == ("musl", None)
    with pytest.raises(EvidenceError, match=r"evidence\.loader: missing field 'name'"):
        parse({**base, "loader": {"version": "2.36"}})
    with pytest.raises(EvidenceError, match=r"evidence\.loader\.version: expected a string"):
        parse({**base, "loader": {"name": "glibc", "version": 2.36}})
