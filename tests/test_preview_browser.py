"""The preview page in headless Chromium: frames, dark mode, tabs, Copy, and live reload."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from recapmail.preview import PreviewServer
from tests.browser import chromium
from tests.test_preview import POSTS, W46, write_edition

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Frame, Page

pytestmark = [pytest.mark.browser, pytest.mark.slow]
OUTSIDE = re.compile(r"^(?!http://127\.0\.0\.1[:/])")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PreviewServer]:
    out = tmp_path / "out"
    write_edition(out, "2026-W46", start=W46[0], end=W46[1], subject="Semaine 46")
    write_edition(out, "2026-W47")
    with PreviewServer(out, interval=0.05) as running:
        yield running


@pytest.fixture
def page(browser: Browser, server: PreviewServer) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url[:-1])
    context.route(OUTSIDE, lambda route: route.abort())  # tests reach no other server
    page = context.new_page()
    yield page
    context.close()


def frame(page: Page, kind: str) -> Frame:
    handle = page.wait_for_selector(f"#frame-{kind}")
    assert handle is not None
    content = handle.content_frame()
    assert content is not None
    content.wait_for_load_state()
    return content


def test_index_links_to_each_digest_newest_first(page: Page, server: PreviewServer) -> None:
    page.goto(server.url)
    assert page.locator(".ed-name").all_inner_texts() == ["2026-W47", "2026-W46"]
    page.click("text=2026-W47")
    page.wait_for_url(re.compile(r"/d/2026-W47/"))
    assert page.inner_text("#subject") == "La veille infra ouverte – semaine du 16 au 22 novembre"
    assert (
        page.inner_text("#preheader") == "1 200 participants à Lyon, KubeCon et un atelier Proxmox"
    )


def test_frames_load_at_phone_and_desktop_widths(page: Page, server: PreviewServer) -> None:
    page.goto(server.url + "d/2026-W47/")
    phone, desktop = frame(page, "phone"), frame(page, "desktop")
    assert phone.evaluate("document.documentElement.clientWidth") == 375
    assert desktop.evaluate("document.documentElement.clientWidth") == 640
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling
    left, right = (phone.locator(s).bounding_box() for s in ("#left", "#right"))
    assert left and right and right["y"] > left["y"]  # one column on a phone
    left, right = (desktop.locator(s).bounding_box() for s in ("#left", "#right"))
    assert left and right and right["x"] > left["x"] + 200  # two side by side on a desktop


def test_dark_mode_toggle_switches_the_newsletter(page: Page, server: PreviewServer) -> None:
    page.goto(server.url + "d/2026-W47/")
    background = "getComputedStyle(document.querySelector('.card')).backgroundColor"
    assert frame(page, "phone").evaluate(background) == "rgb(255, 255, 255)"
    page.check("#dark")
    # Both frames reload with the dark variant: wait until each one shows it, not a timing.
    shows = (
        "(color) => ['phone', 'desktop'].every(k => {"
        " const d = document.querySelector('#frame-' + k).contentDocument;"
        " const c = d && d.readyState === 'complete' && d.querySelector('.card');"
        " return c && getComputedStyle(c).backgroundColor === color; })"
    )
    page.wait_for_function(shows, arg="rgb(16, 21, 28)")
    for kind in ("phone", "desktop"):
        assert frame(page, kind).evaluate(background) == "rgb(16, 21, 28)"
    assert "dark" in page.eval_on_selector("body", "b => b.className")
    page.reload()  # the choice survives a reload (the live one included)
    assert page.is_checked("#dark")
    page.uncheck("#dark")
    page.wait_for_function(shows, arg="rgb(255, 255, 255)")
    assert frame(page, "phone").evaluate(background) == "rgb(255, 255, 255)"


def test_tabs_show_plain_text_and_social_cards(page: Page, server: PreviewServer) -> None:
    page.goto(server.url + "d/2026-W47/")
    assert page.is_visible("#frame-phone") and not page.is_visible("#plain-text")
    page.click("#tab-text")
    assert not page.is_visible("#frame-phone")
    text = (server.out_dir / "2026-W47" / "newsletter.txt").read_text()
    assert page.text_content("#plain-text") == text
    page.click("#tab-social")
    assert page.locator(".card").count() == 3
    linkedin = page.locator(".card.linkedin")
    assert linkedin.locator(".more").is_hidden()
    linkedin.locator(".see-more").click()
    assert linkedin.locator(".more").is_visible()
    assert linkedin.locator(".post").inner_text() == POSTS["linkedin"]
    assert linkedin.locator(".count").inner_text().endswith("/ 3000")


def test_copy_puts_the_exact_post_on_the_clipboard(page: Page, server: PreviewServer) -> None:
    page.goto(server.url + "d/2026-W47/#tab=social")
    for platform, text in POSTS.items():
        card = page.locator(f".card.{platform}")
        card.locator("button.copy").click()
        page.wait_for_selector(f".card.{platform} .copy.done")
        assert page.evaluate("navigator.clipboard.readText()") == text


def test_editing_a_template_reloads_the_page_with_the_change(
    browser: Browser, tmp_path: Path
) -> None:
    from recapmail.config import load_config
    from recapmail.period import week_period
    from recapmail.pipeline import run_digest

    footer = tmp_path / "templates" / "email" / "partials" / "_footer.mjml.j2"
    footer.parent.mkdir(parents=True)
    footer.write_text(FOOTER.format(version="v1"), encoding="utf-8")
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "2026-11-18-atelier.md").write_text(ARTICLE, encoding="utf-8")
    config = tmp_path / "feeds.toml"
    config.write_text(CONFIG, encoding="utf-8")
    out = tmp_path / "out"
    cfg = load_config(config)
    run_digest(cfg, week_period("2026-W47", cfg.newsletter.timezone), out, offline=True)

    with PreviewServer(out, config_path=config, interval=0.05) as server:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.route(OUTSIDE, lambda route: route.abort())
        page.goto(server.url + "d/2026-W47/")
        assert frame(page, "desktop").inner_text("#foot") == "Pied de page v1"

        with page.expect_navigation(timeout=15_000):
            footer.write_text(FOOTER.format(version="v2"), encoding="utf-8")
        assert frame(page, "desktop").inner_text("#foot") == "Pied de page v2"
        assert "Pied de page v2" in (out / "2026-W47" / "newsletter.html").read_text()

        # A mistake in the template shows on the page, naming the file and line; the server lives.
        footer.write_text(FOOTER.format(version="{{ oops }"), encoding="utf-8")
        page.wait_for_selector("#error", state="visible", timeout=15_000)
        message = page.inner_text("#error-text")
        assert f"{footer}:3:" in message and "syntax error" in message
        assert frame(page, "desktop").inner_text("#foot") == "Pied de page v2"  # last good one

        with page.expect_navigation(timeout=15_000):
            footer.write_text(FOOTER.format(version="v3"), encoding="utf-8")
        assert page.is_hidden("#error")
        assert frame(page, "desktop").inner_text("#foot") == "Pied de page v3"
        page.close()


FOOTER = """<mj-section>
  <mj-column>
    <mj-text><p id="foot">Pied de page {version}</p></mj-text>
  </mj-column>
</mj-section>
"""

CONFIG = """[newsletter]
title = "Veille de test"
language = "fr"
templates_dir = "templates"
timezone = "Europe/Paris"

[social]
platforms = ["linkedin", "mastodon", "bluesky"]

[[sources]]
name = "Comptes rendus"
path = "articles"
"""

ARTICLE = """---
title: "Atelier Proxmox à Nantes : 40 participants"
date: 2026-11-18
lang: fr
---

Mardi, l'équipe a animé un atelier Proxmox VE à Nantes devant 40 participants.

La migration depuis VMware a occupé la matinée, avec trois démonstrations de conversion de disques.

L'après-midi a porté sur la haute disponibilité et les sauvegardes avec Proxmox Backup Server.
"""
