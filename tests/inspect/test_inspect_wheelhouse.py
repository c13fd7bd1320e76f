"""The project's own wheelhouse: clean apart from the intended negative variants.

Lints every wheel of the session's one build of the whole wheel matrix for the running
interpreter (slow; :func:`suite_testlib.session_catalogue`) with the roles the wheelhouse
index gives them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import suite_testlib

from harness import platforms
from harness.builder.catalogue import WHEELS_BY_ID
from harness.inspect import Finding, lint_wheels
from harness.inspect.links import Role

# wheel id -> the rules its deliberate defect must trigger (architecture.md catalogue).
# Written out here, not read from the catalogue, so a wrong expected_lint there fails too.
INTENDED = {
    "libfoo-nosoname": {"SLI001"},  # no DT_SONAME
    "pyfoo-rpath": {"SLI006"},  # RUNPATH into ../libfoo/lib of the same site dir
    # auditwheel copied libfoo in as pyfoo_vendored.libs/libfoo-<hash>.so.1 (SLI004); the
    # extension's DT_NEEDED names that copy, which the wheel ships itself (no SLI003).
    "pyfoo-vendored": {"SLI004"},
}


@pytest.mark.slow
@pytest.mark.skipif(
    platforms.current().name != "linux",
    reason="the example wheelhouse's negative variants are Linux (ELF) builds",
)
def test_example_wheelhouse_is_clean_except_negative_variants(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    built = suite_testlib.session_catalogue(tmp_path_factory)
    with built.building():  # a builder test may be building into it again
        house = built.wheelhouse
        paths = {wheel_id: house.wheel(wheel_id) for wheel_id in house.wheels}
        roles: dict[Path | str, Role] = {}
        for wheel_id, entry in house.wheels.items():
            if entry.role == "producer":
                roles[paths[wheel_id]] = "producer"
            elif entry.role == "consumer":
                roles[paths[wheel_id]] = "consumer"
        findings = lint_wheels(list(paths.values()), roles)

    by_id: dict[str, set[str]] = {}
    name_to_id = {path.name: wheel_id for wheel_id, path in paths.items()}
    for finding in findings:
        by_id.setdefault(name_to_id[finding.wheel], set()).add(finding.rule)
    assert by_id == INTENDED, _describe(findings)
    assert {i: set(s.expected_lint) for i, s in WHEELS_BY_ID.items() if s.expected_lint} == INTENDED
    (copy,) = [f for f in findings if f.rule == "SLI004"]
    assert re.fullmatch(r"pyfoo_vendored\.libs/libfoo-[0-9a-f]{8}\.so\.1", copy.file), copy
    assert "renamed by a repair tool" in copy.detail
    # The renamed DT_NEEDED names the wheel's own copy: not a near miss of libfoo's SONAME.
    assert [f for f in findings if f.rule == "SLI003"] == []


def _describe(findings: list[Finding]) -> str:
    return "\n".join(f"{f.rule} {f.wheel} {f.file}: {f.detail}" for f in findings)
