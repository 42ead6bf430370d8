"""The HTML in headless Chromium: one column on a phone, no sideways scrolling, readable colours."""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from recapmail.render.email import render_newsletter
from tests.browser import chromium
from tests.email_fixtures import config, digest, item

pytestmark = [pytest.mark.browser, pytest.mark.slow]
pytest.importorskip("playwright.sync_api")

# For every visible text element: its colour, the first opaque background behind it, and the
# WCAG contrast of the two.
CONTRASTS = """() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255;
      return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = el => { for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || c[3] > 0) return c.slice(0, 3); } return [255, 255, 255]; };
  const out = [];
  for (const el of document.body.querySelectorAll('h1,h2,h3,p,li,a,span')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const box = el.getBoundingClientRect();
    if (!own || box.width === 0 || getComputedStyle(el).display === 'none') continue;
    if (el.closest('[style*="display:none"]')) continue;
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
    out.push({text: el.textContent.trim().slice(0, 40),
              ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)});
  }
  return out;
}"""
COLUMNS = """() => [...document.querySelectorAll('[class*="mj-column-per"]')]
  .map(el => el.getBoundingClientRect()).filter(r => r.width > 0)
  .map(r => ({left: Math.round(r.left), width: Math.round(r.width), top: Math.round(r.top)}))"""


def logo_png(size: int = 96) -> bytes:
    row = b"\x00" + bytes((255, 255, 255, 255)) * size  # white: visible on the brand header

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(row * size))
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as running:
        yield running


@pytest.fixture(scope="module")
def html() -> str:
    long_word = "Supercalifragilistique" * 12
    wide = item(30, f"Un titre sans espace {long_word}", f"https://example.org/{long_word}",
                feed="Flux", tags=("Cloud",))  # fmt: skip
    d = digest(15)
    return render_newsletter(replace(d, items=(*d.items, wide)), config()).html


def open_page(browser: Any, html: str, width: int, scheme: str = "light") -> Any:
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    logo = logo_png()

    def route(r: Any) -> None:  # nothing leaves the machine; the logo is served locally
        if r.request.url.endswith("logo.png"):
            r.fulfill(body=logo, content_type="image/png")
        else:
            r.abort()

    page.route("**/*", route)
    page.set_content(html, wait_until="load")
    return page


def screenshot(page: Any, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("RECAPMAIL_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=True)


def test_phone_width_is_one_column_without_sideways_scrolling(
    browser: Any, html: str, tmp_path: Path
) -> None:
    page = open_page(browser, html, 375)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    columns = page.evaluate(COLUMNS)
    assert len(columns) >= 8
    assert min(c["width"] for c in columns) >= 375 - 2 * 10  # full width, less a section's padding
    tops = [c["top"] for c in columns]
    assert tops == sorted(tops) and len(set(tops)) == len(tops)
    screenshot(page, "newsletter-375.png", tmp_path)
    page.close()


def test_desktop_width_puts_the_key_figures_side_by_side(
    browser: Any, html: str, tmp_path: Path
) -> None:
    page = open_page(browser, html, 640)
    assert page.evaluate("document.documentElement.scrollWidth") <= 640
    columns = page.evaluate(COLUMNS)
    assert max(c["width"] for c in columns) == 600
    figures = [c for c in columns if c["width"] < 300]
    assert len(figures) == 3 and len({c["top"] for c in figures}) == 1
    screenshot(page, "newsletter-640.png", tmp_path)
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_contrast_is_at_least_4_5(
    browser: Any, html: str, scheme: str, tmp_path: Path
) -> None:
    page = open_page(browser, html, 375, scheme)
    contrasts = page.evaluate(CONTRASTS)
    assert len(contrasts) > 50
    low = [c for c in contrasts if c["ratio"] < 4.5]
    assert not low, low
    screenshot(page, f"newsletter-375-{scheme}.png", tmp_path)
    page.close()


def test_the_logo_is_drawn_at_its_declared_size(browser: Any, html: str) -> None:
    page = open_page(browser, html, 640)
    box = page.evaluate(
        "(() => { const i = document.querySelector('img'), r = i.getBoundingClientRect(); "
        "return [i.naturalWidth, r.width, r.height]; })()"
    )
    assert box == [96, 48, 48]
    page.close()
