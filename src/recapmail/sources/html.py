"""An HTML page -> Article: the main text as Markdown (trafilatura), site chrome left out."""

from __future__ import annotations

import logging
import re

from recapmail.dates import parse_date
from recapmail.errors import SourceError
from recapmail.model import Article
from recapmail.sources.decode import cap_body, decode, strip_markup

log = logging.getLogger(__name__)

# Bytes of HTML given to trafilatura (~1.5 s a megabyte): pages with more carry inline data,
# not a longer article.
MAX_HTML_BYTES = 3_000_000
_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.IGNORECASE)


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
    if not body or not body.strip():
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
