"""URLs written as a browser sends them: the host in ASCII (IDNA, UTS #46) and the rest
percent-encoded in UTF-8. Shared by fetching (what goes on the wire), the links a newsletter
carries and the posts' URL counting, so that one address is written one way everywhere."""

from __future__ import annotations

import re
from urllib.parse import quote

# Left as they are in a path, query or fragment: reserved characters and "%" (already encoded).
# '"', "<", ">" and spaces are always encoded; templates escape the rest ("'", "&").
SAFE_CHARS = "/:?#[]@!$&'()*+,;=%~-._"
_HOST = re.compile(r"(?:[a-z0-9_-]{1,63}\.)*[a-z0-9_-]{1,63}\.?")


def ascii_host(host: str) -> str | None:
    """The host as a browser sends it: "Grå.Example.org" -> "xn--gr-zia.example.org"
    (IDNA 2008 with UTS #46 mapping, as browsers and curl do; Python's own "idna" codec is
    IDNA 2003 and writes "faß.de" as "fass.de"). None when no such name can exist."""
    if host.isascii():
        return host.lower()
    import idna

    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        pass
    # IDNA 2008 refuses what browsers still open: an ASCII label with "_" beside a
    # non-ASCII one, a symbol ("i❤.ws"). Label by label, IDNA 2003 takes what 2008 refused.
    labels = []
    for label in host.split("."):
        if label.isascii():
            labels.append(label.lower())
            continue
        try:
            labels.append(idna.encode(label, uts46=True).decode("ascii"))
        except (idna.IDNAError, UnicodeError):
            try:
                labels.append(label.encode("idna").decode("ascii").lower())
            except UnicodeError:
                return None
    name = ".".join(labels)
    # IDNA 2003 turns full-width punctuation into ASCII ("＼" -> "\\", "％" -> "%"): not in a host
    return name if _HOST.fullmatch(name) else None


def percent_encoded(text: str) -> str:
    """Spaces, controls and non-ASCII characters percent-encoded in UTF-8; the rest kept."""
    return quote(text, safe=SAFE_CHARS)
