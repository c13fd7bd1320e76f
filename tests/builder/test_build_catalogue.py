"""Which wheels each platform builds, and whether the scenarios only ask for those.

The catalogue is data; these checks run on any OS because they take the platform as a
:class:`~harness.platforms.Platform` object instead of asking which OS runs the test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import platforms, project
from harness.builder import catalogue, lintcheck
from harness.scenarios import parse
from harness.scenarios.schema import Scenario

LINUX, MACOS, WINDOWS = platforms.LINUX, platforms.MACOS, platforms.WINDOWS
SCENARIOS_ROOT = project.scenarios_dir(Path(__file__).parent)
SCENARIO_FILES = sorted(SCENARIOS_ROOT.glob(f"*/{parse.SCENARIO_FILE}"))


def test_every_platform_builds_the_plain_matrix() -> None:
    common = {
        "shared_lib_manager",
        "shared_lib_consumer",
        "libfoo",
        "libfoo2",
        "pyfoo",
        "pyfoo-twin",
        "pyfoo-nopreload",
        "pyfoo-vendored",
        "libbar",
        "pybar",
        "libclasha",
        "libclashb",
        "pyclasha",
        "pyclashb",
        "libfoo-system",
    }
    for platform in (LINUX, MACOS, WINDOWS):
        assert common <= set(catalogue.ids_on(platform)), platform.name


def test_platform_specific_variants_are_left_out_where_they_mean_nothing() -> None:
    linux, macos, windows = (set(catalogue.ids_on(p)) for p in (LINUX, MACOS, WINDOWS))
    assert {"libfoo-nosoname", "pyfoo-rpath"} <= linux
    assert "libfoo-nosoname" not in macos and "pyfoo-rpath" in macos  # no SONAME; has LC_RPATH
    assert not {"libfoo-nosoname", "pyfoo-rpath"} & windows  # neither SONAME nor RPATH
    assert "libfoo-linkerscript" in linux  # GNU ld scripts exist for ELF toolchains only
    assert "libfoo-linkerscript" not in macos and "libfoo-linkerscript" not in windows
    wheels = [s for s in catalogue.WHEELS if not (s.editable_only or s.source_only)]
    assert len(linux) == len(wheels) + len(catalogue.PREFIXES)


@pytest.mark.parametrize("wheel_id", ["libfoo-meson", "libfoo-meson-tree"])
def test_editable_only_variants_are_never_built_as_wheels(wheel_id: str) -> None:
    spec = catalogue.WHEELS_BY_ID[wheel_id]
    assert spec.editable_only and spec.platforms == catalogue.EVERY_PLATFORM
    for platform in (LINUX, MACOS, WINDOWS):
        assert wheel_id not in catalogue.ids_on(platform)
        with pytest.raises(catalogue.NotOnPlatformError, match="never built as a wheel"):
            catalogue.closure([wheel_id], platform)
    # what it needs at run time is built everywhere it is installed editable
    assert catalogue.closure(spec.requires, LINUX) == ["shared_lib_manager"]


def test_source_only_variants_are_never_built_as_wheels() -> None:
    spec = catalogue.WHEELS_BY_ID["pyfoo-buildtree"]
    assert spec.source_only and spec.platforms == frozenset({"linux", "macos"})
    for platform in (LINUX, MACOS, WINDOWS):
        assert "pyfoo-buildtree" not in catalogue.ids_on(platform)
        with pytest.raises(catalogue.NotOnPlatformError, match="from its sdist"):
            catalogue.closure(["pyfoo-buildtree"], platform)
    # its build input and run-time needs are built where it is installed from source
    assert catalogue.build_inputs(spec) == ["shared_lib_manager", "libfoo"]


def test_ids_keep_catalogue_order() -> None:
    order = [spec.id for spec in catalogue.WHEELS] + [spec.id for spec in catalogue.PREFIXES]
    for platform in (LINUX, MACOS, WINDOWS):
        ids = catalogue.ids_on(platform)
        assert ids == [item for item in order if item in ids]


@pytest.mark.parametrize(
    ("platform", "wheel_id", "built_on"),
    [
        (WINDOWS, "pyfoo-rpath", "linux, macos"),
        (MACOS, "libfoo-nosoname", "linux"),
        (WINDOWS, "libfoo-nosoname", "linux"),
        (MACOS, "libfoo-linkerscript", "linux"),
        (WINDOWS, "libfoo-linkerscript", "linux"),
    ],
    ids=lambda value: value.name if isinstance(value, platforms.Platform) else str(value),
)
def test_asking_for_a_wheel_the_platform_does_not_build_names_the_platform(
    platform: platforms.Platform, wheel_id: str, built_on: str
) -> None:
    with pytest.raises(catalogue.NotOnPlatformError) as caught:
        catalogue.closure([wheel_id], platform)
    message = str(caught.value)
    assert f"{wheel_id!r} is not built on {platform.name}" in message
    assert f"on {built_on} only" in message
    assert "harness/builder/catalogue.py" in message
    # still an unknown id to callers that only catch that (harness build, the runner)
    assert isinstance(caught.value, catalogue.UnknownIdError)


def test_the_same_ids_resolve_on_their_own_platform() -> None:
    assert catalogue.closure(["pyfoo-rpath"], MACOS)[-1] == "pyfoo-rpath"
    assert catalogue.closure(["libfoo-nosoname"], LINUX) == [
        "shared_lib_manager",
        "libfoo-nosoname",
    ]
    assert catalogue.closure(["pyfoo-rpath"]) == catalogue.closure(["pyfoo-rpath"], LINUX)


@pytest.mark.parametrize("spec", catalogue.WHEELS, ids=lambda spec: spec.id)
def test_everything_a_wheel_needs_is_built_wherever_the_wheel_is(
    spec: catalogue.WheelSpec,
) -> None:
    assert spec.platforms <= catalogue.EVERY_PLATFORM and spec.platforms, spec.id
    assert set(spec.expected_lint_on) <= spec.platforms, spec.id
    for name in sorted(spec.platforms):
        # raises if a dependency is missing (an editable-only project: what it needs)
        from_source = spec.editable_only or spec.source_only
        needed = [*spec.build_requires, *spec.requires] if from_source else [spec.id]
        catalogue.closure(needed, platforms.ALL[name])


def test_expected_lint_per_platform() -> None:
    linux, macos, windows = (lintcheck.expected_from_catalogue(p) for p in (LINUX, MACOS, WINDOWS))
    assert linux["libfoo-nosoname"] == {"SLI001"}
    assert "libfoo-nosoname" not in macos and "libfoo-nosoname" not in windows
    assert linux["libfoo-linkerscript"] == frozenset()  # the lint does not read declarations
    assert linux["pyfoo-rpath"] == macos["pyfoo-rpath"] == {"SLI006"}
    assert "pyfoo-rpath" not in windows
    for expected in (linux, macos, windows):
        # the vendored copy is the wheel's own (SLI004), not a near miss of the producer (SLI003)
        assert expected["pyfoo-vendored"] == {"SLI004"}
        assert expected["pyfoo"] == expected["libfoo"] == frozenset()


def test_a_per_platform_expectation_replaces_the_default() -> None:
    spec = catalogue.WheelSpec(
        "x",
        "pyfoo",
        "x",
        "1.0",
        "consumer",
        expected_lint=frozenset({"SLI004"}),
        expected_lint_on={"windows": frozenset({"SLI003"})},
    )
    assert spec.lint_expected_on(LINUX) == {"SLI004"}
    assert spec.lint_expected_on(WINDOWS) == {"SLI003"}


# -- scenarios name only wheels their platforms build ------------------------------------


def wheels_missing_on_declared_platforms(scenario: Scenario) -> list[str]:
    """One line per (platform, id) a scenario declares but the catalogue does not build
    (``[wheels]`` ids name files outside the catalogue; an editable install names a
    project, which needs no wheel but must be declared for the platform)."""
    wanted = [
        wheel_id
        for install in scenario.installs
        for wheel_id in install.wheels
        if wheel_id not in scenario.wheel_files and install.location != "editable"
    ]
    projects = {w for i in scenario.installs if i.location == "editable" for w in i.wheels}
    projects |= {w for install in scenario.installs for w in install.sdists}  # from source
    wanted += sorted({w for install in scenario.installs for w in install.sdists})
    if scenario.system is not None:
        wanted.append(scenario.system.prefix)
    problems = []
    for name in scenario.platforms:
        available = set(catalogue.ids_on(platforms.ALL[name]))
        available |= {
            w
            for w in projects
            if w in catalogue.WHEELS_BY_ID and name in catalogue.WHEELS_BY_ID[w].platforms
        }
        for wheel_id in dict.fromkeys(wanted):
            if wheel_id not in available:
                problems.append(f"{scenario.name}: {name} has no {wheel_id!r}")
    return problems


def test_there_are_scenarios_to_check() -> None:
    assert len(SCENARIO_FILES) >= 10, SCENARIOS_ROOT


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda path: path.parent.name)
def test_scenario_names_only_wheels_of_its_platforms(path: Path) -> None:
    scenario = parse.load(path)
    assert wheels_missing_on_declared_platforms(scenario) == [], (
        f"{path}: fix its `platforms` list or the catalogue's WheelSpec.platforms"
    )


def _scenario(platforms_list: list[str], wheels: list[str], system: str | None = None) -> Scenario:
    data: dict[str, object] = {
        "schema": 1,
        "description": "a scenario of the test",
        "platforms": platforms_list,
        "install": [{"location": "site", "wheels": wheels}],
        "steps": [{"id": "import", "import": "pyfoo_rpath"}],
    }
    if system is not None:
        data["system"] = {"prefix": system}
    return parse.from_dict(data, Path("negative-control") / parse.SCENARIO_FILE)


def test_negative_control_a_windows_scenario_with_the_rpath_consumer_is_reported() -> None:
    scenario = _scenario(["linux", "windows"], ["libfoo", "pyfoo-rpath", "libfoo-nosoname"])
    assert wheels_missing_on_declared_platforms(scenario) == [
        "negative-control: windows has no 'pyfoo-rpath'",
        "negative-control: windows has no 'libfoo-nosoname'",
    ]
    assert wheels_missing_on_declared_platforms(_scenario(["linux"], ["pyfoo-rpath"])) == []


def test_negative_control_an_editable_only_project_installed_as_a_wheel_is_reported() -> None:
    scenario = _scenario(["linux"], ["libfoo-meson"])
    assert wheels_missing_on_declared_platforms(scenario) == [
        "negative-control: linux has no 'libfoo-meson'"
    ]
