"""SOURCE arguments of the one-off commands -> Articles: a file, a folder, a feed file, a feed
URL or a web page URL, told apart by their bytes rather than their names where it matters."""

from __future__ import annotations

import logging
import re
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from recapmail.config import FetchConfig
from recapmail.errors import SourceError
from recapmail.model import Article
from recapmail.sources.feeds import looks_like_feed, parse_feed
from recapmail.sources.files import read_file, read_path, read_regular, shown
from recapmail.sources.html import html_to_article

log = logging.getLogger(__name__)
FEED_SUFFIXES = {".xml", ".rss", ".atom", ".rdf", ".json", ".feed"}
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://")


def is_url(spec: str) -> bool:
    return bool(_SCHEME.match(spec))


def load_sources(specs: Sequence[str], *, timeout: float = 20) -> list[Article]:
    """Every article the specs point to, in the order given; the first unreadable spec raises
    SourceError naming it. URLs are fetched together."""
    urls = list(dict.fromkeys(s for s in specs if is_url(s)))
    for url in urls:
        scheme = _SCHEME.match(url)
        if scheme and scheme.group(1).lower() not in ("http", "https"):
            raise SourceError(f"{url}: only http:// and https:// URLs can be fetched")
    fetched = {}
    if urls:
        from recapmail.sources.fetch import FetchRequest, fetch_all

        cfg = FetchConfig(timeout=timeout, deadline=max(timeout * 3, 30.0))
        fetched = {r.request.url: r for r in fetch_all([FetchRequest(u, u) for u in urls], cfg)}
    articles: list[Article] = []
    for spec in specs:
        if spec in fetched:
            result = fetched[spec]
            if result.status != "ok":
                raise SourceError(f"{spec}: {result.error or 'no content'}")
            articles += articles_from_bytes(
                result.body, spec, url=result.final_url or spec, content_type=result.content_type
            )
        else:
            articles += _local(spec)
    return articles


def articles_from_bytes(
    data: bytes,
    where: str,
    *,
    url: str | None,
    content_type: str | None = None,
    name: str | None = None,
    tags: tuple[str, ...] = (),
    language: str | None = None,
    kind: str = "auto",
) -> list[Article]:
    """A fetched or cached body: a feed's items, or the page's article."""
    if kind == "feed" or (kind == "auto" and looks_like_feed(data, content_type)):
        parsed = parse_feed(data, where, base_url=url, name=name, tags=tags, language=language)
        for warning in parsed.warnings:
            log.warning("%s: %s", where, warning)
        return list(parsed.articles)
    if url is None:
        raise SourceError(f"{where}: not a feed")
    return [html_to_article(data, where or url, url=url)]


def _local(spec: str) -> list[Article]:
    path = Path(spec).expanduser()
    where = shown(spec)
    kind = local_kind(path)
    if kind == "missing":
        read_regular(path, where, 0)  # says why: no such file, a loop of links, a bad link
        raise SourceError(f"{where}: no such file (check the path)")
    if kind == "folder":
        articles = read_path(path)
        if not articles:
            raise SourceError(f"{where}: no .md, .txt or .html file in this folder")
        return articles
    if kind == "feed":
        parsed = parse_feed(read_bytes(path, where), where)
        for warning in parsed.warnings:
            log.warning("%s: %s", where, warning)
        return list(parsed.articles)
    return [read_file(path, where)]


LocalKind = Literal["missing", "folder", "feed", "article"]


def local_kind(path: Path, declared: str = "auto") -> LocalKind:
    """How a local path is read: a folder of recaps, a feed file (by `type = "feed"`, its
    name or its first bytes), or one article. The one place that decides it."""
    if path.is_dir():
        return "folder"
    if not path.exists():
        return "missing"
    return "feed" if declared == "feed" or is_feed_file(path) else "article"


def is_feed_file(path: Path) -> bool:
    """A feed by its name, or by its first bytes when the name says nothing (.txt, none)."""
    if path.suffix.lower() in FEED_SUFFIXES:
        return True
    if path.suffix.lower() in {".md", ".markdown", ".html", ".htm"}:
        return False
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return False  # a FIFO would block the open; read_file refuses it, saying why
        with path.open("rb") as handle:
            return looks_like_feed(handle.read(4096))
    except OSError:
        return False


def read_bytes(path: Path, where: str, limit: int = 50_000_000) -> bytes:
    """A feed file's bytes: a regular file only, at most `limit` bytes (see read_regular)."""
    return read_regular(path, shown(where), limit)
