"""Conformance cases for each platform's counting rule.

Expected numbers are worked out by hand from the platforms' published rules (Mastodon's
StatusLengthValidator, the Bluesky app's link shortening, UTF-16 for LinkedIn); each case says
how.
"""

from __future__ import annotations

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from recapmail.config import Config, SocialConfig
from recapmail.model import Platform
from recapmail.render import counting
from recapmail.render.counting import (
    bluesky_displayed,
    count,
    fits,
    graphemes,
    limit,
    mastodon_countable,
    short_url,
)

LONG_PATH = "https://www.example.org/" + "a-very-long-path/" * 20 + "page.html?x=1#top"

# -- Mastodon ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bonjour", 7),
        ("", 0),
        ("   ", 0),  # a blank status counts nothing
        # Any http(s) URL is 23, however long.
        ("https://example.org", 23),
        (LONG_PATH, 23),
        ("Voir " + LONG_PATH + " !", 5 + 23 + 2),
        # Several URLs: 23 each, the text between counted normally.
        ("https://a.example.com/x https://b.example.net/y", 23 + 1 + 23),
        # A short URL still counts 23 (longer than itself).
        ("http://x.io", 23),
        # Trailing punctuation is not part of the URL.
        ("https://example.org/path.", 23 + 1),
        ("(https://example.org/wiki/Primer_(film))", 1 + 23 + 1),
        # Mastodon's other protocols count as URLs too; ftp does not.
        ("gemini://example.org/page", 23),
        ("ftp://example.org/" + "f" * 30, len("ftp://example.org/") + 30),
        # No protocol: the server counts a bare domain as its own text.
        ("example.org", 11),
        # An unknown top-level domain is not a URL.
        ("https://example.notatld/" + "p" * 40, len("https://example.notatld/") + 40),
        # A mention counts as @user, without its domain; a local one as itself.
        ("@alice@mastodon.example.social", 6),
        ("merci @bob", 10),
        ("cc @alice@social.example.org et @bob@example.net", 3 + 6 + 4 + 4),
        # An email address is not a mention.
        ("alice@example.org", 17),
        # A mention inside a URL is part of the URL.
        ("https://mastodon.social/@alice@example.org", 23),
        # Grapheme clusters: emoji sequences, flags, skin tones and combining accents count once.
        ("👩\u200d💻", 1),
        ("🇫🇷🇨🇦", 2),
        ("👍🏽", 1),
        ("e\u0301te\u0301", 3),  # été written with combining accents
        ("été", 3),
        ("日本語のテキスト", 8),
        ("１２３", 3),
    ],
)
def test_mastodon_counts(text: str, expected: int) -> None:
    assert count(text, "mastodon") == expected


def test_mastodon_replaces_entities_in_place() -> None:
    text = "Lire https://example.org/long/path et @alice@example.net, merci."
    assert mastodon_countable(text) == "Lire " + "x" * 23 + " et @alice, merci."


def test_mastodon_fits_also_under_the_composer_reading_of_bare_domains() -> None:
    # The server counts the bare domain as its 11 letters (492); a composer that takes it for
    # a URL counts 23 (504): the post must fit both.
    text = "a" * 480 + " example.org"
    assert count(text, "mastodon") == 492
    assert not fits(text, "mastodon", 500)
    assert fits(text, "mastodon", 504)


_DOMAINISH = st.lists(
    st.sampled_from(
        ["https://", "http://", "www.", "example", "a-b", ".", ".", ".", "com", "org", "io",
         "co", "uk", "community", "comé", "COM", "Org", "bar", "xn--p1ai", "рф", "/", "/x?y=1",
         " ", " ", ", ", "@", "é", "1", "-", "\u00a0", "\u202f", "\u3000", "?x=1"]
    ),
    max_size=24,
).map("".join)  # fmt: skip


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(text=_DOMAINISH)
def test_the_pattern_of_a_texts_domains_matches_as_the_full_list(text: str) -> None:
    """URLs are looked for with only the top-level domains the text holds in the pattern
    (fast to compile): the matches are those of the pattern of all ~1,500."""

    def matches(pattern: regex.Pattern[str]) -> list[tuple[object, ...]]:
        return [(m.span("url"), m.group("domain"), m.group("protocol")) for m in
                pattern.finditer(text)]  # fmt: skip

    full = counting._mastodon_url(counting.top_level_domains())
    assert matches(counting._mastodon_url(counting._tlds_in(text))) == matches(full)


def test_mastodon_limit_comes_from_the_config() -> None:
    cfg = Config(social=SocialConfig(mastodon_limit=1000))
    assert limit("mastodon", cfg) == 1000
    assert limit("mastodon") == 500
    assert limit("bluesky", cfg) == 300
    # LinkedIn's 3,000 UTF-16 units: an emoji is two of them.
    assert fits("x" * 3000, "linkedin", limit("linkedin"))
    assert not fits("x" * 2999 + "👍", "linkedin", limit("linkedin"))


# -- Bluesky ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        # Path over 15 characters: host + first 13 + "...".
        ("https://www.openinfra.dev/summit/europe-2025", "www.openinfra.dev/summit/europ..."),
        # Exactly 15 characters of path stay whole; 16 are cut.
        ("https://example.org/abcdefghijklmn", "example.org/abcdefghijklmn"),
        ("https://example.org/abcdefghijklmno", "example.org/abcdefghijkl..."),
        # A bare host (with or without "/") is just the host.
        ("https://example.org", "example.org"),
        ("https://example.org/", "example.org"),
        # Query and fragment belong to the "path" being measured.
        ("https://example.org/a?b=1#c", "example.org/a?b=1#c"),
        ("https://example.org/?utm_source=newsletter", "example.org?utm_source=n..."),
        # The host is lower-cased and IDNA-encoded; default ports disappear, others stay.
        ("https://Grå.Example.org/", "xn--gr-zia.example.org"),
        ("http://example.org:80/a", "example.org/a"),
        ("https://example.org:8443/a", "example.org:8443/a"),
        # Non-ASCII in the path is percent-encoded before measuring.
        ("https://example.org/é", "example.org/%C3%A9"),
        # Not an http(s) URL: left as written.
        ("example.org/some/long/path/here", "example.org/some/long/path/here"),
    ],
)
def test_bluesky_short_url(url: str, shown: str) -> None:
    assert short_url(url) == shown


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bonjour", 7),
        # The link is counted as the app shows it: 33 characters, not 44.
        ("https://www.openinfra.dev/summit/europe-2025", 33),
        (LONG_PATH, len("www.example.org/a-very-long-...")),
        # Two links, each shortened; the trailing period stays outside the link.
        (
            "Voir https://example.org/abcdefghijklmnopq et https://example.net/x.",
            5 + len("example.org/abcdefghijkl...") + 4 + len("example.net/x") + 1,
        ),
        # Emoji, flags, combining accents and CJK count once each (graphemes).
        ("👩\u200d💻 🇫🇷 e\u0301 日本", 1 + 1 + 1 + 1 + 1 + 1 + 2),
        # A handle is counted as written.
        ("@alice.bsky.social", 18),
    ],
)
def test_bluesky_counts(text: str, expected: int) -> None:
    assert count(text, "bluesky") == expected


def test_bluesky_displayed_text_keeps_the_words_around_links() -> None:
    text = "Lire : https://www.openinfra.dev/summit/europe-2025, puis (https://x.example.org/a)"
    assert bluesky_displayed(text) == (
        "Lire : www.openinfra.dev/summit/europ..., puis (x.example.org/a)"
    )


def test_bluesky_also_caps_bytes() -> None:
    # 300 graphemes that each carry ten combining marks: 300 by count, 6,300 UTF-8 bytes.
    text = ("a" + "\u0301" * 10) * 300
    assert count(text, "bluesky") == 300
    assert not fits(text, "bluesky", 300)
    assert fits("a" * 300, "bluesky", 300)
    assert not fits("a" * 301, "bluesky", 300)


# -- LinkedIn ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bonjour", 7),
        ("😀", 2),  # outside the BMP: a surrogate pair
        ("👩\u200d💻", 5),  # 2 + 1 (ZWJ) + 2
        ("été", 3),
        ("e\u0301", 2),  # base letter and combining accent are two code units
        ("日本語", 3),
        (LONG_PATH, len(LONG_PATH)),  # links count in full
    ],
)
def test_linkedin_counts_utf16_code_units(text: str, expected: int) -> None:
    assert count(text, "linkedin") == expected


def test_graphemes_match_user_perceived_characters() -> None:
    assert graphemes("🏳\ufe0f\u200d🌈 ok") == 4


def _urls_scanning_every_position(text: str, bare_domains: bool) -> list[tuple[int, int]]:
    """mastodon_urls as it was first written: the pattern tried over the whole text."""
    spans = []
    for match in counting._mastodon_url(counting._tlds_in(text)).finditer(text):
        start, end = match.span("url")
        protocol = match.group("protocol") is not None
        if not protocol and not bare_domains:
            continue
        tco = counting._TCO.match(match.group("url"))
        if tco:
            if len(tco.group(1)) > 40:
                continue
            end = start + len(tco.group(0))
        if counting._valid_domain(end - start, match.group("domain"), protocol):
            spans.append((start, end))
    return spans


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(text=_DOMAINISH, bare_domains=st.booleans())
def test_urls_found_word_by_word_are_those_of_a_whole_scan(text: str, bare_domains: bool) -> None:
    found = counting.mastodon_urls(text, bare_domains=bare_domains)
    assert found == _urls_scanning_every_position(text, bare_domains)


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
    | st.text(
        alphabet=st.sampled_from(list("aé e\u0301\r\n\t\u200c\u200d\u202f👍🏽·ǅ")), max_size=40
    )
)
def test_graphemes_are_counted_as_uax29_says(text: str) -> None:
    assert counting.graphemes(text) == len(counting._GRAPHEME.findall(text))


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(
        _DOMAINISH | st.text(alphabet=st.sampled_from(list("aé e\u0301@x.io#")), max_size=12),
        max_size=6,
    ),
    platform=st.sampled_from(["mastodon", "bluesky", "linkedin"]),
)
def test_a_post_counts_as_its_lines_and_their_breaks(lines: list[str], platform: Platform) -> None:
    text = "\n".join(lines)
    whole = {
        "mastodon": lambda t: counting.graphemes(counting.mastodon_countable(t)),
        "bluesky": lambda t: counting.graphemes(counting.bluesky_displayed(t)),
        "linkedin": counting.utf16_length,
    }[platform]
    assert count(text, platform) == whole(text)
