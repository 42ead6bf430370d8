"""`recapmail feeds --check`: read every enabled source now, without the cache, and say how
each one went. Nothing is recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from recapmail.config import Config, SourceConfig
from recapmail.errors import SourceError
from recapmail.model import Article
from recapmail.sources.collect import Progress
from recapmail.sources.feeds import parse_feed
from recapmail.sources.fetch import FetchRequest, FetchResult, fetch_all
from recapmail.sources.files import read_file, read_folder
from recapmail.sources.resolve import articles_from_bytes, local_kind, read_bytes


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """One line of `recapmail feeds --check`."""

    name: str
    location: str  # the URL or path
    ok: bool
    items: int = 0
    newest: datetime | None = None
    detail: str = ""  # the reason when not ok, else e.g. "HTTP 200, 38 KB"


def check_sources(cfg: Config, *, progress: Progress | None = None) -> list[SourceStatus]:
    """Read every enabled source now (no cache, no validators, nothing recorded) and say how
    it went: for `recapmail feeds --check`."""
    remote = [s for s in cfg.enabled_sources if s.url]
    fetched: dict[str, FetchResult] = {}
    if remote:
        done = 0

        def on_result(result: FetchResult) -> None:
            nonlocal done
            done += 1
            if progress is not None:
                progress(f"[{done}/{len(remote)}] {result.request.name}")

        requests = [FetchRequest(s.url, s.name) for s in remote if s.url]
        fetched = {r.request.url: r for r in fetch_all(requests, cfg.fetch, on_result=on_result)}
    statuses = []
    for source in cfg.enabled_sources:
        location = source.url or str(source.path)
        try:
            articles, detail = _check_one(source, fetched.get(source.url or ""))
        except SourceError as exc:
            statuses.append(SourceStatus(source.name, location, False, detail=str(exc)))
            continue
        dates = [a.published for a in articles if a.published]
        statuses.append(
            SourceStatus(source.name, location, True, len(articles), max(dates, default=None),
                         detail)
        )  # fmt: skip
    return statuses


def _check_one(source: SourceConfig, result: FetchResult | None) -> tuple[list[Article], str]:
    if source.path is not None:
        path = source.path
        kind = local_kind(path, source.type)
        if kind == "folder":
            skipped: list[str] = []
            articles = list(read_folder(path, warn=skipped.append))
            return articles, "folder" + (
                f"; {len(skipped)} skipped: {skipped[0]}" if skipped else ""
            )
        if kind == "missing":
            raise SourceError(f"{path}: no such file or folder (check `path`)")
        if kind == "feed":
            data = read_bytes(path, str(path))
            return list(parse_feed(data, str(path), name=source.name).articles), "feed file"
        return [read_file(path)], "file"
    assert result is not None and source.url is not None
    if result.status != "ok":
        raise SourceError(result.error or "failed")
    page_kind = source.type if source.type in ("feed", "page") else "auto"
    articles = articles_from_bytes(
        result.body, source.url, url=result.final_url or source.url,
        content_type=result.content_type, name=source.name, kind=page_kind,
    )  # fmt: skip
    detail = f"HTTP {result.http_status}, {len(result.body) / 1000:.0f} KB"
    if result.moved_to:
        detail += f"; moved for good to {result.moved_to}: put that URL in feeds.toml"
    return articles, detail
