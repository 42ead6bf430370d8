"""URLs written as a browser sends them: the host in ASCII (IDNA, UTS #46) and the rest
percent-encoded in UTF-8. Shared by fetching (what goes on the wire), the links a newsletter
carries and the posts' URL counting, so that one address is written one way everywhere; and
the keys that tell two links for one page (tracking parameters, www., a language folder)."""

from __future__ import annotations

import functools
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


_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|_hsenc|_hsmi|"
    r"mkt_tok|igshid|ref_src|ref_url|cmpid|oly_enc_id|oly_anon_id|vero_id|wt_mc|xtor|at_medium|"
    r"at_campaign|__s|s_cid|ncid|sr_share|spm)$",
    re.IGNORECASE,
)


_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#(.*))?$", re.S)
_DEFAULT_PORT = re.compile(r":(?:80|443)$")


def clean_url(url: str) -> str:
    """The link without tracking parameters: what readers should get. The rest of the query
    is kept byte for byte (re-encoding it could break the link)."""
    match = _URL.match(url.strip())
    if match is None:
        return url.strip()
    scheme, host, path, query, fragment = match.groups()
    clean = f"{scheme.lower()}://{host.lower()}{path or '/'}"
    if query:
        kept = [p for p in query.split("&") if p and not _TRACKING.match(p.split("=", 1)[0])]
        clean += "?" + "&".join(kept) if kept else ""
    return clean + (f"#{fragment}" if fragment else "")


# Language folders sites put their translations under: "/fr/post/x" translates "/post/x".
_LANGUAGE_FOLDER = re.compile(
    r"/(?:fr|en|de|es|it|pt|nl|ja|zh|ko|ru|pl|sv|da|fi|nb|no|cs|tr|uk)(?:[-_][a-z]{2})?(?=/)",
    re.IGNORECASE,
)


def untranslated_key(url: str) -> str | None:
    """url_key() without a leading language folder, when the path has one: a site's
    translations of one article share it. None otherwise."""
    key = url_key(url)
    slash = key.find("/")
    if slash < 0:
        return None
    folder = _LANGUAGE_FOLDER.match(key, slash)
    return key[:slash] + key[folder.end() :] if folder else None


@functools.lru_cache(maxsize=1 << 15)  # collect and dedupe ask for the same links
def url_key(url: str) -> str:
    """What makes two links the same item: no scheme, www., port 80/443, trailing slash,
    fragment or tracking parameter; the remaining parameters sorted."""
    match = _URL.match(clean_url(url))
    if match is None:
        return url
    _, host, path, query, _ = match.groups()
    host = _DEFAULT_PORT.sub("", host.rsplit("@", 1)[-1].removeprefix("www."))
    query = "&".join(sorted(query.split("&"))) if query else ""
    return (path.rstrip("/") or "/").join((host, f"?{query}" if query else ""))
