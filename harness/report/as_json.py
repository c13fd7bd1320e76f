"""report.json: the report model as a versioned document, and reading it back.

Schema 3::

    {"schema": 3,
     "runs": [{"os", "machine", "pythons", "harness_version", "created", ["loaders"]}],
     "totals": {status: count},
     "scenarios": [name, ...],
     "columns": [{"os", "machine", "python", "layout", "installer"}, ...],
     "cells": [{...every CellVerdict field..., "run": index into runs}, ...]}

``report-3.schema.json`` beside this module is the same as a JSON Schema, for other
tools. A single run's document is that of the merge of that one run, byte for byte. Reading
accepts schema 3 (one run or a merge of several) and schema 2 (one ``run`` object, as
harness 0.1 wrote it); everything is checked before use, and every problem is a
:class:`ReportError` naming the file and the key.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from harness.report.model import SCHEMA, Report, Run
from harness.scenarios.verdict import STATUSES, CellVerdict

READABLE = (2, SCHEMA)
JSON_SCHEMA = Path(__file__).with_name(f"report-{SCHEMA}.schema.json")
"""The JSON Schema of :data:`SCHEMA`, shipped in the package."""
RUN_KEYS = ("os", "machine", "pythons", "harness_version", "created")
CELL_KEYS = ("scenario", "python", "layout", "installer", "status")
_VERDICT_FIELDS = {f.name for f in dataclasses.fields(CellVerdict)}


class ReportError(Exception):
    """A report.json that cannot be read; the message names the file and the fix."""


def document(report: Report) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "runs": [run.to_json() for run in report.runs],
        "totals": report.totals(),
        "scenarios": report.scenarios,
        "columns": [column.to_json() for column in report.columns],
        "cells": [{**cell.verdict.to_json(), "run": cell.run} for cell in report.cells],
    }


def render(report: Report) -> str:
    return json.dumps(document(report), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _require(condition: bool, path: Path, message: str) -> None:
    if not condition:
        raise ReportError(f"{path}: {message}")


def _run(data: Any, path: Path, where: str) -> Run:
    _require(isinstance(data, dict), path, f"{where} is not an object")
    for key in RUN_KEYS:
        _require(key in data, path, f"{where}.{key} is missing")
    for key in ("pythons", "loaders"):
        _require(isinstance(data.get(key, {}), dict), path, f"{where}.{key} is not an object")
    return Run(
        os=str(data["os"]),
        machine=str(data["machine"]),
        pythons={str(k): str(v) for k, v in data["pythons"].items()},
        harness_version=str(data["harness_version"]),
        created=str(data["created"]),
        loaders={str(k): str(v) for k, v in data.get("loaders", {}).items()},
    )


def _verdict(data: Any, path: Path, index: int, runs: int) -> tuple[int, CellVerdict]:
    where = f"cells[{index}]"
    _require(isinstance(data, dict), path, f"{where} is not an object")
    for key in CELL_KEYS:
        _require(key in data, path, f"{where} has no {key!r}")
    _require(
        data["status"] in STATUSES,
        path,
        f"{where} status {data['status']!r} is not one of {', '.join(STATUSES)}",
    )
    run = data.get("run", 0)
    _require(isinstance(run, int) and 0 <= run < runs, path, f"{where}.run {run!r} names no run")
    # Fields of another harness version's verdicts that this one does not know are left out.
    values = {key: value for key, value in data.items() if key in _VERDICT_FIELDS}
    try:
        return run, CellVerdict.from_json(values)
    except (TypeError, KeyError, AttributeError, ValueError) as error:
        raise ReportError(f"{path}: {where} is not a cell verdict ({error})") from None


def read(path: Path) -> list[tuple[Run, list[CellVerdict]]]:
    """The runs of one report.json with their verdicts, checked; errors name ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ReportError(f"{path}: cannot read it ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise ReportError(f"{path}: not UTF-8 text, so not a report.json") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ReportError(f"{path}: not JSON ({error.msg} at line {error.lineno})") from None
    if isinstance(data, list):
        raise ReportError(
            f"{path}: a schema 1 report (a list of cells) does not record the run's OS "
            "and Pythons: rerun `harness run` with this harness"
        )
    _require(isinstance(data, dict) and "schema" in data, path, "no 'schema': not a report.json")
    schema = data["schema"]
    _require(
        schema in READABLE,
        path,
        f"report schema {schema!r}; this harness reads schemas "
        f"{', '.join(map(str, READABLE))}: rerun `harness run` with this harness",
    )
    if "run" in data:  # schema 2: one run
        runs = [_run(data["run"], path, "run")]
    else:
        raw = data.get("runs")
        _require(isinstance(raw, list) and bool(raw), path, "no 'runs' list and no 'run' object")
        runs = [_run(item, path, f"runs[{i}]") for i, item in enumerate(raw)]
    cells = data.get("cells")
    _require(isinstance(cells, list), path, "no 'cells' list")
    verdicts: list[list[CellVerdict]] = [[] for _ in runs]
    for index, item in enumerate(cells):
        run, verdict = _verdict(item, path, index, len(runs))
        verdicts[run].append(verdict)
    return list(zip(runs, verdicts))
