"""What goes on the wire: a URL encoded as browsers send it, a redirect checked before it is
followed, and the certificate authorities libcurl is given."""

from __future__ import annotations

import functools
import os
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from recapmail.urls import ascii_host, percent_encoded


class Refused(Exception):
    """A reason to give up on one URL; its message is the warning's reason."""


def trusted_certificates() -> list[tuple[int, object]]:
    """The system's certificate authorities, as Python finds them (SSL_CERT_FILE and
    SSL_CERT_DIR first): libcurl's own default is a path of the distribution it was built on."""
    return _certificates_for(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@functools.lru_cache(maxsize=4)  # looked up once, not for each of 200 HTTPS feeds
def _certificates_for(_cert_file: str | None, _cert_dir: str | None) -> list[tuple[int, object]]:
    import ssl

    import pycurl

    paths = ssl.get_default_verify_paths()
    options: list[tuple[int, object]] = []
    if paths.cafile:
        options.append((pycurl.CAINFO, paths.cafile))
    if paths.capath:
        options.append((pycurl.CAPATH, paths.capath))
    if not options:  # a system without ca-certificates: certifi's bundle, when installed
        try:
            import certifi
        except ImportError:
            return options
        options.append((pycurl.CAINFO, certifi.where()))
    return options


def wire_url(url: str) -> str:
    """The URL as it goes on the wire (see urls.py): "https://exämple.fr/été" is sent as
    "https://xn--exmple-cua.fr/%C3%A9t%C3%A9"."""
    if url.isascii() and " " not in url:
        return url
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:  # "http://[oops/x": an unclosed IPv6 bracket
        raise Refused(f"not a valid address ({exc})") from None
    netloc = parts.netloc
    if not netloc.isascii():
        userinfo, at, hostport = netloc.rpartition("@")
        host, colon, port = hostport.partition(":")
        encoded = ascii_host(host)
        if encoded is None:
            raise Refused(f"not a valid address (host name {host[:60]!r})")
        netloc = quote(userinfo, safe=":%") + at + encoded + colon + port
    path, query, fragment = map(percent_encoded, (parts.path, parts.query, parts.fragment))
    return urlunsplit((parts.scheme, netloc, path, query, fragment))


def next_hop(url: str, location: str, visited: list[str], max_redirects: int) -> str:
    try:
        target = urljoin(url, location.strip())
    except ValueError:  # "http://[oops/x"
        raise Refused(f"redirected to an invalid address ({location[:80]})") from None
    scheme = urlsplit(target).scheme.lower()
    if scheme not in ("http", "https"):
        raise Refused(f"redirected to a non-HTTP address ({target[:80]})")
    if target in visited:
        raise Refused(f"redirect loop ({' -> '.join(visited[-2:])} -> {target})"[:300])
    if len(visited) > max_redirects:
        raise Refused(f"more than {max_redirects} redirects")
    visited.append(target)
    return target


def utf8_header(header: str) -> str:
    """A header read as Latin-1, read again as the UTF-8 that servers send in a Location."""
    try:
        return header.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return header
