"""Which dependency entries the platform itself satisfies, so no wheel has to ship them.

- **Linux:** the libraries a wheel's ``manylinux_*`` / ``musllinux_*`` tag lets it
  assume, read at run time from auditwheel's own policy data (the same lists auditwheel
  repair uses), plus the dynamic loader itself and ``libpython`` (the interpreter's).
- **macOS:** anything under ``/usr/lib/`` or ``/System/`` (the OS's dylibs and frameworks).
- **Windows:** API sets (``api-ms-win-*``, ``ext-ms-*``), the DLLs the interpreter ships
  (``python3*.dll``, ``vcruntime140*.dll``) and the DLLs of ``System32`` listed below;
  when delvewheel is importable its own list of system DLLs is used as well.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import json
import re
from collections.abc import Iterable
from pathlib import Path

from .binary import BinaryFormat

_ELF_ALWAYS = re.compile(
    r"^(ld-linux[-\w.]*\.so\.\d+|ld64\.so\.\d+|ld\.so\.\d+|ld-musl-[\w]+\.so\.1|"
    r"libpython3(\.\d+)?[dmt]*\.so(\.[\d.]+)?|linux-vdso\.so\.1|linux-gate\.so\.1)$"
)
"""The dynamic loader (the interpreter of every binary), the vDSO and libpython."""

_WINDOWS_PATTERNS = re.compile(
    r"^(api-ms-win-.*|ext-ms-.*|python3\d*t?(_d)?\.dll|vcruntime140(_1)?\.dll)$", re.IGNORECASE
)

WINDOWS_SYSTEM_DLLS = frozenset(
    [
        "advapi32.dll",
        "bcrypt.dll",
        "bcryptprimitives.dll",
        "cfgmgr32.dll",
        "comctl32.dll",
        "comdlg32.dll",
        "crypt32.dll",
        "cryptbase.dll",
        "cryptsp.dll",
        "d2d1.dll",
        "d3d11.dll",
        "d3d12.dll",
        "d3d9.dll",
        "dbghelp.dll",
        "dnsapi.dll",
        "dwmapi.dll",
        "dwrite.dll",
        "dxgi.dll",
        "gdi32.dll",
        "gdiplus.dll",
        "glu32.dll",
        "hid.dll",
        "imagehlp.dll",
        "imm32.dll",
        "iphlpapi.dll",
        "kernel32.dll",
        "kernelbase.dll",
        "mpr.dll",
        "msimg32.dll",
        "msvcrt.dll",
        "mswsock.dll",
        "ncrypt.dll",
        "netapi32.dll",
        "normaliz.dll",
        "ntdll.dll",
        "ole32.dll",
        "oleacc.dll",
        "oleaut32.dll",
        "opengl32.dll",
        "powrprof.dll",
        "propsys.dll",
        "psapi.dll",
        "rpcrt4.dll",
        "secur32.dll",
        "setupapi.dll",
        "shell32.dll",
        "shlwapi.dll",
        "ucrtbase.dll",
        "user32.dll",
        "userenv.dll",
        "usp10.dll",
        "uxtheme.dll",
        "version.dll",
        "winhttp.dll",
        "wininet.dll",
        "winmm.dll",
        "winspool.drv",
        "wintrust.dll",
        "wldap32.dll",
        "ws2_32.dll",
        "wsock32.dll",
    ]
)
"""DLLs present in ``System32`` of every supported Windows (7 SP1 and later)."""


def _policy_file(name: str) -> Path | None:
    spec = importlib.util.find_spec("auditwheel")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "policy" / name
        if candidate.is_file():
            return candidate
    return None


@functools.cache
def _linux_policies() -> dict[str, frozenset[str]] | None:
    """Policy name (and alias) -> libraries it allows; ``None`` without auditwheel."""
    policies: dict[str, frozenset[str]] = {}
    found = False
    for name in ("manylinux-policy.json", "musllinux-policy.json"):
        path = _policy_file(name)
        if path is None:
            continue
        found = True
        for policy in json.loads(path.read_text(encoding="utf-8")):
            libraries = frozenset(policy.get("lib_whitelist", ()))
            for label in (policy["name"], *policy.get("aliases", ())):
                policies[label] = libraries
    return policies if found else None


def linux_policy_available() -> bool:
    return _linux_policies() is not None


@functools.cache
def _delvewheel_names() -> frozenset[str]:
    if importlib.util.find_spec("delvewheel") is None:
        return frozenset()
    try:
        dll_list = importlib.import_module("delvewheel._dll_list")
    except ImportError:
        return frozenset()
    names: set[str] = set()
    for attribute in ("ignore_names_x64", "ignore_names_x86", "ignore_names_arm64"):
        names |= {str(n).lower() for n in getattr(dll_list, attribute, ())}
    return frozenset(names)


_POLICY_TAG = re.compile(r"^((?:manylinux|musllinux)_\d+_\d+|manylinux\d+)_")


def _policy_of_tag(tag: str) -> str:
    """``manylinux_2_28_x86_64`` -> ``manylinux_2_28``; ``manylinux2014_x86_64`` -> alias."""
    found = _POLICY_TAG.match(tag)
    return found[1] if found else tag


def linux_allowed(platform_tags: Iterable[str]) -> frozenset[str] | None:
    """Libraries a Linux wheel with these tags may take from the system; ``None`` when the
    policy data is not available (auditwheel not installed) and nothing can be judged."""
    policies = _linux_policies()
    if policies is None:
        return None
    allowed: set[str] = set()
    known = False
    for tag in platform_tags:
        policy = _policy_of_tag(tag)
        if policy in policies:
            allowed |= policies[policy]
            known = True
    if not known:  # plain linux_* or an unknown tag: the most generous policy
        for libraries in policies.values():
            allowed |= libraries
    return frozenset(allowed)


def provided_by_platform(
    fmt: BinaryFormat, dependency: str, platform_tags: Iterable[str]
) -> bool | None:
    """Whether the platform satisfies ``dependency``; ``None`` when it cannot be told."""
    if fmt == "elf":
        if _ELF_ALWAYS.match(dependency):
            return True
        allowed = linux_allowed(platform_tags)
        return None if allowed is None else dependency in allowed
    if fmt == "macho":
        return dependency.startswith(("/usr/lib/", "/System/"))
    name = dependency.lower()
    return (
        _WINDOWS_PATTERNS.match(name) is not None
        or name in WINDOWS_SYSTEM_DLLS
        or name in _delvewheel_names()
    )
