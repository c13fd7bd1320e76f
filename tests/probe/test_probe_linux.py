"""The probe against the real glibc loader: what it reports must be what the loader did.

Each check comes with the control the platform rules predict: the same symbol is
global after RTLD_GLOBAL but not after RTLD_LOCAL, the defining object flips with
the load order, a library is absent from ``loaded`` until something loads it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness import evidence
from harness.envs.layout import Layout
from harness.evidence import ProbeError
from harness.inspect import elf
from harness.scenarios import probing
from harness.scenarios.probing import ProbeSpec, ProbeStep

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="glibc loader behaviour; needs Linux"
)


def soname(path: str) -> str | None:
    """The loaded file's SONAME, read by the harness's one ELF reader (harness.inspect)."""
    return elf.read(path, Path(path).read_bytes()).slices[0].own_name


def load(step_id: str, path: Path, mode: str = "local") -> ProbeStep:
    return ProbeStep(id=step_id, call="probefixture.load", args=[str(path), mode])


def test_loaded_objects_have_real_paths_and_sonames(probe, libs, python):
    ev = probe([load("via-symlink", libs["libfoo.so"]), load("nosoname", libs["libnoso.so"])])

    assert ev.python.version.startswith(python.version + ".")
    assert [s.ok for s in ev.steps] == [True, True]
    by_path = {obj.path: obj for obj in ev.loaded}
    real_foo = str(libs["libfoo.so.1"].resolve())
    assert real_foo in by_path, "loaded through a symlink, reported by its real path"
    assert str(libs["libfoo.so"]) not in by_path
    assert soname(by_path[real_foo].path) == "libfoo.so.1"
    assert soname(by_path[str(libs["libnoso.so"].resolve())].path) is None
    assert ev.loaded_source == "dl_iterate_phdr"
    locations = {"libs": libs["libfoo.so.1"].parent}
    assert evidence.location_label(real_foo, locations) == "libs:libfoo.so.1"


def test_a_library_nobody_loaded_is_not_reported(probe, libs):
    ev = probe([ProbeStep(id="import", import_="probefixture")])

    assert ev.step("import").ok
    assert not ev.copies_of("foo")
    assert not ev.is_loaded(libs["libfoo.so.1"].resolve())


@pytest.mark.parametrize(("mode", "is_global"), [("local", False), ("global", True)])
def test_global_namespace_follows_the_load_mode(probe, libs, mode, is_global):
    clasha = str(libs["libclasha.so.1"].resolve())

    ev = probe([load("load", libs["libclasha.so.1"], mode)], symbols=["clash_value"])

    symbol = ev.symbol("clash_value")
    assert symbol.is_global is is_global
    assert symbol.defined_by == (clasha if is_global else None)
    assert symbol.defined_in == (clasha,), "the object defines it either way"


@pytest.mark.parametrize("order", [("a", "b"), ("b", "a")])
def test_defined_by_names_the_first_global_definition(probe, libs, order):
    paths = {k: libs[f"libclash{k}.so.1"] for k in order}

    ev = probe([load(k, paths[k], "global") for k in order], symbols=["clash_value"])

    symbol = ev.symbol("clash_value")
    assert symbol.is_global
    assert symbol.defined_by == str(paths[order[0]].resolve())
    assert set(symbol.defined_in) == {str(p.resolve()) for p in paths.values()}


def test_colliding_local_symbols_are_neither_global(probe, libs):
    ev = probe(
        [load("a", libs["libclasha.so.1"]), load("b", libs["libclashb.so.1"])],
        symbols=["clash_value"],
        identity_functions=["clasha_identity", "clashb_identity"],
    )

    symbol = ev.symbol("clash_value")
    assert not symbol.is_global
    assert symbol.defined_by is None
    assert len(symbol.defined_in) == 2
    assert ev.identity_of(str(libs["libclasha.so.1"].resolve())) == "libclasha 1.0 test"
    assert ev.identity_of(str(libs["libclashb.so.1"].resolve())) == "libclashb 1.0 test"


def test_identity_is_credited_only_to_the_defining_object(probe, libs):
    libbar = str(libs["libbar.so.1"].resolve())
    libfoo = str(libs["libfoo.so.1"].resolve())

    ev = probe(
        [
            load("bar", libs["libbar.so.1"]),
            # the trap the probe avoids: dlsym on libbar's handle also searches libfoo
            ProbeStep(
                id="naive", call="probefixture.handle_resolves", args=[libbar, "foo_identity"]
            ),
        ],
        identity_functions=["foo_identity", "bar_identity"],
    )

    assert ev.step("naive").value is True
    assert ev.is_loaded(libfoo), "pulled in by libbar's DT_NEEDED"
    credited = {(i.path, i.function): i.value for i in ev.identities}
    assert credited == {
        (libfoo, "foo_identity"): "libfoo 1.0 test",
        (libbar, "bar_identity"): "libbar 1.0 test",
    }


def test_two_copies_with_different_sonames_are_counted(probe, libs):
    ev = probe(
        [load("plain", libs["libfoo.so.1"]), load("mangled", libs["libfoo-1a2b3c4d.so.1"])],
        identity_functions=["foo_identity"],
    )

    copies = ev.copies_of("foo")
    assert sorted(soname(c.path) or "" for c in copies) == ["libfoo-1a2b3c4d.so.1", "libfoo.so.1"]
    assert sorted(ev.identity_of(c.path) or "" for c in copies) == [
        "libfoo 1.0 mangled",
        "libfoo 1.0 test",
    ]
    assert sorted(i.path for i in ev.identities_from("foo_identity")) == sorted(
        c.path for c in copies
    )


def test_the_same_file_through_two_paths_is_one_copy(probe, libs):
    ev = probe([load("symlink", libs["libfoo.so"]), load("real", libs["libfoo.so.1"])])

    assert [c.path for c in ev.copies_of("foo")] == [str(libs["libfoo.so.1"].resolve())]


def test_same_soname_from_another_path_is_a_second_copy(probe, libs):
    """glibc matches a dlopen by *path* against loaded paths/inodes, not SONAMEs.

    So a second file with an already-loaded SONAME, opened by its path, is loaded
    again; only bare-name requests (DT_NEEDED, ``dlopen("libfoo.so.1")``) reuse the first.
    """
    ev = probe(
        [
            load("first", libs["libfoo.so.1"]),
            load("other", libs["other/libfoo.so.1"]),
            ProbeStep(id="by-soname", call="probefixture.load", args=["libfoo.so.1"]),
        ],
        identity_functions=["foo_identity"],
    )

    copies = ev.copies_of("foo")
    assert len(copies) == 2
    assert {soname(c.path) for c in copies} == {"libfoo.so.1"}
    assert {ev.identity_of(c.path) for c in copies} == {"libfoo 1.0 test", "libfoo 1.0 other"}


def test_failing_steps_are_recorded_and_later_steps_still_run(probe, libs):
    ev = probe(
        [
            ProbeStep(id="missing", import_="no_such_module_anywhere"),
            ProbeStep(id="exit", call="probefixture.raise_system_exit"),
            ProbeStep(id="interrupt", call="probefixture.raise_keyboard_interrupt"),
            ProbeStep(id="no-attr", call="probefixture.not_there"),
            ProbeStep(id="inner-import-error", call="brokenpkg.sub.anything"),
            ProbeStep(id="repr", call="probefixture.unserialisable"),
            ProbeStep(id="mapping", call="probefixture.mapping"),
            load("last", libs["libfoo.so.1"]),
        ]
    )

    errors = {s.id: s.error for s in ev.steps if s.error}
    assert errors["missing"].type == "ModuleNotFoundError"
    assert "no_such_module_anywhere" in errors["missing"].message
    assert (errors["exit"].type, errors["exit"].message) == ("SystemExit", "leaving from a step")
    assert errors["interrupt"].type == "KeyboardInterrupt"
    assert errors["no-attr"].type == "AttributeError"
    # the ImportError raised inside the submodule is the evidence, not "no attribute sub"
    assert errors["inner-import-error"].type == "ImportError"
    assert "libmissing.so.1" in errors["inner-import-error"].message
    repr_step = ev.step("repr")
    assert repr_step.ok
    assert repr_step.value_is_repr
    assert isinstance(repr_step.value, str)
    assert repr_step.value.startswith("<object object")
    assert ev.step("mapping").value == {"answer": 42, "items": [1, "two", None]}
    assert not ev.step("mapping").value_is_repr
    assert ev.step("last").ok
    assert ev.copies_of("foo")


def test_import_step_reports_the_module_file(probe, modules):
    ev = probe([ProbeStep(id="import", import_="probefixture")])

    assert ev.step("import").module_file == str((modules / "probefixture.py").resolve())


def test_the_probe_directory_cannot_shadow_layout_modules(probe):
    ev = probe(
        [
            ProbeStep(
                id="on-path",
                call="sys.path.__contains__",
                args=[str(probing.PROBE_SCRIPT)],
            ),
            # readers.py sits next to the probe's entry
            ProbeStep(id="sibling", import_="readers"),
        ]
    )

    assert ev.step("on-path").value is False
    step = ev.step("sibling")
    assert step.error is not None
    assert step.error.type == "ModuleNotFoundError"


def test_ld_debug_trace_is_captured_when_asked(probe, libs):
    steps = [load("foo", libs["libfoo.so.1"])]

    traced = probe(steps, ld_debug="libs")
    plain = probe(steps)

    assert traced.ld_debug is not None
    assert traced.ld_debug.setting == "libs"
    assert traced.ld_debug.text is not None
    assert str(libs["libfoo.so.1"]) in traced.ld_debug.text
    assert plain.ld_debug is None


def test_a_crashing_step_raises_probe_error_with_stderr(probe):
    with pytest.raises(ProbeError) as caught:
        probe([ProbeStep(id="segfault", call="probefixture.crash")])

    assert caught.value.returncode != 0
    assert "Fatal Python error" in caught.value.stderr
    assert "Fatal Python error" in str(caught.value)


def test_a_malformed_spec_exits_2_naming_the_key(python, tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"steps": [{"id": "x", "imprt": "os"}]}), encoding="utf-8")

    result = subprocess.run(
        [str(python.executable), str(probing.PROBE_SCRIPT), str(spec), str(tmp_path / "o")],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 2
    assert "steps[0]" in result.stderr
    assert "'import', 'call' or 'load'" in result.stderr
    assert not (tmp_path / "o").exists()


def test_run_probe_reports_a_missing_interpreter(tmp_path):
    layout = Layout(kind="plain", root=tmp_path, python=tmp_path / "no-python", locations={})

    with pytest.raises(ProbeError, match="cannot start the probe"):
        probing.run_probe(layout, ProbeSpec(), tmp_path / "cell")


COLLECT_TWICE = """
import ctypes, json, os, sys
sys.path.insert(0, sys.argv[1])
import harness_probe as probe
for path in sys.argv[3:]:
    ctypes.CDLL(path, mode=os.RTLD_LOCAL)

def maps():
    with open("/proc/self/maps") as handle:
        return sorted({line.split(None, 5)[5].strip() for line in handle
                       if len(line.split(None, 5)) == 6})

reader = probe.readers.LinuxReader()
before = [e["path"] for e in reader.images()]
maps_before = maps()
names = ["foo_identity", "bar_identity", "noso_identity", "clash_value", "malloc"]
probe.collect_symbols(reader, before, names)
probe.collect_identities(reader, before, names)
after = [e["path"] for e in reader.images()]
maps_after = maps()
# the control: an ordinary dlopen between two readings must show up
ctypes.CDLL(sys.argv[2], mode=os.RTLD_LOCAL)
control = [e["path"] for e in reader.images()]
print(json.dumps({"before": before, "after": after, "maps_before": maps_before,
                  "maps_after": maps_after, "control": control}))
"""


def test_collecting_evidence_loads_nothing_new(python, libs, tmp_path):
    script = tmp_path / "collect_twice.py"
    script.write_text(COLLECT_TWICE, encoding="utf-8")
    preloaded = [str(libs["libbar.so.1"]), str(libs["libclasha.so.1"])]
    unloaded = str(libs["libnoso.so"].resolve())
    home = probing.installed_probe(tmp_path / "home")

    result = subprocess.run(
        [str(python.executable), str(script), str(home), unloaded, *preloaded],
        capture_output=True,
        text=True,
        check=True,
    )
    seen = json.loads(result.stdout)

    assert seen["after"] == seen["before"]
    assert seen["maps_after"] == seen["maps_before"]
    assert unloaded not in seen["before"]
    assert str(libs["libfoo.so.1"].resolve()) in seen["before"]
    assert [p for p in seen["control"] if p not in seen["before"]] == [unloaded]
