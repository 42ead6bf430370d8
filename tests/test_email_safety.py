"""Hostile text in articles, feeds and the config stays harmless visible text in every part."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recapmail.config import read_config
from recapmail.errors import ConfigError, RenderError
from recapmail.model import Digest, DigestItem
from recapmail.render.email import render_newsletter
from recapmail.render.links import safe_url
from recapmail.render.palette import palette
from tests.email_fixtures import config, digest, item

ESCAPE = "</mj-text><mj-raw><script>alert(1)</script></mj-raw><mj-text>"


def with_items(*items: DigestItem) -> Digest:
    d = digest(3)
    return replace(d, items=(*d.items, *items))


def hrefs(html: str) -> list[str]:
    return re.findall(r'\shref="([^"]*)"', html)


def test_markup_in_a_title_comes_out_as_visible_text() -> None:
    hostile = item(20, f"Titre {ESCAPE} fin", f"Résumé <b>gras</b> {ESCAPE}", feed="Flux")
    n = render_newsletter(with_items(hostile), config())
    assert "<script" not in n.html.lower() and "<mj-raw><script" not in n.mjml
    assert "&lt;/mj-text&gt;&lt;mj-raw&gt;&lt;script&gt;alert(1)" in n.html
    assert "<b>gras</b>" not in n.html
    # The text part shows it as it is, unescaped (wrapping aside).
    assert f"Titre {ESCAPE} fin" in " ".join(n.text.split())


def test_template_syntax_in_an_article_stays_literal() -> None:
    hostile = item(
        21,
        "Calcul {{ 7 * 7 }} et {% if true %}bloc{% endif %}",
        "{{ config.__class__ }} {# commentaire #} ${x}",
        feed="Flux",
    )
    n = render_newsletter(with_items(hostile), config())
    assert "{{ 7 * 7 }}" in n.text and "{% if true %}bloc{% endif %}" in n.text
    assert "{{ 7 * 7 }}" in n.html and "49" not in n.html
    assert "{{ config.__class__ }} {# commentaire #}" in n.html


def test_mj_include_in_any_text_is_never_followed(tmp_path: Path) -> None:
    secret = tmp_path / "secret.mjml"
    secret.write_text("<mj-text>SECRET</mj-text>", encoding="utf-8")
    include = f'<mj-include path="{secret}" />'
    hostile = item(22, include, include, feed=include, tags=(include,))
    n = render_newsletter(with_items(hostile), config(intro=include, team=include))
    assert "SECRET" not in n.html
    assert "&lt;mj-include path=" in n.html


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "jav&#x09;ascript:alert(1)",
        "&#106;avascript:alert(1)",
        "&#x6A;&#x61;&#x76;&#x61;script:alert(1)",
        "&amp;#106;avascript:alert(1)",
        "\x00javascript:alert(1)",
        "java\u200bscript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "DATA:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "VBScript&colon;msgbox(1)",
        "file:///etc/passwd",
        "/relative/path",
        "https:///no-host",
        'https://example.org/" onmouseover="alert(1)',
    ],
)
def test_dangerous_urls_never_become_links(url: str) -> None:
    hostile = item(23, "Lien piégé", "Un résumé.", feed="Flux", url=url)
    n = render_newsletter(with_items(hostile), config())
    for href in hrefs(n.html):
        assert re.match(r"(https://|mailto:)", href), href
        assert '"' not in href and " " not in href
    assert not re.search(r"\son\w+=", n.html)
    assert "Lien piégé" in n.html  # the item is still shown, without a link


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a b", "https://example.org/a%20b"),
        ("HTTPS://Example.org/x?q=1&r=2", "https://example.org/x?q=1&r=2"),
        ("http://example.org/", "http://example.org/"),
        ("//cdn.example.org/x", "https://cdn.example.org/x"),
        ("mailto:veille@example.org", "mailto:veille@example.org"),
        ("https://exämple.org/é", "https://xn--exmple-cua.org/%C3%A9"),
        ("https://example.org:8443/p", "https://example.org:8443/p"),
        ("https://example.org:http/", None),
        ("ftp://example.org/", None),
    ],
)
def test_safe_url_keeps_web_and_mail_links_only(url: str, expected: str | None) -> None:
    assert safe_url(url) == expected


def test_a_config_colour_carrying_markup_is_refused(tmp_path: Path) -> None:
    toml = tmp_path / "feeds.toml"
    toml.write_text('[newsletter]\nbrand_color = "red;}</style><script>"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="brand_color"):
        read_config(toml)
    with pytest.raises(RenderError, match="brand_color"):
        palette("#fff;background:url(x)")


def test_config_text_carrying_markup_is_escaped() -> None:
    cfg = config(
        title='<img src=x onerror="alert(1)">',
        team="<script>alert(2)</script>",
        intro='</mj-text><mj-button href="javascript:alert(3)">x</mj-button>',
        reason="<a href='https://evil.example/'>ici</a>",
        logo_alt='"><script>alert(4)</script>',
    )
    d = replace(digest(), title='<img src=x onerror="alert(1)">')
    n = render_newsletter(d, cfg)
    lowered = n.html.lower()
    assert "<script" not in lowered and "<img src=x" not in lowered
    assert "javascript:" not in lowered.replace("href=&#34;javascript:", "")
    assert "evil.example" not in " ".join(hrefs(n.html))
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in n.html
    assert n.subject.endswith('<img src=x onerror="alert(1)">')  # a header is plain text


def test_control_and_bidi_characters_are_removed() -> None:
    hostile = item(
        24, "Titre\x00 avec\x1b contrôle \u202eesrever\u202c", "Ok\x0b.", feed="F\x07lux"
    )
    n = render_newsletter(with_items(hostile), config())
    for part in (n.html, n.text, n.mjml):
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\u202a-\u202e]", part)
    assert "Titre avec contrôle esrever" in n.text


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=st.text(min_size=1, max_size=80), summary=st.text(max_size=200))
def test_any_text_compiles_and_never_makes_markup(title: str, summary: str) -> None:
    hostile = item(25, title + "<x-tag>", summary + "</mj-column>", feed="Flux")
    n = render_newsletter(with_items(hostile), config())
    assert "<x-tag>" not in n.html and "</mj-column>" not in n.html
    assert n.html.count("<body") == 1
