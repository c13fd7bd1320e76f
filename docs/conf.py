"""Sphinx configuration. Built with warnings as errors: ``tox -e docs``.

The scenario catalogue is generated here, before Sphinx reads the sources, from
``scenarios/*/scenario.toml`` into ``_generated/`` (ignored by git).
"""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))

from harness.docs import catalogue  # noqa: E402

catalogue.write(ROOT / "scenarios", DOCS / "_generated" / "catalogue.md")

project = "shared-lib interop harness"
author = "the project's contributors"
copyright = "the project's contributors"

extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
root_doc = "index"
# results/ holds recorded reports, included by results.md rather than built as pages.
exclude_patterns = ["_build", "results/**", "**/.pytest_cache"]

myst_enable_extensions = ["colon_fence", "deflist"]
# Headings get GitHub-style ids so pages can link to `page.md#a-heading`.
myst_heading_anchors = 3

# Furo, the theme of pip's, cibuildwheel's and scikit-build-core's docs; _static/custom.css
# wraps long code lines so no page scrolls sideways at 1280 px (tests/report checks it).
html_theme = "furo"
html_title = project
html_static_path = ["_static"]
html_css_files = ["custom.css"]
pygments_style = "friendly"
pygments_dark_style = "monokai"
