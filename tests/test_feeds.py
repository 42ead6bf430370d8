"""Feed bytes -> Articles: every feed format, links, sanitising, dates, hostile XML."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from recapmail.errors import SourceError
from recapmail.sources.feed_html import html_to_markdown
from recapmail.sources.feeds import ParsedFeed, looks_like_feed, parse_feed
from recapmail.urls import clean_url, url_key
from tests.feedserver import make_items, rss_feed

FEEDS = Path(__file__).parent / "data" / "feeds"
BASE = "https://host.example/feeds/"


def parse(file: str, name: str | None = None, tags: tuple[str, ...] = ()) -> ParsedFeed:
    data = (FEEDS / file).read_bytes()
    return parse_feed(data, file, base_url=BASE + file, name=name, tags=tags)


@pytest.mark.slow
def test_rss2_items_with_links_dates_tags_and_language() -> None:
    feed = parse("rss2.xml", name="Blog", tags=("Veille",))
    assert feed.title == "Chroniques du cloud ouvert"
    first, undated, third = feed.articles
    assert first.url == "https://cloud.example.fr/blog/journee-proxmox/?page=2"  # utm_* gone
    assert first.source == first.url and first.kind == "feed" and first.feed == "Blog"
    assert first.title == "Migration & souveraineté : retour sur la journée Proxmox"
    assert first.published == datetime(2026, 11, 19, 8, 30, tzinfo=UTC)
    assert first.tags == ("Veille", "Proxmox", "Virtualisation")
    assert first.language == "fr"  # from <language>fr-FR</language>
    assert first.guid == "cloud-example-42"
    assert "300 participants" in first.body
    assert "- Atelier migration\n- Retours clients" in first.body
    # relative links resolved against where the feed came from
    assert undated.url == "https://host.example/feeds/programme-decembre.html"
    assert undated.published is None
    # a French date that the fast parser cannot read still gets through
    assert third.published == datetime(2026, 11, 17, 17, 0, tzinfo=UTC)


def test_entry_html_is_sanitised_and_reduced_to_markdown() -> None:
    body = parse("rss2.xml").articles[0].body
    assert "[les supports](https://host.example/blog/slides/)" in body
    for bad in ("javascript", "script", "alert", "onerror", "<img", "<p>"):
        assert bad not in body
    atom = parse("atom.xml").articles[0].body
    assert atom.startswith(
        "## Gateways\n\nThe Gateway API reached [v1.4](https://host.example/gateway/)."
    )
    assert "iframe" not in atom and "evil" not in atom and "steal" not in atom


@pytest.mark.parametrize(
    ("name", "title", "published", "language"),
    [
        ("rss091.xml", "Café opens a data centre", None, "en"),
        ("rdf.xml", "Ceph Reef in production", datetime(2026, 11, 18, 8, tzinfo=UTC), None),
        ("atom.xml", "KubeCon recap: three things we learned",
         datetime(2026, 11, 20, 9, tzinfo=UTC), "en"),
        ("feed.json", "OpenTofu rejoint la fondation",
         datetime(2026, 11, 18, 11, tzinfo=UTC), "fr"),
    ],
)  # fmt: skip
def test_every_format(name: str, title: str, published: datetime | None, language: str) -> None:
    first = parse(name).articles[0]
    assert first.title == title
    assert first.published == published
    assert first.language == language


def test_atom_details_and_plain_text_content() -> None:
    feed = parse("atom.xml")
    assert feed.title == "Infra notes"  # type="html" title reduced to text
    recap, plain = feed.articles
    assert recap.author == "Sam" and recap.tags == ("Kubernetes",)
    assert recap.description == "Short version: gateways, AI and sovereignty."
    assert plain.body_format == "text" and plain.body == "Plain <text> stays as written."
    assert plain.url == "https://host.example/2026/plain/"


def test_json_feed_tracking_parameters_and_plain_text() -> None:
    first, second = parse("feed.json").articles
    assert first.url == "https://json.example.org/a"  # fbclid removed
    assert first.author == "Léa" and first.tags == ("OpenTofu",)
    assert second.body == "Un texte <sans> HTML." and second.body_format == "text"


def test_malformed_xml_is_still_read_completely() -> None:
    feed = parse("malformed.xml")
    assert [a.url for a in feed.articles] == [
        "https://broken.example.org/1",
        "https://broken.example.org/2",
    ]
    assert feed.articles[1].published == datetime(2026, 11, 17, 10, tzinfo=UTC)


def test_external_entities_are_never_resolved() -> None:
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
    feed = parse("xxe.xml")
    text = " ".join(f"{a.title} {a.body}" for a in feed.articles)
    assert feed.articles
    if hostname:
        assert hostname not in text


def test_entity_expansion_bomb_is_harmless() -> None:
    feed = parse("laughs.xml")  # expanded, it would be a billion "lol"s (time: benchmarks/)
    assert all(len(a.body) < 1000 and "lol" not in (a.title or "") for a in feed.articles)


@pytest.mark.parametrize(
    "data",
    [b"", b"   ", b"<!doctype html><html><body>hi</body></html>", b"\x00\x01garbage" * 50,
     b"<note><to>x</to></note>", b'{"items": []}'],
)  # fmt: skip
def test_not_a_feed_is_one_clear_error(data: bytes) -> None:
    with pytest.raises(SourceError, match=r"^bad\.xml: "):
        parse_feed(data, "bad.xml")


def test_item_cap_keeps_the_newest_and_warns() -> None:
    data = rss_feed(list(reversed(make_items(30))))  # oldest first in the file
    feed = parse_feed(data, "big.xml", max_items=10)
    assert feed.total == 30 and len(feed.articles) == 10
    assert feed.warnings == ("holds 30 items; only the 10 newest were read",)
    newest = max(a.published for a in feed.articles if a.published)
    assert newest == datetime(2026, 11, 22, 12, tzinfo=UTC)


@pytest.mark.slow
def test_two_thousand_items_are_all_read() -> None:  # their speed: benchmarks/bench_scale.py
    data = rss_feed(make_items(2000))
    feed = parse_feed(data, "many.xml", max_items=2000)
    assert len(feed.articles) == feed.total == 2000
    assert len({a.source for a in feed.articles}) == 2000


def test_sniffing() -> None:
    assert looks_like_feed((FEEDS / "atom.xml").read_bytes())
    assert looks_like_feed((FEEDS / "feed.json").read_bytes())
    assert looks_like_feed(b"\xef\xbb\xbf<?xml version='1.0'?>\n<rss version='2.0'>")
    assert not looks_like_feed(b"<!DOCTYPE html><html><head><title>rss</title>")
    assert not looks_like_feed(b'{"name": "not a feed"}')


def test_html_to_markdown_edge_cases() -> None:
    assert html_to_markdown("Texte &amp; <b>gras</b>") == "Texte & gras"
    assert html_to_markdown('<a href="mailto:a@b.org">écrire</a>') == "[écrire](mailto:a@b.org)"
    assert html_to_markdown('<a href="data:text/html,x">x</a>') == "x"
    assert html_to_markdown('<a href="//cdn.example/x">cdn</a>', "https://a.example/") == (
        "[cdn](https://cdn.example/x)"
    )
    assert html_to_markdown("<p>un</p><p>deux</p><style>p{}</style>") == "un\n\ndeux"
    assert html_to_markdown("<h3>Titre</h3>suite<br>fin") == "### Titre\n\nsuite\nfin"


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("Voir [ici](javascript:alert(1))", "Voir [ici] (javascript:alert(1))"),
        ("<p>Voir [ici]&#40;data:text/html,x&#41;</p>", "Voir [ici] (data:text/html,x)"),
        ("OpenStack ](", "OpenStack ] ("),
        ("<p>[doc](https://docs.example.org/) et [mail](mailto:a@b.org)</p>",
         "[doc](https://docs.example.org/) et [mail](mailto:a@b.org)"),
    ],
)  # fmt: skip
def test_text_that_spells_a_link_does_not_become_one(html: str, markdown: str) -> None:
    assert html_to_markdown(html) == markdown


def test_canonical_links() -> None:
    assert (
        clean_url("HTTPS://Example.ORG/a?utm_source=x&id=3#top") == "https://example.org/a?id=3#top"
    )
    same = {
        url_key("https://www.example.org/post/?utm_medium=rss"),
        url_key("http://example.org/post"),
        url_key("https://example.org:443/post/#comments"),
    }
    assert same == {"example.org/post"}
    assert url_key("https://example.org/post?b=2&a=1") == url_key(
        "https://example.org/post?a=1&b=2"
    )
    assert url_key("https://example.org/post?id=1") != url_key("https://example.org/post?id=2")


def test_a_giant_item_is_cut_at_a_paragraph() -> None:
    paragraph = "<p>" + "Le cluster a tenu la charge pendant la migration. " * 40 + "</p>"
    body = paragraph * 400  # about 800,000 characters of HTML
    data = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        "<item><title>Une migration</title><link>https://example.org/a</link>"
        f"<description><![CDATA[{body}]]></description></item></channel></rss>"
    ).encode()
    (article,) = parse_feed(data, "giant.xml").articles
    assert 100_000 < len(article.body) <= 200_000
    assert article.body.endswith("migration.")


def test_a_feed_declared_latin1_but_saved_as_utf8_is_read_as_utf8() -> None:
    data = (
        '<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>t</title>'
        "<item><title>Réunion à Genève</title><link>https://example.org/a</link>"
        "<description>Compte rendu détaillé de la réunion.</description></item></channel></rss>"
    ).encode()
    (article,) = parse_feed(data, "lying.xml").articles
    assert article.title == "Réunion à Genève"
