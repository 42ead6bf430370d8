"""An HTML page -> Article: the main text as Markdown (trafilatura), site chrome left out."""

from __future__ import annotations

import logging
import re

from recapmail.dates import parse_date
from recapmail.errors import SourceError
from recapmail.model import Article
from recapmail.sources.decode import cap_body, decode
from recapmail.text import strip_markup

log = logging.getLogger(__name__)

# Bytes of HTML given to trafilatura (~1.5 s a megabyte): pages with more carry inline data,
# not a longer article.
MAX_HTML_BYTES = 3_000_000
_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.IGNORECASE)
# A Markdown link as trafilatura writes it: [text](<target>) or [text](target).
_MD_LINK = re.compile(r"\[([^\[\]\n]*)\]\(<?([^()<>\n]*(?:\([^()<>\n]*\)[^()<>\n]*)*)>?\)")
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*)\s*:")
_BASE = re.compile(r"""<base\s[^>]*href\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
MIN_PARAGRAPH_WORDS = 8


def html_to_article(data: bytes, where: str, url: str | None = None) -> Article:
    # trafilatura costs 0.3 s to import: only pay it when a page is read.
    import trafilatura

    if len(data) > MAX_HTML_BYTES:
        log.warning(
            "%s: %.1f MB of HTML; only the first %.0f MB were read",
            where, len(data) / 1e6, MAX_HTML_BYTES / 1e6,
        )  # fmt: skip
        data = data[:MAX_HTML_BYTES]
    declared = _CHARSET.search(data[:4096])
    html = decode(data, where, declared.group(1).decode("ascii") if declared else None)
    body = trafilatura.extract(
        html,
        url=url,
        output_format="markdown",
        include_links=True,
        include_images=False,
        include_tables=False,
        include_comments=False,
        favor_precision=True,
        with_metadata=False,
    )
    body = _unlink_unsafe(body or "")
    if not _words(body):  # link-dense paragraphs are dropped as site chrome: the page's own
        body = _paragraphs(html)
    if not body.strip():
        raise SourceError(f"{where}: no article text found in this HTML page")
    body = cap_body(body, where)
    meta = trafilatura.extract_metadata(html, default_url=url)
    tags: tuple[str, ...] = ()
    language: str | None = None
    title = description = author = canonical = None
    published = None
    if meta is not None:
        title = strip_markup(meta.title or "")[:300] or None
        description = strip_markup(meta.description or "")[:1000] or None
        author = strip_markup(meta.author or "")[:200] or None
        canonical = meta.url if meta.url and meta.url.startswith(("http://", "https://")) else None
        base = _BASE.search(html[:65536])
        if canonical and base and base.group(1).strip() == canonical:
            canonical = None  # a <base href> says where relative links point, not the page
        published = parse_date(meta.date)
        language = (meta.language or "")[:2].lower() or None
        tags = tuple(
            t for tag in (meta.tags or []) for t in map(strip_markup, tag.split(",")) if t
        )[:50]
    return Article(
        source=where,
        body=body,
        body_format="markdown",
        kind="page" if url else "file",
        url=canonical or url,
        title=title,
        description=description,
        published=published,
        author=author,
        tags=tags,
        language=language,
    )


def _unlink_unsafe(markdown: str) -> str:
    """Links whose target has a scheme other than http(s) or mailto (javascript:, data:...)
    become their text: the words stay, the link goes."""

    def keep(match: re.Match[str]) -> str:
        scheme = _SCHEME.match(match.group(2))
        if scheme and scheme.group(1).lower() not in ("http", "https", "mailto"):
            return match.group(1)
        return match.group(0)

    return _MD_LINK.sub(keep, markdown) if "](" in markdown else markdown


def _words(text: str) -> int:
    return len(re.findall(r"\w{2,}", _MD_LINK.sub(r"\1", text)))


def _paragraphs(html: str) -> str:
    """The text of the page's <p> elements that read as prose, links reduced to their text,
    markup and scripts left out: for a page whose every paragraph is full of links."""
    from html.parser import HTMLParser

    class Paragraphs(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.found: list[str] = []
            self.current: list[str] | None = None
            self.hidden = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in ("script", "style", "noscript", "template", "svg", "math"):
                self.hidden += 1
            elif tag == "p":
                self._close()
                self.current = []

        def handle_endtag(self, tag: str) -> None:
            if tag in ("script", "style", "noscript", "template", "svg", "math"):
                self.hidden = max(0, self.hidden - 1)
            elif tag in ("p", "div", "article", "section", "body"):
                self._close()

        def handle_data(self, data: str) -> None:
            if self.current is not None and not self.hidden:
                self.current.append(data)

        def _close(self) -> None:
            if self.current is not None:
                text = strip_markup(" ".join("".join(self.current).split()))
                if len(re.findall(r"\w{2,}", text)) >= MIN_PARAGRAPH_WORDS:
                    self.found.append(text)
            self.current = None

    parser = Paragraphs()
    parser.feed(html)
    parser.close()
    parser._close()
    return "\n\n".join(dict.fromkeys(parser.found))
