"""Schema-2 report.json documents shaped like real runs, for the merge tests.

The cells follow the real catalogue (each scenario's layouts, installers and declared
platforms from ``scenarios/*/scenario.toml``), so the merged matrix has the size the
HTML must fit on one screen. Statuses are what a run would record: ``passed`` where the
scenario declares the OS, ``not-applicable`` elsewhere, plus the failures a test asks for.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parents[2]
PYTHONS = {"3.9": "3.9.18", "3.13": "3.13.0"}


def catalogue() -> list[dict[str, Any]]:
    found = []
    for path in sorted((ROOT / "scenarios").glob("*/scenario.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        found.append(
            {
                "scenario": path.parent.name,
                "layouts": data.get("layouts", ["venv"]),
                "installers": data.get("installers", ["uv"]),
                "platforms": data.get("platforms", ["linux", "macos", "windows"]),
                "description": " ".join(str(data.get("description", "")).split()),
            }
        )
    return found


def cell(
    scenario: dict[str, Any], os_name: str, python: str, layout: str, installer: str
) -> dict[str, Any]:
    declared = os_name in scenario["platforms"]
    return {
        "scenario": scenario["scenario"],
        "python": python,
        "layout": layout,
        "installer": installer,
        "platforms": scenario["platforms"],
        "description": scenario["description"],
        "status": "passed" if declared else "not-applicable",
        "duration": 0.2 if declared else 0.0,
        "expectations": [
            {
                "subject": "step import (import pyfoo)",
                "expected": "ok",
                "evidence": "ok",
                "ok": True,
            }
        ]
        if declared
        else [],
        "libraries": {"libfoo": ["site:libfoo/lib/libfoo.so.1"]} if declared else {},
        "cause": None,
        "checks": [],
    }


def report(
    os_name: str, machine: str, layout: str, *, created: str = "2026-11-30T10:15:00Z"
) -> dict[str, Any]:
    """One job's report: every cell of ``layout`` on ``os_name`` for both Pythons."""
    cells = [
        cell(scenario, os_name, python, layout, installer)
        for scenario in catalogue()
        if layout in scenario["layouts"]
        for python in PYTHONS
        for installer in scenario["installers"]
    ]
    document = {
        "schema": 2,
        "run": {
            "os": os_name,
            "machine": machine,
            "pythons": dict(PYTHONS),
            "harness_version": "0.1.0",
            "created": created,
        },
        "totals": {},
        "cells": cells,
    }
    retotal(document)
    return document


def retotal(document: dict[str, Any]) -> None:
    totals = dict.fromkeys(("passed", "failed", "error", "skipped", "not-applicable"), 0)
    for item in document["cells"]:
        totals[item["status"]] += 1
    document["totals"] = totals


def find(document: dict[str, Any], scenario: str, python: str) -> dict[str, Any]:
    return next(c for c in document["cells"] if c["scenario"] == scenario and c["python"] == python)


def fail(
    document: dict[str, Any],
    scenario: str,
    python: str,
    *,
    subject: str,
    expected: str,
    evidence: str,
) -> None:
    target = find(document, scenario, python)
    target["status"] = "failed"
    target["expectations"].append(
        {"subject": subject, "expected": expected, "evidence": evidence, "ok": False}
    )
    retotal(document)


def error(document: dict[str, Any], scenario: str, python: str, what: str, fix: str) -> None:
    target = find(document, scenario, python)
    target.update(
        status="error",
        expectations=[],
        libraries={},
        cause={"kind": "layout", "what": what, "where": "uv pip install", "fix": fix, "log": None},
    )
    retotal(document)


def write(path: Path, document: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path


def ci_like_reports(directory: Path) -> list[Path]:
    """Two Linux runs (venv, conda), a macOS and a Windows one, with one failure and one error."""
    linux_venv = report("linux", "x86_64", "venv")
    linux_conda = report("linux", "x86_64", "conda")
    macos = report("macos", "arm64", "venv")
    windows = report("windows", "AMD64", "venv")
    fail(
        macos,
        "two-consumers-one-copy",
        "3.13",
        subject="libfoo copies",
        expected="1",
        evidence="2 (site, site-packages/pyfoo.libs)",
    )
    error(
        windows,
        "chain-libbar",
        "3.9",
        "uv pip install failed: no wheel for pybar in the cp39 wheelhouse",
        "harness build --python 3.9",
    )
    return [
        write(directory / "report-venv-linux-x86_64" / "report.json", linux_venv),
        write(directory / "report-conda-linux-x86_64" / "report.json", linux_conda),
        write(directory / "report-venv-macos-arm64" / "report.json", macos),
        write(directory / "report-venv-windows-amd64" / "report.json", windows),
    ]


def full_ci_reports(directory: Path) -> list[Path]:
    """What test.yml's report job merges: venv and conda on each of the four runners."""
    paths = ci_like_reports(directory)
    for os_name, machine, cell_id in (
        ("macos", "arm64", "macos-arm64"),
        ("macos", "x86_64", "macos-x86_64"),
        ("windows", "AMD64", "windows-amd64"),
    ):
        paths.append(
            write(
                directory / f"report-conda-{cell_id}" / "report.json",
                report(os_name, machine, "conda"),
            )
        )
    paths.append(
        write(
            directory / "report-venv-macos-x86_64" / "report.json",
            report("macos", "x86_64", "venv"),
        )
    )
    return paths
