"""Which links may reach a reader, and the optional campaign parameters added to them.

Only http, https and mailto survive. A URL is judged the way a browser would read it: entities
decoded, tabs, newlines and control characters dropped, scheme case folded, so "JaVa&#x09;Script:"
is seen as the javascript: it is and dropped.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from recapmail.urls import ascii_host, percent_encoded

SCHEMES = ("http", "https", "mailto")
MAX_URL = 2048
# WHATWG URL parsing drops tab and newline anywhere and trims C0 controls and spaces at both
# ends; invisible format characters are dropped too so they cannot hide a scheme.
_DROPPED = re.compile(r"[\t\n\r\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_TRIMMED = "".join(chr(c) for c in range(0x21))
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_HOST = re.compile(r"[^\s/\\?#@<>\"'`]+")


def safe_url(raw: str | None) -> str | None:
    """`raw` as a link a reader may follow, or None when it is not http(s)/mailto or malformed."""
    if not raw:
        return None
    value = raw
    for _ in range(3):  # entities inside entities: "&amp;#106;avascript:"
        decoded = html.unescape(value)
        if decoded == value:
            break
        value = decoded
    value = _DROPPED.sub("", value).strip(_TRIMMED)
    if not value or len(value) > MAX_URL or _CONTROL.search(value):
        return None
    if value.startswith("//"):
        value = "https:" + value
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an invalid IPv6 literal
        return None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        return None
    if scheme == "mailto":
        return ("mailto:" + percent_encoded(value[len("mailto:") :])).replace("'", "%27")
    try:
        host = parts.hostname
        port = parts.port
    except ValueError:  # a port that is not a number, an unbalanced "["
        return None
    if not host or not _HOST.fullmatch(host):
        return None
    if not host.isascii():
        host = ascii_host(host)
        if host is None:
            return None
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = (f"{userinfo}@" if userinfo else "") + (f"[{host}]" if ":" in host else host)
    netloc += f":{port}" if port is not None else ""
    path, query, fragment = map(percent_encoded, (parts.path, parts.query, parts.fragment))
    # A quote is legal in a URL but ends an attribute some template may write with quotes.
    url = urlunsplit((scheme, percent_encoded(netloc), path, query, fragment))
    return url.replace("'", "%27")


def with_tracking(url: str, source: str, campaign: str, medium: str = "email") -> str:
    """Add utm_* parameters to an http(s) link, keeping any the link already carries."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return url
    present = {key for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
    wanted = (("utm_source", source), ("utm_medium", medium), ("utm_campaign", campaign))
    added = urlencode([(key, value) for key, value in wanted if value and key not in present])
    if not added:
        return url
    # Appended, not re-encoded: the link's own query stays byte for byte (signed URLs).
    query = f"{parts.query}&{added}" if parts.query else added
    return urlunsplit(parts._replace(query=query))


def web_version(web_url: str, label: str) -> str | None:
    """An edition's address on the archive site (archive.py), when `web_url` is set."""
    return f"{web_url.rstrip('/')}/{label}/" if web_url else None
