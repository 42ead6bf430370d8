"""`recapmail archive`: the static site of the published editions, read as a browser, a feed
reader and recapmail itself read it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import pytest
from typer.testing import CliRunner

from recapmail.cli import app
from recapmail.sources.feeds import parse_feed
from tests.browser import chromium
from tests.test_editions import recap

pytestmark = pytest.mark.slow  # real processes, servers and files: see pyproject's markers

WEB = "https://veille.example.org/lettre"


def cli(team: Path, *args: str) -> str:
    done = CliRunner().invoke(app, [*args, "-c", str(team / "feeds.toml")])
    assert done.exit_code == 0, done.stderr
    return str(done.stdout)


@pytest.fixture
def team(tmp_path: Path) -> Path:
    """Three published editions (W46, W47, W48), each with a recap of its own, and a draft W49."""
    (tmp_path / "recaps").mkdir()
    (tmp_path / "feeds.toml").write_text(
        '[newsletter]\ntitle = "Veille infra"\nlanguage = "fr"\n'
        'from = "Veille <veille@example.org>"\nbrand_color = "#7a1f5c"\n'
        f'web_url = "{WEB}"\n[state]\npath = "state.sqlite3"\n'
        '[[sources]]\nname = "Recaps"\npath = "recaps"\n',
        encoding="utf-8",
    )
    out = str(tmp_path / "out")
    for week, name, title in [
        ("2026-W46", "lyon", "Meetup OpenStack Lyon"),
        ("2026-W47", "nantes", "Atelier Proxmox Nantes"),
        ("2026-W48", "rennes", "Journée Kubernetes Rennes"),
        ("2026-W49", "brest", "Brouillon Brest jamais publié"),
    ]:
        recap(tmp_path / "recaps", name, title)
        cli(tmp_path, "digest", "--offline", "--week", week, "--out", out)
        if week != "2026-W49":
            cli(tmp_path, "publish", f"{out}/{week}")
    return tmp_path


def site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def test_the_site_holds_the_published_editions_newest_first(team: Path) -> None:
    said = cli(team, "archive", str(team / "out"), "--site", str(team / "site"))
    assert said.startswith("Archive: 3 published editions in ")
    site = team / "site"
    assert sorted(site_files(site)) == [
        "2026-W46/index.html", "2026-W47/index.html", "2026-W48/index.html", "feed.xml",
        "index.html",
    ]  # fmt: skip
    index = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in index
    order = [index.index(f'href="{w}/index.html"') for w in ("2026-W48", "2026-W47", "2026-W46")]
    assert order == sorted(order)
    assert "Journée Kubernetes Rennes" in index and "#7a1f5c" in index
    everything = b"".join(site_files(site).values()).decode("utf-8")
    assert "Brest" not in everything and "2026-W49" not in everything  # the draft is nowhere
    page = (site / "2026-W48" / "index.html").read_text(encoding="utf-8")
    assert '<meta property="og:title" content="Journée Kubernetes Rennes — Veille infra">' in page
    assert f'<link rel="canonical" href="{WEB}/2026-W48/">' in page
    assert '<meta name="description" content="' in page


def test_every_relative_link_resolves_and_nothing_loads_from_elsewhere(team: Path) -> None:
    cli(team, "archive", str(team / "out"), "--site", str(team / "site"))
    site = team / "site"
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for link in re.findall(r'(?:href|src)="([^"]+)"', text):
            if urlsplit(link).scheme or link.startswith(("#", "//")):
                continue
            target = (page.parent / unquote(link.split("#")[0])).resolve()
            assert target.is_file(), (page, link)
        assert "<script" not in text and "@import" not in text and "fonts.googleapis" not in text
    index = (site / "index.html").read_text(encoding="utf-8")
    loaded = re.findall(r'<(?:img|script|link rel="stylesheet")[^>]+(?:src|href)="https?://', index)
    assert not loaded


def test_feed_xml_reads_in_feedparser_and_in_recapmail(team: Path) -> None:
    cli(team, "archive", str(team / "out"), "--site", str(team / "site"))
    data = (team / "site" / "feed.xml").read_bytes()
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert [e.link for e in parsed.entries] == [f"{WEB}/{w}/index.html" for w in
                                                ("2026-W48", "2026-W47", "2026-W46")]  # fmt: skip
    ours = parse_feed(data, "feed.xml", name="Archive")
    assert not ours.warnings
    assert [a.title for a in ours.articles] == [e.title for e in parsed.entries]
    assert all(a.published is not None for a in ours.articles)


def test_the_email_links_to_its_web_version(team: Path) -> None:
    html = (team / "out" / "2026-W48" / "newsletter.html").read_text(encoding="utf-8")
    text = (team / "out" / "2026-W48" / "newsletter.txt").read_text(encoding="utf-8")
    assert f'href="{WEB}/2026-W48/"' in html and "Voir dans le navigateur" in html
    assert f"Voir dans le navigateur\u202f: {WEB}/2026-W48/" in text


def test_building_twice_gives_the_same_bytes_and_a_removed_edition_leaves(team: Path) -> None:
    site = team / "site"
    cli(team, "archive", str(team / "out"), "--site", str(site))
    first = site_files(site)
    cli(team, "archive", str(team / "out"), "--site", str(site))
    assert site_files(site) == first
    shutil.rmtree(team / "out" / "2026-W46")
    cli(team, "archive", str(team / "out"), "--site", str(site))
    assert "2026-W46/index.html" not in site_files(site)
    assert "2026-W46" not in (site / "index.html").read_text(encoding="utf-8")


def test_pages_read_well_on_a_phone_and_a_desktop(team: Path) -> None:
    cli(team, "archive", str(team / "out"), "--site", str(team / "site"))
    with chromium() as browser:
        for width in (375, 1280):
            page = browser.new_page(viewport={"width": width, "height": 800})
            for name in ("index.html", "2026-W48/index.html"):
                page.goto((team / "site" / name).as_uri())
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, (name, width, overflow)
                assert page.evaluate("document.documentElement.lang") == "fr"
            page.goto((team / "site" / "index.html").as_uri())
            page.click("text=Journée Kubernetes Rennes — Veille infra")
            assert page.url.endswith("/2026-W48/index.html")
            page.close()


def test_the_weekly_posts_link_to_the_web_version(team: Path) -> None:
    for platform in ("linkedin", "mastodon", "bluesky"):
        post = (team / "out" / "2026-W48" / "social" / f"{platform}.txt").read_text("utf-8")
        assert f"{WEB}/2026-W48/" in post, (platform, post)
