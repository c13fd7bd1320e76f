"""The local channel: readable by py-rattler, and clear errors when a package is broken or missing."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from rattler import IndexJson, PathsJson

from harness.conda import channel as local_channel
from harness.conda import cpython, prefix, rattler_install
from harness.conda.errors import ChannelError, CondaError
from harness.conda.package_writer import PackageSpec, write_package
from harness.workdir import WorkDir


def test_written_package_metadata_is_what_rattler_reads(tmp_path: Path) -> None:
    payload = tmp_path / "payload"
    (payload / "lib").mkdir(parents=True)
    (payload / "lib" / "libdemo.so.1").write_bytes(b"\x7fELF not really")
    (payload / "lib" / "libdemo.so").symlink_to("libdemo.so.1")
    (payload / "etc").mkdir()
    (payload / "etc" / "demo.conf").write_text("prefix=/build/prefix\n")
    spec = PackageSpec(
        name="demo",
        version="1.0",
        build="h0_0",
        depends=("python >=3.9",),
        text_placeholders={"etc/demo.conf": "/build/prefix"},
    )
    archive = write_package(payload, spec, tmp_path / "out")
    assert archive.name == "demo-1.0-h0_0.conda"
    with zipfile.ZipFile(archive) as container:  # conda's package format v2
        members = container.infolist()
        assert [m.filename for m in members] == [
            "metadata.json", "pkg-demo-1.0-h0_0.tar.zst", "info-demo-1.0-h0_0.tar.zst"
        ]  # fmt: skip
        assert {m.compress_type for m in members} == {zipfile.ZIP_STORED}
        assert json.loads(container.read("metadata.json")) == {"conda_pkg_format_version": 2}

    index = IndexJson.from_package_archive(archive)
    assert (index.name.normalized, str(index.version), str(index.build)) == ("demo", "1.0", "h0_0")
    assert index.depends == ["python >=3.9"]
    assert index.subdir == "linux-64"
    entries = {str(e.relative_path): e for e in PathsJson.from_package_archive(archive).paths}
    assert set(entries) == {"lib/libdemo.so.1", "lib/libdemo.so", "etc/demo.conf"}
    assert entries["lib/libdemo.so"].path_type.softlink
    assert entries["etc/demo.conf"].prefix_placeholder is not None
    assert entries["etc/demo.conf"].prefix_placeholder.placeholder == "/build/prefix"
    assert entries["lib/libdemo.so.1"].size_in_bytes == len(b"\x7fELF not really")


def test_missing_libfoo_sources_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ChannelError, match=r"CMakeLists\.txt is missing"):
        local_channel.channel_key(
            cpython.inspect(Path(shutil.which("python3") or "python3")), tmp_path
        )


@pytest.fixture(scope="module")
def channel_copy(
    conda_workdir: WorkDir, interpreter: Path, tmp_path_factory: pytest.TempPathFactory
) -> local_channel.LocalChannel:
    built = local_channel.ensure_channel(
        conda_workdir, cpython.inspect(interpreter), prefix.default_libfoo_source()
    )
    return built


def _copy(channel: local_channel.LocalChannel, tmp_path: Path) -> local_channel.LocalChannel:
    target = tmp_path / "channel"
    shutil.copytree(channel.path, target)  # real copies: the cached channel stays intact
    return local_channel.LocalChannel(path=target, key=channel.key)


def _package(channel: local_channel.LocalChannel, name: str) -> Path:
    return next(p for p in channel.package_files() if p.name.startswith(name + "-"))


@pytest.mark.slow
def test_intact_channel_verifies(channel_copy: local_channel.LocalChannel) -> None:
    local_channel.verify_channel(channel_copy.path)
    repodata = json.loads((channel_copy.path / "linux-64" / "repodata.json").read_text())
    names = sorted(r["name"] for r in repodata["packages.conda"].values())
    assert names == ["libfoo", "libfoo", "python"]


@pytest.mark.slow
def test_corrupt_package_is_named(channel_copy: local_channel.LocalChannel, tmp_path: Path) -> None:
    broken = _copy(channel_copy, tmp_path)
    package = _package(broken, "libfoo-1.0")
    package.write_bytes(package.read_bytes()[:100])
    with pytest.raises(ChannelError, match=rf"{package.name}.*is corrupt.*delete"):
        local_channel.verify_channel(broken.path)
    # Without the up-front check the installer itself fails; the error still names
    # the packages, the one it could not unpack, the channel and the fix.
    with pytest.raises(
        ChannelError, match=r"(?s)failed to install.*failed to fetch libfoo-1\.0.*delete"
    ):
        rattler_install.install(
            broken,
            ["python", "pip", "libfoo 1.*"],
            tmp_path / "env",
            tmp_path / "rattler-cache",
        )


@pytest.mark.slow
def test_missing_package_is_named(channel_copy: local_channel.LocalChannel, tmp_path: Path) -> None:
    broken = _copy(channel_copy, tmp_path)
    package = _package(broken, "python")
    package.unlink()
    with pytest.raises(ChannelError, match=rf"{package.name}.*\(python\).*is missing"):
        local_channel.verify_channel(broken.path)


@pytest.mark.slow
def test_unsatisfiable_spec_names_spec_and_channel(
    channel_copy: local_channel.LocalChannel, tmp_path: Path
) -> None:
    with pytest.raises(CondaError, match=r"cannot solve.*libfoo 3\.\*.*local channel"):
        rattler_install.install(
            channel_copy, ["python", "libfoo 3.*"], tmp_path / "env", tmp_path / "cache"
        )
