"""Library names: the loader key per format, the stem that ties renamed copies together,
and the marks repair tools leave (vendored directories, hash-mangled names)."""

from __future__ import annotations

import posixpath
import re

from harness.vocabulary import MANGLE_HASH

from .binary import BinaryFormat, BinaryInfo

_MANGLED = re.compile(rf"^(?P<base>[^.]+?)-(?P<hash>{MANGLE_HASH})(?P<rest>\..+)$")
"""auditwheel: ``libfoo-1a2b3c4d.so.1`` (8 hex); delvewheel: ``foo-<32 hex>.dll``."""

_SUFFIX = re.compile(r"(\.so(\.[0-9][^/]*)?|(\.[0-9]+)*\.dylib|\.dll|\.pyd)$", re.IGNORECASE)
_TRAILING_VERSION = re.compile(r"[-_][0-9]+([._][0-9]+)*$")
_LIBRARY_NAME = re.compile(r"(^lib[^/]*\.so(\.[0-9]+)*|\.dylib|\.dll)$")
_PYTHON_ABI = re.compile(r"\.(cpython-|abi3|pypy|cp3|graalpy)[^/]*\.(so|pyd)$")


def base_name(name: str) -> str:
    """The last path component of a dependency string (``@rpath/libfoo.1.dylib`` -> file)."""
    return posixpath.basename(name.replace("\\", "/"))


def is_mangled(file_name: str) -> bool:
    """Whether a repair tool renamed this copy with a content-hash suffix."""
    return _MANGLED.match(file_name) is not None


def unmangled(file_name: str) -> str:
    """``file_name`` without a repair tool's hash (``libfoo-1a2b3c4d.so.1`` -> ``libfoo.so.1``)."""
    mangled = _MANGLED.match(file_name)
    return mangled["base"] + mangled["rest"] if mangled else file_name


_MAJOR = (
    re.compile(r"\.so\.(?P<major>[0-9]+)"),  # libfoo.so.1[.2]
    re.compile(r"\.(?P<major>[0-9]+)(\.[0-9]+)*\.dylib$"),  # libfoo.1.dylib
    re.compile(r"[-_](?P<major>[0-9]+)\.dll$", re.IGNORECASE),  # libfoo-1.dll
)


def major_version(name: str) -> str | None:
    """The ABI major a library name carries (``libfoo.so.2`` -> ``"2"``), if any."""
    file_name = unmangled(base_name(name))
    for pattern in _MAJOR:
        found = pattern.search(file_name)
        if found:
            return found["major"]
    return None


def is_vendored(member: str) -> bool:
    """Whether a member sits where repair tools put the libraries they copy in.

    auditwheel: ``<pkg>.libs/``; delvewheel: ``<dist>.libs/``; delocate:
    ``<pkg>/.dylibs/``. Hash-mangled names count wherever they are.
    """
    parts = member.split("/")
    in_libs_dir = any(p.endswith(".libs") or p == ".dylibs" for p in parts[:-1])
    return in_libs_dir or is_mangled(parts[-1])


def library_stem(name: str) -> str:
    """What stays of a library name without directory, ``lib``, version, suffix and hash.

    ``libfoo.so.1``, ``libfoo-1a2b3c4d.so.1``, ``@rpath/libfoo.1.dylib``, ``foo.dll`` and
    ``libfoo-1.dll`` all give ``foo``: the same library under the names tools give it.
    """
    stem = _SUFFIX.sub("", unmangled(base_name(name)))
    stem = _TRAILING_VERSION.sub("", stem) or stem
    stem = stem.lower()
    return stem.removeprefix("lib") or stem


def is_extension_module(binary: BinaryInfo) -> bool:
    """Whether a binary is a Python extension module (or program), not a linkable library.

    ``.pyd`` files and ``.so`` files with a Python ABI tag (``.cpython-312-...``,
    ``.abi3``) are extensions; names shaped like libraries (``libfoo.so.1``,
    ``*.dylib``, ``*.dll``) are libraries whatever their header says, so a Mach-O
    bundle shipped as ``libfoo.dylib`` is judged as the library it pretends to be;
    bare ``name.so`` files are extensions; anything else is judged by its header.
    """
    lowered = binary.file_name.lower()
    if lowered.endswith(".pyd") or _PYTHON_ABI.search(lowered):
        return True
    if _LIBRARY_NAME.search(lowered):
        return False
    if lowered.endswith(".so"):
        return True
    return not binary.is_library


def module_stem(file_name: str) -> str:
    """The module name an extension module's file offers the import system: what stands
    before its ABI tag and suffix (``MPI`` of ``MPI.cpython-313-x86_64-linux-gnu.so``)."""
    match = _PYTHON_ABI.search(file_name.lower())
    if match:
        return file_name[: match.start()]
    return file_name.rsplit(".", 1)[0]


def is_finder_variant(binary: BinaryInfo) -> bool:
    """Whether an extension module is one no standard import reaches: its module stem is
    no Python name (``MPI.openmpi.cpython-313-….so`` offers ``MPI.openmpi``), so only the
    package's own finder loads it, choosing among variants at run time (mpi4py picks the
    build for the MPI it finds). Like a plugin, it is mapped only where it is chosen."""
    return is_extension_module(binary) and not module_stem(binary.file_name).isidentifier()


def as_compared(fmt: BinaryFormat, file_name: str) -> str:
    """A file name as the format's loader compares it: Windows ignores case."""
    return file_name.lower() if fmt == "pe" else file_name


def key_matches(fmt: BinaryFormat, dependency: str, key: str) -> bool:
    """Whether a dependency entry equals a library's loader key, by that loader's rule.

    Windows compares DLL base names case-insensitively; ELF and dyld compare the
    whole string exactly.
    """
    if fmt == "pe":
        return base_name(dependency).lower() == base_name(key).lower()
    return dependency == key


def expected_own_name(fmt: BinaryFormat, file_name: str) -> str:
    """The own name a shipped library must carry to be found under its file name."""
    if fmt == "macho":
        return f"@rpath/{file_name}"
    return file_name


def own_name_matches(fmt: BinaryFormat, own_name: str, file_name: str) -> bool:
    return key_matches(fmt, own_name, expected_own_name(fmt, file_name))


def file_named_by(fmt: BinaryFormat, own_name: str) -> str | None:
    """The file name a library's own name makes the loader look for beside it, if any.

    ELF: the SONAME itself; Mach-O: the rest of an ``@rpath/`` or ``@loader_path/`` id
    without further directories; PE: the DLL name. ``None`` for absolute install ids.
    """
    if fmt == "macho":
        for token in ("@rpath/", "@loader_path/"):
            if own_name.startswith(token) and "/" not in own_name[len(token) :]:
                return own_name[len(token) :]
        return None
    if "/" in own_name:
        return None
    return own_name
