"""Headless Chromium for tests: Debian's /usr/bin/chromium driven by Playwright.

with chromium() as browser:
    page = browser.new_page(viewport={"width": 375, "height": 800})
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    # The pages name outside hosts (a logo on www.example.org, article links): nothing may
    # leave 127.0.0.1, not even a DNS query, so every other name resolves to nothing.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
    "--dns-prefetch-disable",
    "--no-pings",
]


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """A headless browser, closed on exit; the test is skipped where Chromium is not installed."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
