"""Writing a report: every format into one directory, each file atomically.

Each file is written to a scratch file beside it and renamed over the old one, so a
reader (a browser, CI's upload step, a second run) never sees half a report.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from harness.report import as_html, as_json, as_markdown
from harness.report.model import Report

NAMES = {"html": "report.html", "md": "report.md", "json": "report.json"}


def write_atomic(path: Path, text: str) -> None:
    fd, scratch = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        Path(scratch).chmod(0o644)  # mkstemp makes it 0600; a report is for everyone to read
        Path(scratch).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(scratch).unlink()
        raise


def write(report: Report, directory: Path) -> dict[str, Path]:
    """report.html, report.md and report.json in ``directory``; their paths by format."""
    texts = {
        "html": as_html.render(report),
        "md": as_markdown.render(report),
        "json": as_json.render(report),
    }
    directory.mkdir(parents=True, exist_ok=True)
    paths = {kind: directory / NAMES[kind] for kind in texts}
    for kind, text in texts.items():
        write_atomic(paths[kind], text)
    return paths


def append_summary(report: Report, summary: Path) -> None:
    """The Markdown appended to a job summary (``$GITHUB_STEP_SUMMARY``), cut to fit what
    room the summary file has left under GitHub's limit."""
    used = summary.stat().st_size if summary.exists() else 0
    room = max(as_markdown.SUMMARY_LIMIT - used, 4096)
    with summary.open("a", encoding="utf-8") as stream:
        stream.write(as_markdown.render(report, limit=room))
