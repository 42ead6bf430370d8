"""Property tests: whatever a stranger writes, parsers end in a value or one SourceError, and
the renderers' output holds no active content (tests/hostile.py)."""

from __future__ import annotations

import html
import re
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from recapmail.errors import SourceError
from recapmail.highlights import extract
from recapmail.model import Article, Digest, DigestItem
from recapmail.render.email import render_newsletter
from recapmail.render.links import safe_url
from recapmail.render.social import posts_for_article
from recapmail.sources.decode import decode
from recapmail.sources.feeds import parse_feed
from recapmail.sources.files import parse_bytes
from recapmail.text import strip_markup
from tests.email_fixtures import config, digest
from tests.hostile import active_content, text_active_content

pytestmark = pytest.mark.slow  # real processes, servers and files: see pyproject's markers

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SCHEMES = ["javascript:", "JaVaScRiPt:", "vbscript:", "data:text/html,", "java\tscript:",
           "&#106;avascript:", "jav&#x0A;ascript:", "\x01javascript:", "https://ok.example/",
           "file:///etc/passwd", "//evil.example/", "mailto:a@b.org"]  # fmt: skip
TAGS = ["script", "iframe", "object", "embed", "form", "base", "meta", "style", "svg", "math",
        "img", "a", "p", "div", "b", "mj-raw", "mj-include", "body", "link", "details"]  # fmt: skip
ATTRS = ["href", "src", "onerror", "onload", "style", "http-equiv", "content", "action", "path"]
VALUES = [*SCHEMES, "alert(1)", "expression(alert(1))", "behavior:url(x.htc)", "refresh",
          "0;url=javascript:alert(1)", "url(javascript:alert(1))", '"><script>alert(1)</script>',
          "{{ 7*7 }}", "{% raw %}"]  # fmt: skip
WORDS = ["OpenStack", "Kubernetes", "1 200 participants", "à Lyon", "{{ x }}", "&lt;", "&amp;",
         "]]>", "<!--", "-->", "\u202e", "\u200b", "é", "«", "»", "\n\n", ". ", "#"]  # fmt: skip


@st.composite
def markup(draw: st.DrawFn, depth: int = 0) -> str:
    """Tag soup built from the pieces attacks are made of, nested and sometimes left open."""
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.integers(0, 3))
        if kind == 0 or depth > 2:
            parts.append(draw(st.sampled_from(WORDS)) + " " + draw(st.text(max_size=12)))
        else:
            tag = draw(st.sampled_from(TAGS))
            attrs = "".join(
                f' {draw(st.sampled_from(ATTRS))}="{draw(st.sampled_from(VALUES))}"'
                for _ in range(draw(st.integers(0, 2)))
            )
            inner = draw(markup(depth + 1))
            close = draw(st.sampled_from([f"</{tag}>", "", f"</{tag.upper()} >"]))
            parts.append(f"<{draw(st.sampled_from([tag, tag.upper()]))}{attrs}>{inner}{close}")
    return " ".join(parts)


def newsletter_of(article: Article) -> tuple[str, str, str]:
    h = extract(article)
    base = digest(1)
    d: Digest = replace(base, items=(*base.items, DigestItem(h, shown=True)))
    n = render_newsletter(d, config())
    return n.html, n.mjml, n.text


@SETTINGS
@given(body=markup(), title=markup(), url=st.sampled_from(SCHEMES))
def test_markdown_articles_render_inert(body: str, title: str, url: str) -> None:
    data = f"---\ntitle: {title!r}\nurl: {url!r}\n---\n{body}\n\n{body}\n".encode()
    try:
        article = parse_bytes(data, "a.md", ".md")
    except SourceError:
        return
    assert not text_active_content(article.title or "")
    page, mjml, text = newsletter_of(article)
    assert not active_content(page), page
    assert not active_content(mjml)
    assert not text_active_content(text), text
    for post in posts_for_article(extract(article), config(), ("linkedin", "mastodon")):
        assert not text_active_content(post.text), post.text


@SETTINGS
@given(body=markup(), title=markup())
def test_html_pages_render_inert(body: str, title: str) -> None:
    page_html = (
        f"<!doctype html><html><head><title>{title}</title></head><body><article>"
        f"<p>Le Summit OpenStack a réuni 1 200 participants à Lyon.</p><p>{body}</p>"
        "<p>Les opérateurs ont comparé KubeVirt et Proxmox pour la migration.</p>"
        "</article></body></html>"
    )
    try:
        article = parse_bytes(page_html.encode(), "a.html", ".html")
    except SourceError:
        return
    assert not text_active_content(article.title or "")
    page, mjml, text = newsletter_of(article)
    assert not active_content(page) and not active_content(mjml)
    assert not text_active_content(text), text


@SETTINGS
@given(items=st.lists(st.tuples(markup(), st.sampled_from(SCHEMES)), min_size=1, max_size=4))
def test_feed_item_html_renders_inert(items: list[tuple[str, str]]) -> None:
    entries = "".join(
        f"<item><title>Article {i}</title><link>{html.escape(link)}</link>"
        f"<guid>urn:item:{i}</guid><description>{html.escape(body)}</description></item>"
        for i, (body, link) in enumerate(items)
    )
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>'
        f"{entries}</channel></rss>"
    )
    try:
        parsed = parse_feed(feed.encode(), "f.xml", base_url="https://news.example.org/")
    except SourceError:
        return
    for article in parsed.articles:
        assert article.url is None or article.url.startswith(("http://", "https://"))
        assert not re.search(r"\]\((?!https?://|mailto:)", article.body), article.body
        page, mjml, _text = newsletter_of(article)
        assert not active_content(page) and not active_content(mjml)


@SETTINGS
@given(st.one_of(st.sampled_from(SCHEMES), st.text(max_size=60)).flatmap(
    lambda head: st.text(max_size=30).map(lambda tail: head + tail)
))  # fmt: skip
def test_safe_url_only_lets_web_and_mail_links_through(raw: str) -> None:
    url = safe_url(raw)
    if url is None:
        return
    assert re.match(r"(https?://[^/?#]+|mailto:)", url), url
    assert not re.search(r"[\s\"'<>`\x00-\x1f\x7f]", url), url
    assert not active_content(f'<a href="{html.escape(url)}">x</a>')


@SETTINGS
@given(st.one_of(markup(), st.text(max_size=200)))
def test_strip_markup_leaves_no_tag(text: str) -> None:
    stripped = strip_markup(text)
    assert not re.search(r"</?[a-zA-Z][^<>]*>|<!--", stripped), stripped
    assert not text_active_content(stripped), stripped


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=600), st.sampled_from([".md", ".txt", ".html", ""]))
def test_any_bytes_give_an_article_or_one_source_error(data: bytes, suffix: str) -> None:
    try:
        article = parse_bytes(data, "x" + suffix, suffix)
    except SourceError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("x" + suffix)
        return
    assert isinstance(article.body, str)
    assert "\x00" not in article.body


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400), st.sampled_from([None, "utf-8", "latin-1", "utf-16", "bogus"]))
def test_decode_never_raises_anything_else(data: bytes, declared: str | None) -> None:
    try:
        text = decode(data, "x", declared)
    except SourceError:
        return
    assume(text)
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\u202a-\u202e\u2066-\u2069]", text)
