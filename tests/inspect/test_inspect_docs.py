"""Every rule has its page, titled with its id and name, listed in the index toctree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.inspect import RULES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules"


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_page_exists_and_is_titled(rule_id: str) -> None:
    page = DOCS / f"{rule_id}.md"
    assert page.is_file(), f"missing rule page {page}"
    first_line = page.read_text().splitlines()[0]
    assert first_line == f"# {rule_id} {RULES[rule_id].name}"
    assert f"**Severity:** {RULES[rule_id].severity}" in page.read_text()


def test_index_lists_every_rule_and_no_other() -> None:
    index = (DOCS / "index.md").read_text()
    toctree = re.search(r"```\{toctree\}\n(.*?)```", index, re.S)
    assert toctree is not None
    entries = [
        line.strip()
        for line in toctree.group(1).splitlines()
        if line.strip() and not line.startswith(":")
    ]
    assert entries == [*sorted(RULES), "real-world"]
    assert ":maxdepth: 1" in toctree.group(1)
    pages = sorted(p.stem for p in DOCS.glob("SLI*.md"))
    assert pages == sorted(RULES)
