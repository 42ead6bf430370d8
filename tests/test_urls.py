"""One way to write an address, wherever it is written: fetching, links, post counting."""

from __future__ import annotations

import pytest

from recapmail.render.links import safe_url
from recapmail.urls import ascii_host, percent_encoded


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("Example.ORG", "example.org"),
        ("Grå.Example.org", "xn--gr-zia.example.org"),
        ("faß.de", "xn--fa-hia.de"),  # IDNA 2008, as browsers: Python's codec says "fass.de"
        ("xn--gr-zia.example.org", "xn--gr-zia.example.org"),
        ("bücher..de", None),  # an empty label
        ("a_b.exämple.fr", "a_b.xn--exmple-cua.fr"),  # IDNA 2008 refuses the "_" label
        ("i❤.ws", "xn--i-7iq.ws"),  # a symbol: IDNA 2003, as browsers still open it
        ("ä＼evil.com", None),  # IDNA 2003 makes ASCII punctuation of full-width forms
        ("ä％2f.com", None),
        ("ä＜b＞.com", None),
        ("é" * 70 + ".fr", None),  # a label over 63 bytes once encoded
    ],
)
def test_hosts_are_written_as_browsers_write_them(host: str, expected: str | None) -> None:
    assert ascii_host(host) == expected


def test_only_what_must_be_encoded_is() -> None:
    assert percent_encoded("/actualités/flux rss.xml") == "/actualit%C3%A9s/flux%20rss.xml"
    assert percent_encoded("/a%20b/c?x=1&y=[2]#top") == "/a%20b/c?x=1&y=[2]#top"
    assert percent_encoded('/"<x>') == "/%22%3Cx%3E"


def test_a_newsletter_link_uses_the_same_host_form() -> None:
    assert safe_url("https://faß.de/straße") == "https://xn--fa-hia.de/stra%C3%9Fe"
    assert safe_url("https://☃.net/p") == "https://xn--n3h.net/p"  # kept, as before
