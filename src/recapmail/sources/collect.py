"""Every enabled source of feeds.toml -> Articles, for `recapmail digest`.

Two steps, so that a run with nothing new can stop in between (see uptodate.py):
- `gather()` asks every URL at once with conditional GET, parsing each new body as soon as it
  arrives, and notes what every source holds now (`Gathering.tokens()`);
- `Gathering.finish()` reads the rest: the cached parses of unchanged feeds, the local files.

A source that fails becomes one SourceWarning (its name and the reason) and, when an earlier
run cached it, its last good copy is used: a feed that is down this week does not make its
items vanish from a re-run.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, Future
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from recapmail.code_version import parser_version
from recapmail.config import Config, SourceConfig
from recapmail.errors import DraftSkipped, SourceError
from recapmail.identity import identity_keys
from recapmail.memory import fewer_gc_passes
from recapmail.model import Article, SourceWarning
from recapmail.sources.feeds import looks_like_feed, parse_feed
from recapmail.sources.fetch import FetchRequest, FetchResult, fetch_all
from recapmail.sources.files import files_stamp, iter_folder, read_file, recap_link
from recapmail.sources.parsing import FeedJob, FeedParser, ParsedBody
from recapmail.sources.resolve import articles_from_bytes, local_kind, read_bytes
from recapmail.state import CachedResponse, State, Validators
from recapmail.state_file import body_sha

log = logging.getLogger(__name__)

Read = tuple[list[Article], list[str]]  # what reading a source gave: its articles, its warnings
Progress = Callable[[str], None]
# Bump when parsing changes what an Article holds: cached parses of older versions are redone.


@dataclass(frozen=True, slots=True)
class Collected:
    articles: tuple[Article, ...]
    warnings: tuple[SourceWarning, ...]
    fetched: int  # answered 200 with a new body
    not_modified: int  # answered 304 or the same body again: the cached copy holds
    from_cache: int  # offline, or failed: the cached body was parsed
    recent: int = 0  # checked less than [fetch] recheck_after ago: not asked, cached body parsed
    drafts: int = 0  # recaps marked as drafts, left out
    keys: tuple[tuple[str, ...], ...] = ()  # identity_keys of each article, computed once


def missing_paths(cfg: Config) -> list[SourceConfig]:
    """The enabled local sources whose `path` does not exist (a typo would give an empty
    edition and move the recaps to a later week)."""
    return [s for s in cfg.enabled_sources if s.path is not None and not s.path.exists()]


def collect(
    cfg: Config,
    state: State,
    *,
    offline: bool,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> Collected:
    return gather(cfg, state, offline=offline, progress=progress, now=now).finish()


def gather(
    cfg: Config,
    state: State,
    *,
    offline: bool,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> Gathering:
    """The first step of collect(): every URL asked, every local source looked at."""
    run = Gathering(cfg, state, progress, now or datetime.now(UTC), offline)
    remote = [s for s in cfg.enabled_sources if s.url]
    if offline:
        run.unchanged.extend(remote)
    elif remote:
        with fewer_gc_passes():
            run.fetch(remote)
    return run


def _attributed(article: Article, source: SourceConfig) -> Article:
    """The configured source's name, tags and language hint, on an article read from it."""
    tags = tuple(dict.fromkeys((*source.tags, *article.tags))) if source.tags else article.tags
    language = article.language or source.language
    url = recap_link(article, source.base_url)
    if (
        article.feed == source.name
        and tags == article.tags
        and language == article.language
        and url == article.url
    ):
        return article
    return replace(article, feed=source.name, tags=tags, language=language, url=url)


class Gathering:
    """The articles and warnings of one collect(), gathered source by source."""

    def __init__(
        self, cfg: Config, state: State, progress: Progress | None, now: datetime, offline: bool
    ) -> None:
        self.cfg = cfg
        self.offline = offline
        self.state = state
        self.now = now
        self.progress = progress
        self.by_source: dict[str, list[Article]] = {}
        self.warnings: list[SourceWarning] = []
        self.drafts = 0  # recaps marked as drafts, left out
        self.fetched = self.not_modified = self.from_cache = self.recent = 0
        # URL sources whose cached copy is still what they hold (a 304, the same body again,
        # or offline): their cached parse is read by finish(), only if the run goes on.
        self.unchanged: list[SourceConfig] = []
        self.bodies: dict[str, str] = {}  # URL -> sha256 of the body it holds now
        self.recently_checked: set[str] = set()  # URLs not asked: see [fetch] recheck_after
        self._copies: dict[str, CachedResponse | None] = {}  # what the state held at the start
        self._validators: dict[str, Validators] | None = None  # idem, without the bodies

    def tokens(self) -> tuple[str, ...] | None:
        """What each enabled source holds now, in config order; equal tokens, equal articles.
        None once a source failed: its fallback may read differently another time."""
        if self.warnings:
            return None
        tokens = []
        for source in self.cfg.enabled_sources:
            if source.url is not None:
                known = self.known(source.url)
                held = self.bodies.get(source.url) or (known.body_sha if known else "none")
            else:
                held = _path_token(source.path)
            tokens.append(f"{source.name}\t{source.url or source.path}\t{held}")
        return tuple(tokens)

    def known(self, url: str) -> Validators | None:
        """The validators and body hash of `url`'s cached response as this run found it."""
        if self._validators is None:
            self._validators = self.state.validators()
        return self._validators.get(url)

    def copy(self, url: str) -> CachedResponse | None:
        """The cached response of `url`, body included, as this run found it (read once, and
        only when needed: before its URL stores a new one)."""
        if url not in self._copies:
            self._copies[url] = self.state.cached(url)
        return self._copies[url]

    def finish(self) -> Collected:
        """The second step: unchanged feeds from the cache, local sources read, first seen."""
        with fewer_gc_passes():
            for source in self.unchanged:
                if self.offline:
                    self.cached(source, "offline")
                elif source.url in self.recently_checked:
                    self.cached(source, "recent")
                else:
                    self.cached(source, "not_modified")
            for source in self.cfg.enabled_sources:
                if source.path is not None:
                    self.local(source)
            articles = [
                _attributed(a, source) for source in self.cfg.enabled_sources
                for a in self.by_source.get(source.name, [])
            ]  # fmt: skip
            keys = tuple(identity_keys(a) for a in articles)
            seen = self.state.first_seen(keys, self.now)
            articles = [replace(a, first_seen=when) for a, when in zip(articles, seen, strict=True)]
        return Collected(
            tuple(articles), tuple(self.warnings), self.fetched, self.not_modified,
            self.from_cache, self.recent, self.drafts, keys,
        )  # fmt: skip

    def warn(self, source: SourceConfig, reason: str) -> None:
        log.warning("%s: %s", source.name, reason)
        self.warnings.append(SourceWarning(source.name, reason))

    def keep(self, source: SourceConfig, articles: list[Article]) -> None:
        self.by_source.setdefault(source.name, []).extend(articles)

    # -- local -------------------------------------------------------------------------

    def local(self, source: SourceConfig) -> None:
        path = source.path
        assert path is not None
        kind = local_kind(path, source.type)
        try:
            if kind == "folder":
                files = iter_folder(
                    path, on_draft=self.skipped_draft_file, warn=lambda why: self.warn(source, why)
                )
                for file in files:
                    try:
                        self.keep(source, [read_file(file)])
                    except DraftSkipped as exc:
                        self.skipped_draft(exc)
                    except SourceError as exc:
                        self.warn(source, str(exc))
            elif kind == "missing":  # run_digest refuses this first (missing_paths)
                self.warn(source, f"{path}: no such file or folder (check `path`)")
            elif kind == "feed":
                self.take(
                    source, self.feed_bytes(source, read_bytes(path, str(path)), str(path), None)
                )
            else:
                self.keep(source, [read_file(path)])
        except DraftSkipped as exc:
            self.skipped_draft(exc)
        except SourceError as exc:
            self.warn(source, str(exc))

    def skipped_draft(self, exc: DraftSkipped) -> None:
        log.info("%s", exc)
        self.drafts += 1

    def skipped_draft_file(self, path: Path) -> None:
        log.info("%s: a draft (its name starts with _): left out", path)
        self.drafts += 1

    def take(self, source: SourceConfig, read: Read) -> Read:
        """Keep what a source gave, say its warnings, and hand it on (to be stored)."""
        articles, warnings = read
        for warning in warnings:
            self.warn(source, warning)
        self.keep(source, articles)
        return read

    def feed_bytes(self, source: SourceConfig, data: bytes, where: str, url: str | None) -> Read:
        parsed = parse_feed(
            data, where, base_url=url, name=source.name, tags=source.tags,
            language=source.language,
        )  # fmt: skip
        return list(parsed.articles), list(parsed.warnings)

    # -- remote ------------------------------------------------------------------------

    def cached(self, source: SourceConfig, why: str) -> bool:
        """Parse the cached copy of a URL source; False (and a warning) when there is none."""
        assert source.url is not None
        held = self.known(source.url)
        if held is None:
            if why == "offline":
                self.warn(source, "offline and never fetched before: nothing in the cache")
            return False
        try:
            copied = self.state.parsed(source.url, held.body_sha, parser_version())
            known = copied.articles if copied is not None else None
            if copied is not None and known is not None:
                for warning in copied.warnings:  # what parsing it said, said again
                    self.warn(source, warning)
                self.keep(source, known)  # a cut to the newest MAX_ITEMS is among the warnings
            elif (copy := self.copy(source.url)) is not None:  # parsed by another version
                url = copy.final_url or source.url
                fresh, warned = self.take(
                    source, self.parse(source, copy.body, url, copy.content_type)
                )
                self.state.store_parsed(source.url, copy.body_sha, parser_version(), fresh, warned)
            else:
                raise SourceError("its stored body cannot be read")
        except SourceError as exc:
            self.warn(source, f"the cached copy is unreadable: {exc}")
            return False
        self.from_cache += why not in ("not_modified", "recent")
        return True

    def parse(self, source: SourceConfig, body: bytes, url: str, ctype: str | None) -> Read:
        assert source.url is not None
        kind = "feed" if source.type == "feed" else "page" if source.type == "page" else "auto"
        if kind == "feed" or (kind == "auto" and looks_like_feed(body, ctype)):
            return self.feed_bytes(source, body, source.url, url)
        if kind == "auto":
            copy = self.copy(source.url)
            if copy is not None and looks_like_feed(copy.body, copy.content_type):
                raise SourceError(f"{source.url}: no longer a feed (an HTML page came back)")
        return articles_from_bytes(body, source.url, url=url, kind="page"), []

    def fetch(self, sources: list[SourceConfig]) -> None:
        """Fetch every URL; feed bodies are parsed by a helper process as they arrive (see
        parsing.py) and their results taken in arrival order, here, where the state is."""
        by_url = {s.url: s for s in sources}
        held = {url: self.known(url) for url in by_url if url}
        cfg = self.cfg
        window = timedelta(minutes=cfg.fetch.recheck_after)
        for url, known in list(held.items()):
            if known is not None and timedelta(0) <= self.now - known.checked_at < window:
                self.recently_checked.add(url)
                self.unchanged.append(by_url[url])
                del held[url]
        self.recent = len(self.recently_checked)
        requests = []
        for url, known in held.items():
            etag = known.etag if known else None
            modified = known.last_modified if known else None
            requests.append(FetchRequest(url, by_url[url].name, etag, modified))
        if not requests:
            return
        done = 0
        pending: deque[tuple[SourceConfig, FetchResult, Future[ParsedBody]]] = deque()

        def report(
            source: SourceConfig, result: FetchResult, parsed: Future[ParsedBody] | None
        ) -> None:
            nonlocal done
            done += 1
            try:
                status = self.handle(source, result, parsed)
            except Exception as exc:  # a parser bug must not cost the other sources
                log.debug("%s: unexpected failure", source.name, exc_info=True)
                self.warn(source, f"unexpected error while reading it ({type(exc).__name__})")
                status = "failed"
            if self.progress is not None:
                self.progress(f"[{done}/{len(requests)}] {source.name}: {status}")

        def on_result(result: FetchResult) -> None:
            source = by_url[result.request.url]
            if result.status == "ok":
                sha = self.bodies[result.request.url] = body_sha(result.body)
                known = held[result.request.url]
                if known is not None and known.body_sha == sha:  # no validators, same bytes
                    result = replace(result, status="not_modified")
            if result.status == "not_modified":
                report(source, result, None)
            elif parser.parallel and _is_feed_body(source, result):
                pending.append((source, result, parser.submit(_feed_job(source, result))))
            else:
                report(source, result, None)
            while pending and pending[0][2].done():
                report(*pending.popleft())

        parser = FeedParser() if len(requests) > 1 else FeedParser(0)
        try:
            fetch_all(requests, cfg.fetch, on_result=on_result)
            while pending:
                report(*pending.popleft())
        finally:
            parser.close()
        asked = (s.url for s in self.unchanged if s.url not in self.recently_checked)
        self.state.touch((url for url in asked if url), self.now)

    def handle(
        self, source: SourceConfig, result: FetchResult, parsed: Future[ParsedBody] | None
    ) -> str:
        assert source.url is not None
        if result.status == "not_modified":
            self.unchanged.append(source)
            self.not_modified += 1
            if result.http_status == 200:  # the same body, maybe with new validators
                self.state.store_response(
                    source.url, body=result.body, etag=result.etag,
                    last_modified=result.last_modified, content_type=result.content_type,
                    final_url=result.final_url or source.url, now=self.now,
                )  # fmt: skip
            return "not modified"
        if result.status == "ok":
            sha = self.bodies[source.url]  # noted as the body arrived
            url = result.final_url or source.url
            encoded = None  # the articles as the state keeps them, when the helper made it
            try:
                if parsed is None:
                    read = self.parse(source, result.body, url, result.content_type)
                else:
                    read, encoded = self.parsed_body(source, result, parsed)
            except SourceError as exc:
                reason = str(exc).removeprefix(f"{source.url}: ")
                self.fall_back(source, reason)
                return "unreadable"
            fresh, warned = self.take(source, read)
            self.state.store_parsed(
                source.url, sha, parser_version(), fresh if encoded is None else encoded, warned
            )
            self.state.store_response(
                source.url, body=result.body, etag=result.etag,
                last_modified=result.last_modified, content_type=result.content_type,
                final_url=url, now=self.now,
            )  # fmt: skip
            self.fetched += 1
            return f"{len(fresh)} item{'s' if len(fresh) != 1 else ''}"
        self.fall_back(source, result.error or "failed")
        return "failed"

    def parsed_body(
        self, source: SourceConfig, result: FetchResult, parsed: Future[ParsedBody]
    ) -> tuple[Read, bytes]:
        """What the helper parsed, and the articles as it encoded them for the state."""
        try:
            body = parsed.result()
        except BrokenExecutor:  # the helper died: this body is parsed here
            body = FeedParser.here(_feed_job(source, result)).result()
        return (list(body.feed.articles), list(body.feed.warnings)), body.encoded

    def fall_back(self, source: SourceConfig, reason: str) -> None:
        assert source.url is not None
        copy = self.copy(source.url)
        if copy is not None and self._cached_quietly(source):
            reason += f"; used the copy fetched on {copy.fetched_at:%Y-%m-%d}"
        self.warn(source, reason)

    def _cached_quietly(self, source: SourceConfig) -> bool:
        try:
            return self.cached(source, "failed")
        except SourceError:
            return False


def _path_token(path: Path | None) -> str:
    """Every file a local source reads, with its size and modification time (as make does)."""
    if path is None or not path.exists():
        return "missing"
    try:
        return files_stamp(list(iter_folder(path)) if path.is_dir() else [path])
    except (OSError, SourceError) as exc:
        return f"unreadable:{exc}"


def _is_feed_body(source: SourceConfig, result: FetchResult) -> bool:
    """What _Run.parse() would read as a feed (then with no need of the state)."""
    if result.status != "ok" or source.type == "page":
        return False
    return source.type == "feed" or looks_like_feed(result.body, result.content_type)


def _feed_job(source: SourceConfig, result: FetchResult) -> FeedJob:
    assert source.url is not None
    return FeedJob(
        result.body, source.url, result.final_url or source.url, source.name, source.tags,
        source.language,
    )  # fmt: skip
