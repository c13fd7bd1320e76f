"""The report: one model (:mod:`.model`), one renderer per format, one way to write.

``harness run`` (the pytest plugin), ``harness check`` and ``harness report merge`` all
write through here: a run's verdicts become a :class:`~.model.Report` of one run, several
report.json files a merge of their runs, and :func:`.files.write` writes report.html,
report.md and report.json from it, each atomically.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.report import as_json, as_text, files
from harness.report.model import SCHEMA, Report
from harness.scenarios.verdict import CellVerdict

__all__ = ["SCHEMA", "Report", "document", "summary", "write"]


def write(cells: Sequence[CellVerdict], directory: Path) -> dict[str, Path]:
    """This machine's run of ``cells``, written as report.html/.md/.json in ``directory``."""
    return files.write(Report.of_run(cells), directory)


def document(cells: Sequence[CellVerdict]) -> dict[str, Any]:
    """The report.json document of this machine's run of ``cells``."""
    return as_json.document(Report.of_run(cells))


def summary(cells: Sequence[CellVerdict], paths: dict[str, Path]) -> list[str]:
    """The terminal lines of a run: counts, problem cells, where the report is."""
    return as_text.summary(Report.of_run(cells), paths)
