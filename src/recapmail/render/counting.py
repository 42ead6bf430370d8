"""How long a post is, counted the way each platform counts it.

- Mastodon (server, StatusLengthValidator): grapheme clusters of the text after every URL that
  has a protocol and a valid domain is replaced by 23 characters and every mention
  @user@domain by @user. URLs are found with twitter-text's URL pattern as Mastodon modifies it:
  protocols http, https, dat, dweb, ipfs, ipns, ssb, gopher and gemini; the domain must end in a
  known top-level domain (or xn--); a bare domain without protocol counts as its own text.
- Bluesky (the official app): grapheme clusters of the text once each link it detects is shown
  shortened (host + the first 13 characters of path, query and fragment + "...", when these are
  longer than 15), which is what the app publishes; the record also allows 3000 UTF-8 bytes.
- LinkedIn: UTF-16 code units, as the web composer's JavaScript string length counts them. An
  emoji outside the BMP counts twice. LinkedIn publishes no rule; this is the strictest of the
  plausible ones (code units >= code points >= graphemes), so a post within it always fits.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Final

import regex

from recapmail import urls
from recapmail.model import Platform

if TYPE_CHECKING:
    from recapmail.config import Config

LIMITS: Final[dict[Platform, int]] = {"linkedin": 3000, "mastodon": 500, "bluesky": 300}
BLUESKY_MAX_BYTES: Final = 3000
MASTODON_URL_LENGTH: Final = 23
_GRAPHEME = regex.compile(r"\X")
# A text with no character that joins a cluster to its neighbour (UAX #29: combining marks
# and other Extend, ZWJ, spacing marks, prepend, Hangul jamo, flags' regional indicators, and
# CR before LF) has as many clusters as characters: most posts, counted ~100 times faster.
_ONE_EACH = regex.compile(
    r"[^\r\p{GCB=Extend}\p{GCB=ZWJ}\p{GCB=SpacingMark}\p{GCB=Prepend}\p{GCB=L}\p{GCB=V}"
    r"\p{GCB=T}\p{GCB=LV}\p{GCB=LVT}\p{GCB=Regional_Indicator}]*"
)


def limit(platform: Platform, cfg: Config | None = None) -> int:
    """The platform's limit; Mastodon's is the instance's, from the config."""
    if platform == "mastodon" and cfg is not None:
        return cfg.social.mastodon_limit
    return LIMITS[platform]


def count(text: str, platform: Platform, *, mastodon_limit: int | None = None) -> int:
    """The length of `text` as `platform` counts it against its limit.

    `mastodon_limit` does not change the count (an instance's limit is not a counting rule); it
    is accepted so callers can pass their settings through one signature.
    """
    del mastodon_limit
    if platform not in LIMITS:
        raise ValueError(f"unknown platform {platform!r}")
    return _by_lines(text, platform, bare_domains=False)


def _by_lines(text: str, platform: Platform, bare_domains: bool) -> int:
    """The count, line by line: a line break is one character everywhere and no link, mention
    or character cluster spans one, so the count is the lines' and the breaks' sum. A post is
    fitted by trying it with fewer lines each time: each line is counted once."""
    if platform == "linkedin":
        return utf16_length(text)
    if "\n" not in text or "\r" in text or not text.strip():  # (CR LF is one cluster)
        return _count_line(text, platform, bare_domains)
    lines = text.split("\n")
    counts = (
        _count_line(line, platform, bare_domains) if line.strip() else graphemes(line)  # spaces
        for line in lines
    )
    return sum(counts) + len(lines) - 1


@lru_cache(maxsize=4096)
def _count_line(text: str, platform: Platform, bare_domains: bool) -> int:
    if platform == "mastodon":
        return graphemes(mastodon_countable(text, bare_domains=bare_domains))
    return graphemes(bluesky_displayed(text))


def fits(text: str, platform: Platform, max_count: int) -> bool:
    """True when `text` can be posted as it is: within the count, and within every side rule.

    Mastodon: the web composer of some versions also counts a bare domain ("example.org") as 23,
    so a post must fit under both readings or the Publish button could stay disabled.
    Bluesky: the record also caps the text at 3000 UTF-8 bytes.
    """
    if count(text, platform) > max_count:
        return False
    if platform == "mastodon":
        return _by_lines(text, "mastodon", bare_domains=True) <= max_count
    if platform == "bluesky":
        return len(text.encode("utf-8")) <= BLUESKY_MAX_BYTES
    return True


def graphemes(text: str) -> int:
    """User-perceived characters (extended grapheme clusters, UAX #29)."""
    if _ONE_EACH.fullmatch(text):
        return len(text)
    return len(_GRAPHEME.findall(text))


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def counter(platform: Platform, max_count: int) -> Callable[[str], bool]:
    """A predicate `fits(text)` bound to one platform and limit."""
    return lambda text: fits(text, platform, max_count)


# -- Mastodon ---------------------------------------------------------------------------------

_DIRECTIONAL = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_INVALID = "\ufffe\ufeff\uffff"
_PUNCTUATION = r"""!"\#$%&'()*+,\-./:;<=>?@\[\]^_`{|}~"""
_SPACES = r"\t-\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_CTRL = r"\x00-\x1f\x7f"
_DOMAIN_CHAR = f"[^{_DIRECTIONAL}{_PUNCTUATION}{_SPACES}{_CTRL}{_INVALID}]"
_UCHARS = (
    "\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef"
    + "".join(f"\\U{p:08x}-\\U{p + 0xFFFD:08x}" for p in range(0x10000, 0xE0000, 0x10000))
    + "\\U000e1000-\\U000efffd\ue000-\uf8ff\\U000f0000-\\U000ffffd\\U00100000-\\U0010fffd"
)
_PATH_CHAR = r"[^\p{White_Space}<>()?]"
_PARENS = rf"\((?:{_PATH_CHAR}+|(?:{_PATH_CHAR}*\({_PATH_CHAR}+\){_PATH_CHAR}*))\)"
_PATH_END = rf"""(?:[^\p{{White_Space}}()?!*"'「」<>;:=,.$%\[\]~&|@]|{_PARENS})"""
_PATH = rf"(?:(?:{_PATH_CHAR}*(?:{_PARENS}{_PATH_CHAR}*)*{_PATH_END})|(?:{_PATH_CHAR}+/))"
_QUERY = rf"[a-z0-9!?*'();:&=+$/%\#\[\]\-_.,~|@\^{_UCHARS}]"
_QUERY_END = rf"[a-z0-9_&=\#/\-{_UCHARS}]"
_PRECEDING = rf"(?:[^A-Z0-9@＠$#＃{_INVALID}]|[{_DIRECTIONAL}]|^)"
_PROTOCOL = r"(?:https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini)://"
_TCO = regex.compile(r"^https?://t\.co/([a-z0-9]+)", regex.IGNORECASE)
_MAX_URL_LENGTH = 4096

_USERNAME = r"[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*"
_MENTION = regex.compile(
    rf"(?<![=/\w])@((?i:{_USERNAME})(?:@\w+(?:[.-]+\w+)*)?)",
)
_LATIN_ACCENTS = (
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b"
    "\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_END_MENTION = regex.compile(rf"(?:[@＠]|[{_LATIN_ACCENTS}]+|://)")


@lru_cache(maxsize=1)
def top_level_domains() -> frozenset[str]:
    """Known top-level domains, from the Public Suffix List the `tld` package ships.

    twitter-text accepts a domain only if it ends in a known TLD; without the list every
    alphabetic label of two letters or more is taken as one.
    """
    from importlib.util import find_spec

    spec = find_spec("tld")  # found, not imported: importing the package costs 40 ms
    if spec is None or spec.origin is None:
        return frozenset()
    try:
        data = (Path(spec.origin).parent / "res" / "effective_tld_names.dat.txt").read_text("utf-8")
    except OSError:
        return frozenset()
    tlds = set()
    for line in data.splitlines():
        rule = line.strip()
        if rule and not rule.startswith("//"):
            tlds.add(rule.lstrip("!*.").rsplit(".", 1)[-1].lower())
    return frozenset(t for t in tlds if t)


_LABEL_AFTER_DOT = regex.compile(r"\.([\p{L}\p{M}\p{N}-]+)")


def _tlds_in(text: str) -> frozenset[str] | None:
    """The known top-level domains that could end a domain in `text`: each that begins a
    label after a dot ("com" in ".comé", where "é" ends it for twitter-text). None when no
    list is available. The full alternation of ~1,500 names takes 0.1 s to compile; one of
    the few a post holds, ~1 ms, and it matches exactly the same URLs."""
    known = top_level_domains()
    if not known:
        return None
    longest = max(map(len, known))
    found: set[str] = set()
    for label in _LABEL_AFTER_DOT.findall(text):
        label = label.lower()[:longest]
        found.update(label[:k] for k in range(1, len(label) + 1) if label[:k] in known)
    return frozenset(found)


@lru_cache(maxsize=256)
def _mastodon_url(tlds: frozenset[str] | None) -> regex.Pattern[str]:
    if tlds is None:  # no list: every alphabetic label of two letters or more
        names = r"\p{L}{2,}"
    else:  # none in the text: only the xn-- form below can end a domain
        ordered = sorted(tlds, key=lambda t: (-len(t), t))
        names = "|".join(regex.escape(t) for t in ordered) or "(?!)"
    tld = rf"(?:(?:{names})(?=[^0-9a-z@+-]|$))"
    subdomain = rf"(?:(?:{_DOMAIN_CHAR}(?:[_-]|{_DOMAIN_CHAR})*)?{_DOMAIN_CHAR}\.)"
    domain_name = rf"(?:(?:{_DOMAIN_CHAR}(?:-|{_DOMAIN_CHAR})*)?{_DOMAIN_CHAR}\.)"
    domain = rf"(?:{subdomain}*{domain_name}(?:{tld}|(?:xn--[0-9a-z]+)))"
    url = (
        rf"(?P<before>{_PRECEDING})"
        rf"(?P<url>(?P<protocol>{_PROTOCOL})?(?P<domain>{domain})(?::[0-9]+)?"
        rf"(?:/{_PATH}*)?(?:\?{_QUERY}*{_QUERY_END})?)"
    )
    return regex.compile(url, regex.IGNORECASE | regex.MULTILINE)


def _valid_domain(url_length: int, domain: str, protocol: bool) -> bool:
    """twitter-text's check: the domain converts to ASCII and the URL stays under 4096."""
    try:
        ascii_domain = domain.encode("idna")
    except UnicodeError:
        return False
    url_length += max(0, len(ascii_domain) - len(domain))
    if not protocol:
        url_length += len("https://")
    return url_length <= _MAX_URL_LENGTH


# A URL holds no ASCII white space and its domain holds a dot: the pattern need only be tried
# on such words (with the character before, which it reads), not at every position of the
# text: the same matches, ten times sooner on a post. Other spaces (U+00A0, U+202F, U+3000…)
# may sit in a URL's query, as Mastodon reads it: they do not end a word here.
_WORD = regex.compile(r"(?<![^\t-\r \x85])[^\t-\r \x85]+")  # from a word's start: linear


def mastodon_urls(text: str, *, bare_domains: bool = False) -> list[tuple[int, int]]:
    """Spans of the URLs Mastodon counts as 23 characters (with a protocol only, by default)."""
    if ":" not in text and not (bare_domains and "." in text):
        return []
    pattern = _mastodon_url(_tlds_in(text))
    spans = []
    for word in _WORD.finditer(text):
        if "." in word.group() and (bare_domains or "://" in word.group()):
            lo, hi = word.span()
            spans += _urls_in(pattern, text, lo, hi, bare_domains)
    return spans


def _urls_in(
    pattern: regex.Pattern[str], text: str, lo: int, hi: int, bare_domains: bool
) -> list[tuple[int, int]]:
    """The URLs of the word text[lo:hi], read with the characters on each side of it."""
    spans = []
    for match in pattern.finditer(text, max(lo - 1, 0), min(hi + 1, len(text))):
        start, end = match.span("url")
        url = match.group("url")
        has_protocol = match.group("protocol") is not None
        if not has_protocol and not bare_domains:
            continue
        tco = _TCO.match(url)
        if tco:
            if len(tco.group(1)) > 40:
                continue
            end = start + len(tco.group(0))
        if _valid_domain(end - start, match.group("domain"), has_protocol):
            spans.append((start, end))
    return spans


def mastodon_mentions(text: str) -> list[tuple[int, int, str]]:
    """(start, end, counted text) of each mention: @user@domain counts as @user."""
    if "@" not in text and "＠" not in text:
        return []
    found = []
    for match in _MENTION.finditer(text):
        if _END_MENTION.match(text, match.end()):
            continue
        found.append((match.start(), match.end(), "@" + match.group(1).split("@", 1)[0]))
    return found


def mastodon_countable(text: str, *, bare_domains: bool = False) -> str:
    """The text Mastodon measures: URLs as 23 characters, mentions without their domain."""
    if not text.strip():
        return ""
    entities: list[tuple[int, int, str]] = [
        (s, e, "x" * MASTODON_URL_LENGTH) for s, e in mastodon_urls(text, bare_domains=bare_domains)
    ]
    entities += mastodon_mentions(text)
    entities.sort(key=lambda e: e[0])
    out, last = [], 0
    for start, end, replacement in entities:
        if start < last:  # overlapping entities: the earlier one wins
            continue
        out.append(text[last:start])
        out.append(replacement)
        last = end
    out.append(text[last:])
    return "".join(out)


# -- Bluesky ----------------------------------------------------------------------------------

_WS = r"\s\ufeff"
_BLUESKY_LINK = regex.compile(
    rf"(?:^|[{_WS}]|\()((?:https?://[^{_WS}]+)|(?:(?P<domain>[a-z][a-z0-9]*(?:\.[a-z0-9]+)+)[^{_WS}]*))",
    regex.IGNORECASE | regex.MULTILINE,
)
_PATH_SET = frozenset(' "#<>?`{}')
_QUERY_SET = frozenset(" \"#<>'")
_FRAGMENT_SET = frozenset(' "<>`')


def bluesky_links(text: str) -> list[tuple[int, int]]:
    """Spans of the links the Bluesky app detects (its rich-text link facets)."""
    spans = []
    for match in _BLUESKY_LINK.finditer(text):
        uri = match.group(1)
        if not uri.startswith("http"):  # the app's test is case-sensitive
            domain = match.group("domain")
            if not domain or not _bluesky_valid_domain(domain):
                continue
        start, end = match.span(1)
        if uri[-1] in ".,;:!?":
            uri, end = uri[:-1], end - 1
        if uri.endswith(")") and "(" not in uri:
            end -= 1
        spans.append((start, end))
    return spans


def _bluesky_valid_domain(domain: str) -> bool:
    tlds = top_level_domains()
    tld = domain.rsplit(".", 1)[-1]
    return tld in tlds if tlds else tld.isalpha()  # the app's list is lower case: exact match


def bluesky_displayed(text: str) -> str:
    """The text as the Bluesky app publishes it: each link shortened for display."""
    spans = bluesky_links(text)
    if not spans:
        return text
    out, last = [], 0
    for start, end in spans:
        out.append(text[last:start])
        out.append(short_url(text[start:end]))
        last = end
    out.append(text[last:])
    return "".join(out)


def short_url(url: str) -> str:
    """Bluesky's display form of a link: host + path; a path over 15 characters cut at 13 + '...'.

    The path, query and fragment are taken as a browser's URL parser gives them (non-ASCII
    percent-encoded, dot segments resolved); a text that is not an http(s) URL stays as it is.
    """
    parts = regex.match(r"(?i)(https?)://([^/?#\\]*)([^?#]*)(\?[^#]*)?(#.*)?$", url, regex.DOTALL)
    if parts is None:
        return url
    scheme = parts.group(1).lower()
    host = _browser_host(parts.group(2), scheme)
    if host is None:
        return url
    path = _resolve_dots(_percent_encode(parts.group(3).replace("\\", "/"), _PATH_SET))
    query = parts.group(4) or ""
    search = _percent_encode(query, _QUERY_SET) if len(query) > 1 else ""
    fragment = parts.group(5) or ""
    hash_ = _percent_encode(fragment, _FRAGMENT_SET) if len(fragment) > 1 else ""
    rest = ("" if path in ("", "/") else path) + search + hash_
    if len(rest) > 15:
        return host + rest[:13] + "..."
    return host + rest


def _browser_host(authority: str, scheme: str) -> str | None:
    hostport = authority.rsplit("@", 1)[-1]
    host, _, port = hostport.partition(":") if not hostport.startswith("[") else (hostport, "", "")
    if not host:
        return None
    name = urls.ascii_host(host)
    if name is None:
        return None
    if port and not port.isdigit():
        return None
    default = {"http": "80", "https": "443"}[scheme]
    port = port.lstrip("0") or ("0" if port else "")
    return name + (f":{port}" if port and port != default else "")


def _percent_encode(text: str, extra: frozenset[str]) -> str:
    out = []
    for ch in text:
        if ord(ch) < 0x21 or ord(ch) > 0x7E or ch in extra:
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8")))
        else:
            out.append(ch)
    return "".join(out)


def _resolve_dots(path: str) -> str:
    if not path:
        return path
    segments = path.split("/")[1:]
    resolved: list[str] = []
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        low = seg.lower()
        if low in (".", "%2e"):
            if last:
                resolved.append("")
        elif low in ("..", ".%2e", "%2e.", "%2e%2e"):
            if resolved:
                resolved.pop()
            if last:
                resolved.append("")
        else:
            resolved.append(seg)
    return "/" + "/".join(resolved)
