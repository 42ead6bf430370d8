"""collect() over a config (a real server on 127.0.0.1, local recaps) and load_sources()."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from recapmail.code_version import parser_version
from recapmail.config import Config, FetchConfig, SourceConfig
from recapmail.errors import SourceError
from recapmail.sources.check import check_sources
from recapmail.sources.collect import collect
from recapmail.sources.resolve import load_sources
from recapmail.state import State
from tests.feedserver import FeedServer, feed_server, make_items, rss_feed

__all__ = ["feed_server"]
FEEDS = Path(__file__).parent / "data" / "feeds"
NOW = datetime(2026, 11, 23, 7, tzinfo=UTC)
PAGE = b"""<!doctype html><html lang="fr"><head><title>Retour sur la journee Ceph</title>
<meta property="article:published_time" content="2026-11-19T10:00:00+01:00"></head><body>
<nav>Accueil | Blog</nav><article><h1>Retour sur la journee Ceph</h1>
<p>La journee Ceph a reuni 180 personnes a Lyon autour du stockage distribue. Les equipes
ont presente leurs migrations vers Reef et leurs retours sur le chiffrement.</p>
<p>Trois ateliers pratiques ont permis de deployer un cluster complet en une heure, avec
une attention particuliere a la supervision et aux sauvegardes.</p></article>
<footer>Mentions legales</footer></body></html>"""


@pytest.fixture
def recaps(tmp_path: Path) -> Path:
    folder = tmp_path / "recaps"
    folder.mkdir()
    (folder / "kubecon.md").write_text(
        "---\ntitle: KubeCon vu par l'equipe\ndate: 2026-11-14\n---\nNous etions 12 a Atlanta.\n"
    )
    (folder / "vide.md").write_text("")
    return folder


def config(server: FeedServer, recaps: Path, **fetch: object) -> Config:
    server.add("/feeds/news.xml", rss_feed(make_items(50)), gzip=True)
    server.add("/feeds/atom.xml", (FEEDS / "atom.xml").read_bytes())
    server.add("/pages/ceph.html", PAGE, content_type="text/html; charset=utf-8")
    sources = (
        SourceConfig("Recaps", path=recaps, tags=("Equipe",)),
        SourceConfig("Local JSON", path=FEEDS / "feed.json"),
        SourceConfig("News", url=server.url("/feeds/news.xml"), language="en"),
        SourceConfig("Notes", url=server.url("/feeds/atom.xml")),
        SourceConfig("Ceph page", url=server.url("/pages/ceph.html"), type="page"),
        SourceConfig("Down", url=server.url("/status/500")),
        SourceConfig("Loop", url=server.url("/loop/a")),
        SourceConfig("Noise", url=server.url("/garbage")),
        SourceConfig("Off", url=server.url("/feeds/off.xml"), enabled=False),
    )
    options = {"timeout": 2.0, "deadline": 5.0, **fetch}
    return Config(sources=sources, fetch=FetchConfig(**options))  # type: ignore[arg-type]


@pytest.mark.slow
def test_collect_reads_everything_and_turns_failures_into_warnings(
    feed_server: FeedServer, recaps: Path, tmp_path: Path
) -> None:
    cfg = config(feed_server, recaps)
    messages: list[str] = []
    with State.open(tmp_path / "s.db") as state:
        got = collect(cfg, state, offline=False, progress=messages.append, now=NOW)
    by_feed: dict[str, int] = {}
    for a in got.articles:
        by_feed[a.feed or ""] = by_feed.get(a.feed or "", 0) + 1
    assert by_feed == {"Recaps": 1, "Local JSON": 2, "News": 50, "Notes": 2, "Ceph page": 1}
    warned = {w.source: w.reason for w in got.warnings}
    assert set(warned) == {"Recaps", "Down", "Loop", "Noise"}
    assert warned["Down"] == "HTTP 500 Internal Server Error"
    assert warned["Loop"].startswith("redirect loop")
    assert warned["Noise"].startswith("not an RSS, Atom or JSON feed")
    assert "vide.md: the file is empty" in warned["Recaps"]
    assert (got.fetched, got.not_modified, got.from_cache) == (3, 0, 0)
    assert len(messages) == 6 and messages[-1].startswith("[6/6] ")
    assert "[1/6] News: 50 items" in messages or any(m.endswith("News: 50 items") for m in messages)
    news = next(a for a in got.articles if a.feed == "News")
    assert news.language == "en" and news.first_seen == NOW
    recap = next(a for a in got.articles if a.feed == "Recaps")
    assert recap.tags == ("Equipe",) and recap.kind == "file"
    page = next(a for a in got.articles if a.feed == "Ceph page")
    assert page.kind == "page" and "180 personnes" in page.body and "Mentions" not in page.body


def test_second_run_is_conditional_and_offline_uses_the_cache(
    feed_server: FeedServer, recaps: Path, tmp_path: Path
) -> None:
    cfg = config(feed_server, recaps, recheck_after=0)
    with State.open(tmp_path / "s.db") as state:
        first = collect(cfg, state, offline=False, now=NOW)
        sent_before = feed_server.bytes_sent()
        second = collect(cfg, state, offline=False, now=NOW)
        downloaded = feed_server.bytes_sent() - sent_before
        assert (second.fetched, second.not_modified) == (0, 3)
        for path in ("/feeds/news.xml", "/feeds/atom.xml", "/pages/ceph.html"):
            assert [h.status for h in feed_server.hits_for(path)] == [200, 304]
        assert downloaded == len(b"<h1>Internal error</h1>") + 4096  # the failing ones only
        assert [a.source for a in second.articles] == [a.source for a in first.articles]
        hits = len(feed_server.hits)
        offline = collect(cfg, state, offline=True, now=NOW)
        assert len(feed_server.hits) == hits  # no request at all
        assert offline.from_cache == 3
        assert [a.source for a in offline.articles] == [a.source for a in first.articles]
        offline_warnings = {w.source for w in offline.warnings}
        assert offline_warnings == {"Recaps", "Down", "Loop", "Noise"}


def test_a_feed_checked_minutes_ago_is_not_asked_again(
    feed_server: FeedServer, recaps: Path, tmp_path: Path
) -> None:
    """[fetch] recheck_after: re-runs within minutes leave the servers alone; failed feeds,
    never checked, are asked again every time; after the window, conditional GETs again."""
    cfg = config(feed_server, recaps, recheck_after=15)
    with State.open(tmp_path / "s.db") as state:
        first = collect(cfg, state, offline=False, now=NOW)
        hits = len(feed_server.hits)
        soon = collect(cfg, state, offline=False, now=NOW + timedelta(minutes=14))
        asked = [h.path for h in feed_server.hits[hits:]]
        assert sorted(asked) == ["/garbage", "/loop/a", "/loop/b", "/status/500"]
        assert (soon.fetched, soon.not_modified, soon.recent) == (0, 0, 3)
        assert [a.source for a in soon.articles] == [a.source for a in first.articles]
        hits = len(feed_server.hits)
        later = collect(cfg, state, offline=False, now=NOW + timedelta(minutes=16))
        statuses = {h.path: h.status for h in feed_server.hits[hits:]}
        assert statuses["/feeds/news.xml"] == statuses["/feeds/atom.xml"] == 304
        assert (later.not_modified, later.recent) == (3, 0)
        # the window runs from the last answer (the 304 at +16 min), not from the first one
        for minutes, asked_again in ((30, False), (32, True)):
            hits = len(feed_server.hits)
            collect(cfg, state, offline=False, now=NOW + timedelta(minutes=minutes))
            paths = [h.path for h in feed_server.hits[hits:]]
            assert ("/feeds/news.xml" in paths) is asked_again


def test_a_failing_feed_falls_back_on_its_last_good_copy(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    url = feed_server.add("/feeds/flaky.xml", rss_feed(make_items(3)), validators=False)
    fetch = FetchConfig(timeout=2, recheck_after=0)
    cfg = Config(sources=(SourceConfig("Flaky", url=url),), fetch=fetch)
    with State.open(tmp_path / "s.db") as state:
        assert len(collect(cfg, state, offline=False, now=NOW).articles) == 3
        feed_server.routes["/feeds/flaky.xml"].body = b"<html>maintenance</html>"
        later = collect(cfg, state, offline=False, now=NOW)
    assert len(later.articles) == 3
    (warning,) = later.warnings
    assert warning.source == "Flaky"
    assert warning.reason.endswith(f"used the copy fetched on {NOW:%Y-%m-%d}")


def test_offline_without_a_cache_warns(tmp_path: Path) -> None:
    cfg = Config(sources=(SourceConfig("Never", url="https://never.example.org/feed"),))
    with State.open(tmp_path / "s.db") as state:
        got = collect(cfg, state, offline=True, now=NOW)
    assert got.articles == ()
    assert [w.reason for w in got.warnings] == [
        "offline and never fetched before: nothing in the cache"
    ]


@pytest.mark.slow
def test_load_sources_files_folders_feeds_and_urls(
    feed_server: FeedServer, recaps: Path, tmp_path: Path
) -> None:
    feed_url = feed_server.add("/feeds/atom.xml", (FEEDS / "atom.xml").read_bytes())
    page_url = feed_server.add("/pages/ceph.html", PAGE, content_type="text/html")
    (recaps / "vide.md").unlink()
    renamed = tmp_path / "feed-without-suffix"
    shutil.copy(FEEDS / "rss2.xml", renamed)
    articles = load_sources([str(recaps), feed_url, str(renamed), page_url, str(FEEDS / "rdf.xml")])
    assert [a.kind for a in articles] == [
        "file",
        "feed",
        "feed",
        "feed",
        "feed",
        "feed",
        "page",
        "feed",
    ]
    assert articles[1].url == "https://notes.example.com/2026/kubecon-recap/"
    assert articles[6].source == page_url


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("/no/such/recap.md", r"^/no/such/recap\.md: no such file \(check the path\)$"),
        ("ftp://example.org/feed.xml", "only http:// and https:// URLs can be fetched"),
    ],
)
def test_load_sources_errors(spec: str, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        load_sources([spec])


def test_load_sources_url_failure_names_the_url(feed_server: FeedServer) -> None:
    url = feed_server.url("/status/500")
    with pytest.raises(SourceError, match=rf"^{url}: HTTP 500 Internal Server Error$"):
        load_sources([url], timeout=2)


def test_check_sources_reports_status_items_and_newest(
    feed_server: FeedServer, recaps: Path
) -> None:
    cfg = config(feed_server, recaps)
    (recaps / "vide.md").unlink()
    statuses = {s.name: s for s in check_sources(cfg)}
    assert list(statuses) == [s.name for s in cfg.enabled_sources]
    news = statuses["News"]
    assert news.ok and news.items == 50 and news.detail.startswith("HTTP 200")
    assert news.newest == datetime(2026, 11, 22, 12, tzinfo=UTC)
    assert statuses["Recaps"].ok and statuses["Recaps"].items == 1
    assert statuses["Local JSON"].newest == datetime(2026, 11, 18, 11, tzinfo=UTC)
    assert not statuses["Down"].ok and statuses["Down"].detail == "HTTP 500 Internal Server Error"
    assert not statuses["Noise"].ok and "not an RSS, Atom or JSON feed" in statuses["Noise"].detail
    assert "moved" not in news.detail


def test_check_sources_says_when_a_feed_moved_for_good(feed_server: FeedServer) -> None:
    feed_server.add("/feeds/chained.xml", rss_feed(make_items(3)))
    source = SourceConfig(name="Moved", url=feed_server.url("/chain/1"))
    (status,) = check_sources(Config(sources=(source,)))
    assert status.ok and status.items == 3
    assert status.detail.endswith(
        f"; moved for good to {feed_server.url('/feeds/chained.xml')}: put that URL in feeds.toml"
    )


def test_a_cached_body_parsed_again_keeps_its_new_parse(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    """After an upgrade changes the parser, an unchanged feed is parsed once, not every run."""
    url = feed_server.add("/feeds/a.xml", rss_feed(make_items(5)))
    cfg = Config(sources=(SourceConfig(name="A", url=url),), fetch=FetchConfig(recheck_after=0))
    with State.open(tmp_path / "s.db") as state:
        collect(cfg, state, offline=False)  # 200: parsed and kept
    sqlite3.connect(tmp_path / "s.db").execute("UPDATE parsed SET version = 0").connection.commit()
    with State.open(tmp_path / "s.db") as state:
        again = collect(cfg, state, offline=False)  # 304: the cached body parsed again
    assert again.not_modified == 1 and len(again.articles) == 5
    kept = sqlite3.connect(tmp_path / "s.db").execute("SELECT version FROM parsed").fetchall()
    assert kept == [(parser_version(),)]
