"""Helpers for the builder tests: unpack wheels, read ELF dynamic sections with pyelftools,
write small real wheels (importable by name: another directory's conftest shadows ours)."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile


@dataclass(frozen=True)
class Dynamic:
    """What the dynamic loader reads from one ELF object (the same data auditwheel uses)."""

    soname: str | None
    needed: list[str]
    rpath: list[str]
    runpath: list[str]


def read_dynamic(path: Path) -> Dynamic:
    soname: str | None = None
    needed: list[str] = []
    rpath: list[str] = []
    runpath: list[str] = []
    with path.open("rb") as stream:
        for section in ELFFile(stream).iter_sections():
            if not isinstance(section, DynamicSection):
                continue
            for tag in section.iter_tags():
                if tag.entry.d_tag == "DT_SONAME":
                    soname = tag.soname
                elif tag.entry.d_tag == "DT_NEEDED":
                    needed.append(tag.needed)
                elif tag.entry.d_tag == "DT_RPATH":
                    rpath.extend(tag.rpath.split(":"))
                elif tag.entry.d_tag == "DT_RUNPATH":
                    runpath.extend(tag.runpath.split(":"))
    return Dynamic(soname, needed, rpath, runpath)


def is_elf(path: Path) -> bool:
    with path.open("rb") as stream:
        return stream.read(4) == b"\x7fELF"


def unpack(wheel: Path, destination: Path) -> Path:
    destination.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(destination)
    return destination


def elf_files(tree: Path) -> list[Path]:
    return sorted(p for p in tree.rglob("*") if p.is_file() and is_elf(p))


def wheel_tags(wheel: Path) -> tuple[str, str, str]:
    """(python tag, abi tag, platform tag) from a wheel file name."""
    python_tag, abi_tag, platform_tag = wheel.name[: -len(".whl")].split("-")[-3:]
    return python_tag, abi_tag, platform_tag


def write_wheel(directory: Path, dist: str, version: str, files: dict[str, bytes]) -> Path:
    """A minimal valid Linux wheel (METADATA, WHEEL, RECORD) holding ``files``."""
    import base64
    import hashlib

    tag = "py3-none-manylinux_2_17_x86_64"
    info = f"{dist}-{version}.dist-info"
    contents = dict(files)
    contents[f"{info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n".encode()
    )
    contents[f"{info}/WHEEL"] = (
        f"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: false\nTag: {tag}\n"
    ).encode()
    record = []
    for name, data in contents.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    contents[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{dist}-{version}-{tag}.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    return path


def compile_library(directory: Path, soname: str | None) -> Path:
    """A real ``libfoo.so.1`` built with the system C compiler, with or without a SONAME."""
    import subprocess

    directory.mkdir(parents=True, exist_ok=True)
    source = directory / "foo.c"
    source.write_text('const char *foo_identity(void) { return "libfoo 1.0 test"; }\n')
    output = directory / "libfoo.so.1"
    flags = [f"-Wl,-soname,{soname}"] if soname else []
    subprocess.run(
        ["cc", "-shared", "-fPIC", "-o", str(output), str(source), *flags],
        check=True,
        capture_output=True,
    )
    return output
