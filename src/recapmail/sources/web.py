"""A web page URL -> Article: fetched by sources/fetch.py, its main text by sources/html.py."""

from __future__ import annotations

from recapmail.config import FetchConfig
from recapmail.errors import SourceError
from recapmail.model import Article
from recapmail.sources.html import html_to_article


def page_article(data: bytes, url: str, where: str | None = None) -> Article:
    """The article in a fetched page; `url` (after redirects) anchors relative links."""
    return html_to_article(data, where or url, url=url)


def read_page(url: str, cfg: FetchConfig | None = None) -> Article:
    from recapmail.sources.fetch import fetch_one

    result = fetch_one(url, cfg or FetchConfig())
    if result.status != "ok":
        raise SourceError(f"{url}: {result.error or 'no content'}")
    return page_article(result.body, result.final_url or url, url)
