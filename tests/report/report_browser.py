"""Headless Chromium for the tests: load a page, run a driver script in it, read results.

The driver is a script appended to a copy of the page, after the page's own script, so it
acts on the page as a reader would: it sets a filter's value and dispatches the event the
page listens to, clicks a cell's link, then measures the layout (scroll width against the
viewport, where elements are, what is displayed). It leaves a JSON object in
``<pre id="driver-out">``, which ``--dump-dom`` prints with the rest of the DOM.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
VIEWPORT = (1280, 800)


def find_browser() -> str | None:
    configured = os.environ.get("HARNESS_BROWSER")
    if configured:
        return shutil.which(configured) or configured
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


BROWSER = find_browser()
needs_browser = pytest.mark.skipif(
    BROWSER is None,
    reason="no headless browser: apt-get install chromium (or set HARNESS_BROWSER)",
)


def browser(profile: Path, *args: str, size: tuple[int, int] = VIEWPORT) -> str:
    """Run headless Chromium with a fresh profile, no network chatter, at ``size``."""
    assert BROWSER is not None
    profile.mkdir(parents=True, exist_ok=True)
    command = [
        BROWSER,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--window-size={size[0]},{size[1]}",
        f"--user-data-dir={profile}",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def drive(
    page: Path,
    script: str,
    work: Path,
    *args: str,
    fragment: str = "",
    size: tuple[int, int] = VIEWPORT,
) -> dict[str, Any]:
    """Open a copy of ``page`` with ``script`` run after the page's own; its ``out`` object
    comes back (the driver fills ``var out = {}``)."""
    work.mkdir(parents=True, exist_ok=True)
    copy = page.with_name(f".driven-{page.name}")
    driver = (
        "<script>(function () { var out = {}; try {\n"
        + script
        + "\n} catch (e) { out.error = String(e); }\n"
        "var pre = document.createElement('pre'); pre.id = 'driver-out';"
        " pre.textContent = JSON.stringify(out); document.body.appendChild(pre); })();</script>"
    )
    text = page.read_text(encoding="utf-8")
    copy.write_text(text.replace("</body>", driver + "</body>", 1), encoding="utf-8")
    try:
        dom = browser(work / "profile", *args, "--dump-dom", copy.as_uri() + fragment, size=size)
    finally:
        copy.unlink()
    found = re.search(r'<pre id="driver-out">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    out: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    assert "error" not in out, out["error"]
    return out


def inner_size(page: Path, work: Path) -> tuple[int, int]:
    """The window size whose page area is :data:`VIEWPORT` (``--dump-dom`` counts the
    window's frame in ``--window-size``; ``--screenshot`` does not)."""
    seen = drive(page, "out.size = [window.innerWidth, window.innerHeight];", work)["size"]
    return VIEWPORT[0] + VIEWPORT[0] - seen[0], VIEWPORT[1] + VIEWPORT[1] - seen[1]


def screenshot(page: Path, png: Path, work: Path, fragment: str = "") -> Path:
    browser(work / "profile", f"--screenshot={png}", page.as_uri() + fragment)
    return png


def png_size(png: Path) -> tuple[int, int]:
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{png} is not a PNG"
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
