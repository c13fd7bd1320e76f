"""Native cells for the loader tests: the run's work dir, the Wine session, spec builders.

The native builds and the Wine prefix live in the run's work directory
(``$HARNESS_WORKDIR``, tox: ``.harness/``), not in a per-session temporary one: a Wine
prefix costs seconds and about 700 MB to create, and is meant to be created once and
reused (``harness.native.wine``). Cells get fresh directories under its ``cells/``.
A loader whose tools are missing skips its tests with the tool's name; CI installs them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from native_testlib import PathOf, RunCell

from harness.evidence import Evidence
from harness.native import NativeSpec, NativeStep, build, run_native, wine
from harness.workdir import WorkDir


@pytest.fixture(scope="session")
def native_workdir() -> WorkDir:
    return WorkDir()


def _require(loader: str) -> None:
    missing = build.missing_compiler(loader)
    if missing is None and loader == "wine":
        missing = wine.missing_tool()
    if missing is not None:
        pytest.skip(str(missing))


@pytest.fixture(scope="session")
def wine_session(native_workdir: WorkDir) -> Iterator[wine.WineSession]:
    _require("wine")
    with wine.WineSession(native_workdir) as session:
        yield session


@pytest.fixture
def run_cell(native_workdir: WorkDir, request: pytest.FixtureRequest) -> RunCell:
    """``run_cell(loader, *steps, symbols=..., identities=...)`` -> the cell's evidence."""

    def run(
        loader: str,
        *steps: NativeStep,
        symbols: tuple[str, ...] = ("foo_identity",),
        identities: tuple[str, ...] = ("foo_identity",),
    ) -> Evidence:
        _require(loader)
        session = request.getfixturevalue("wine_session") if loader == "wine" else None
        spec = NativeSpec(steps=steps, symbols=symbols, identity_functions=identities)
        return run_native(loader, spec, native_workdir, session=session)

    return run


@pytest.fixture
def library(native_workdir: WorkDir) -> PathOf:
    """``library(loader, variant)`` -> the path the evidence shows for that built file."""

    def path_of(loader: str, variant: str) -> str:
        _require(loader)
        built = build.build(loader, native_workdir).library(variant)
        return wine.to_windows(built) if loader == "wine" else str(built.resolve())

    return path_of
