"""``sdists`` and ``build-isolation`` in ``[[install]]``; the helpers of source builds.

The real builds run in the sdist scenarios and tests/builder/test_build_sdists.py; here,
the parsing and the decisions made before any installer runs, each with its failing twin.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from harness.builder.supply import SupplyError, WheelSupply
from harness.envs.layout import LayoutError
from harness.envs.source_builds import check_sdists, constraint_lines
from harness.inspect.build_env import embedded_paths, in_build_env, vanished
from harness.installs import InstallRequest
from harness.scenarios import parse

_SDIST = """
schema = 1
description = "d"
[[steps]]
import = "pyfoo"
[[install]]
wheels = ["shared_lib_consumer"]
location = "{location}"
{extra}
"""


def test_sdists_and_build_isolation_are_read(write_scenario: Callable[[str, str], Path]) -> None:
    text = _SDIST.format(location="site", extra='sdists = ["pyfoo"]\nbuild-isolation = false')
    (install,) = parse.load(write_scenario("ok", text)).installs
    assert (install.wheels, install.sdists, install.build_isolation) == (
        ("shared_lib_consumer",),
        ("pyfoo",),
        False,
    )
    plain = parse.load(write_scenario("plain", _SDIST.format(location="site", extra="")))
    assert (plain.installs[0].sdists, plain.installs[0].build_isolation) == ((), True)


SDIST_ERRORS = {
    "editable": ('sdists = ["pyfoo"]', "sdists", "cannot be installed into location 'editable'"),
    "zip": ('sdists = ["pyfoo"]', "sdists", "cannot be installed into location 'zip'"),
    "site": ("build-isolation = false", "build-isolation", "applies to sdists only"),
}
"""location -> (the table's extra lines, the key named, words of the problem)."""


def test_sdist_errors_name_the_key(write_scenario: Callable[[str, str], Path]) -> None:
    for location, (extra, key, words) in SDIST_ERRORS.items():
        text = _SDIST.format(location=location, extra=extra)
        with pytest.raises(parse.ScenarioError) as raised:
            parse.load(write_scenario(f"bad-{location}", text))
        assert f"key `install[0].{key}`" in str(raised.value), location
        assert words in str(raised.value), location
    bad_id = _SDIST.format(location="site", extra='sdists = ["py foo"]')
    with pytest.raises(parse.ScenarioError, match=r"'py foo' is not a wheel id"):
        parse.load(write_scenario("bad-id", bad_id))


def test_constraints_leave_out_the_distribution_being_built(tmp_path: Path) -> None:
    wheels = (tmp_path / "libfoo-1.0-py3-none-any.whl", tmp_path / "shared_lib_manager-0.3.whl")
    pinned = constraint_lines(wheels, "pyfoo")
    assert [line.split(" @ ")[0] for line in pinned] == ["libfoo", "shared-lib-manager"]
    assert pinned[0].endswith("/libfoo-1.0-py3-none-any.whl")
    # the producer's own sdist must not be pinned to its wheel (pip would refuse it)
    assert [line.split(" @ ")[0] for line in constraint_lines(wheels, "libfoo")] == [
        "shared-lib-manager"
    ]


def test_a_missing_sdist_or_requirements_dir_is_a_clear_error(tmp_path: Path) -> None:
    sdist = tmp_path / "pyfoo-1.0.tar.gz"
    sdist.write_bytes(b"")
    ok = InstallRequest(location="site", wheels=(), sdists=(sdist,), find_links=tmp_path)
    check_sdists(ok, "site")
    with pytest.raises(LayoutError, match=r"is not an existing \.tar\.gz file"):
        check_sdists(InstallRequest("site", (), sdists=(tmp_path / "x.tar.gz",)), "site")
    with pytest.raises(LayoutError, match="need a directory of their build requirements"):
        check_sdists(InstallRequest("site", (), sdists=(sdist,)), "site")


def test_build_env_paths_are_recognised_and_vanished_only_when_gone(tmp_path: Path) -> None:
    pip_env = "/tmp/pip-build-env-ab12/overlay/lib/python3.9/site-packages/libfoo/lib"
    uv_env = "/home/dev/.cache/uv/builds-v0/.tmpAbC123/lib/python3.13/site-packages/libfoo/lib"
    assert in_build_env(pip_env) and in_build_env(uv_env)
    assert not in_build_env("/usr/lib/x86_64-linux-gnu")
    assert not in_build_env("$ORIGIN/../libfoo/lib")
    kept = tmp_path / "build-env-kept" / "lib"
    kept.mkdir(parents=True)
    assert vanished([pip_env, str(kept), "/opt/lib"]) == [pip_env]
    kept.rmdir()
    assert vanished([str(kept)]) == [str(kept)]


def test_embedded_paths_reads_absolute_paths_from_bytes() -> None:
    data = b"\0\0/tmp/pip-build-env-x/lib\0libfoo.so.1\0/usr/lib\0/tmp/pip-build-env-x/lib\0"
    assert embedded_paths(data) == ["/tmp/pip-build-env-x/lib", "/usr/lib"]


def test_sdists_need_the_work_directory_and_interpreter() -> None:
    without = WheelSupply(None, {})
    with pytest.raises(SupplyError, match="needs the catalogue's wheelhouse, work directory"):
        without.request("site", (), sdists=("pyfoo",))
    # no sdists: the same supply makes the plain request (the control)
    assert without.request("site", ()).sdists == ()
