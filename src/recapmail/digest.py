"""Articles -> the period's Digest: window, dedupe, published editions, highlights, clusters.

Which items an edition holds (editions.py and DESIGN "Editions and state"): making an edition
consumes nothing; an item goes out in the first *published* edition that holds it.
- a published edition made again holds what it went out with (kept in the state, in case a
  feed has dropped an item since); with `--force`, those same items as the sources hold them
  now;
- otherwise an item already in a published edition is left out, and
- a dated feed item belongs if it is from the window: the period, back to the end of the last
  published edition before it (a skipped week rolls forward); one from before the window,
  in no published edition, belongs too, unless from before the first one (its feed was down,
  it came late, or it was re-dated into a week that went out);
- the team's own recaps (`path` sources) and configured single pages go out in the first
  published edition, whatever their date; feed items without a date are dated by when they
  were first seen;
- age limits bound how old an item may be (a source's `max_age_days`, else FEED_MAX_AGE_DAYS
  or RECAP_MAX_AGE_DAYS before the period's end); what they leave out is counted.
Duplicates (same GUID, same link once tracking parameters and www./scheme/trailing slash are
ignored, same file, the same title of 3+ words within 7 days, or a link under a language
folder and the one it translates) appear once: the team's recap, then the newsletter's
language, then the longest text winning. An item with the title and day (give or take one) of
one that went out is that one (its site moved: new GUIDs and links at once).

Cost: selection, dedupe and the shortlist are cheap per item; highlights are extracted for at
most the shown items plus the team's own, and cached in the state by content.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from recapmail.code_version import highlighter_version
from recapmail.config import Config
from recapmail.identity import identity_keys, published_keys, title_key
from recapmail.memory import fewer_gc_passes
from recapmail.model import Article, Digest, DigestItem, Highlights, Period, SourceWarning
from recapmail.serialize import article_dict, highlights_from_json, highlights_to_json
from recapmail.shortlist import light_highlights, shortlist
from recapmail.state import PublishedEdition, State

# Bump when digest.py changes what it asks of the highlighter (e.g. the highlight count).
FEED_MAX_AGE_DAYS = 31  # a feed item older than this before the period's end is left out
RECAP_MAX_AGE_DAYS = 180  # idem for the team's recaps and pages
TITLE_WINDOW = timedelta(days=7)
_KIND_RANK = {"file": 0, "page": 1, "feed": 2}
_PERIOD_LABEL = re.compile(r"\d{4}-W\d{2}|\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class Selected:
    article: Article  # the representative of its duplicates, their metadata merged
    keys: tuple[str, ...]  # identity keys of every duplicate, all published together


@dataclass(frozen=True, slots=True)
class Selection:
    items: list[Selected]
    since: datetime  # the window's first day for dated feed items
    published: PublishedEdition | None  # this period's edition, if it went out already
    last: PublishedEdition | None  # the last edition published before this period
    too_old: int  # left out by an age limit


def build_digest(
    articles: Sequence[Article],
    period: Period,
    cfg: Config,
    state: State,
    *,
    force: bool = False,
    warnings: Sequence[SourceWarning] = (),
    now: datetime | None = None,
    keys: Sequence[tuple[str, ...]] | None = None,
) -> Digest:
    """The period's items best first. Full extraction (cached) and clustering only for the
    team's own recaps and pages and for the feed items that can be shown (shortlist.py); the
    other feed items follow, in the shortlist's order, with light highlights. `keys`: the
    articles' identity keys, when the caller has them already."""
    with fewer_gc_passes():
        chosen = select(articles, period, cfg, state, force=force, now=now, keys=keys)
        return _build(chosen, period, cfg, state, warnings, now or datetime.now(UTC))


def _build(
    chosen: Selection,
    period: Period,
    cfg: Config,
    state: State,
    warnings: Sequence[SourceWarning],
    now: datetime,
) -> Digest:
    from recapmail.highlights import cluster

    selected = chosen.items
    limit = cfg.newsletter.max_items
    own = [i for i, s in enumerate(selected) if s.article.kind != "feed"]
    feed = [i for i, s in enumerate(selected) if s.article.kind == "feed"]
    anchors = [selected[i].article for i in own]
    ranked = [feed[j] for j in shortlist([selected[i].article for i in feed], period, anchors)]
    room = max(limit - len(own), 0)
    full, rest = own + ranked[:room], ranked[room:]
    found = extract_cached([selected[i].article for i in full], state, now)
    clusters, membership = cluster(found, language=cfg.newsletter.language)
    sizes: dict[str, int] = {}
    for cluster_id in membership.values():
        sizes[cluster_id] = sizes.get(cluster_id, 0) + 1
    best = sorted(
        range(len(found)),
        key=lambda j: (
            -_score(found[j], sizes.get(membership.get(found[j].article.source, ""), 1), period),
            -_timestamp(found[j].article),
            found[j].article.source,
        ),
    )
    language = cfg.newsletter.language
    ordered = [(full[j], found[j], membership.get(found[j].article.source)) for j in best]
    ordered += [(i, light_highlights(selected[i].article, language), None) for i in rest]
    items = tuple(
        DigestItem(h, cluster=cluster_id, shown=rank < limit, keys=selected[i].keys)
        for rank, (i, h, cluster_id) in enumerate(ordered)
    )
    first_rank: dict[str, int] = {}
    for rank, item in enumerate(items):
        if item.cluster is not None:
            first_rank.setdefault(item.cluster, rank)
    ordered_clusters = tuple(sorted(clusters, key=lambda c: first_rank.get(c.id, len(items))))
    return _digest(
        cfg,
        period=period,
        items=items,
        clusters=ordered_clusters,
        warnings=tuple(warnings),
        since=chosen.since,
        published_at=chosen.published.published_at if chosen.published else None,
        too_old=chosen.too_old,
    )


def special_digest(items: Sequence[Highlights], cfg: Config) -> Digest:
    """A digest of exactly these articles, in the order given, for a special edition."""
    from recapmail.highlights import cluster

    clusters, membership = cluster(items, language=cfg.newsletter.language)
    dates = [h.article.published for h in items if h.article.published]
    last = max(dates) if dates else datetime.now(UTC).replace(hour=0, minute=0, second=0)
    first = min(dates) if dates else last
    start = first.replace(hour=0, minute=0, second=0, microsecond=0)
    end = last.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    period = Period(
        start=start,
        end=end,
        label=f"{start.date().isoformat()}_{(end - timedelta(days=1)).date().isoformat()}",
        timezone=cfg.newsletter.timezone,
    )
    limit = cfg.newsletter.max_items
    return _digest(
        cfg,
        period=period,
        items=tuple(
            DigestItem(h, cluster=membership.get(h.article.source), shown=i < limit)
            for i, h in enumerate(items)
        ),
        clusters=clusters,
        warnings=(),
        special=True,
    )


def _digest(cfg: Config, **parts: Any) -> Digest:
    """The one place a Digest is made: the newsletter's title and language from the config."""
    return Digest(title=cfg.newsletter.title, language=cfg.newsletter.language, **parts)


def extract_cached(
    articles: Sequence[Article], state: State, now: datetime | None = None
) -> list[Highlights]:
    """extract() of each article, or what an earlier run stored for exactly this article and
    this highlighter. Only the entries needed are read, and the new ones written in one
    transaction at the end."""
    from recapmail.highlights import extract

    version = highlighter_version()
    keys = [content_key(a, version) for a in articles]
    known = state.cached_highlights(keys)
    found: list[Highlights] = []
    new: dict[str, str] = {}
    for article, key in zip(articles, keys, strict=True):
        stored = known.get(key)
        h = highlights_from_json(stored, article) if stored is not None else None
        if h is None:
            h = extract(article)
            new[key] = highlights_to_json(h)
        found.append(h)
    if keys:
        state.store_highlights(new, keys, now)
    return found


def content_key(article: Article, version: str) -> str:
    """Everything extract() may read of an article; not when or through which feed it came."""
    data = article_dict(article)
    del data["first_seen"], data["feed"]
    text = json.dumps([version, data], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def select(
    articles: Sequence[Article],
    period: Period,
    cfg: Config,
    state: State,
    *,
    force: bool = False,
    now: datetime | None = None,
    keys: Sequence[tuple[str, ...]] | None = None,
) -> Selection:
    """The period's items, deduplicated, before any highlight is picked (rules above)."""
    now = now or datetime.now(UTC)
    editions = state.published()
    this = next((e for e in editions if e.label == period.label), None)
    # Weeks and ranges cover days; a special edition (`recapmail newsletter`) covers none.
    windows = [e for e in editions if is_period_label(e.label) and e.label != period.label]
    last = last_published(windows, period)
    since = min(last.end, period.start) if last else period.start
    if this is not None:
        items = _as_published(articles if force else (), this, cfg, state, keys)
        return Selection(items, this.start, this, last, 0)
    language = cfg.newsletter.language
    groups = dedupe(articles, language, keys)
    asked = [published_keys(g.keys) for g in groups]
    owners = state.published_labels(k for keys in asked for k in keys)
    ages = {s.name: s.max_age_days for s in cfg.sources if s.max_age_days}
    chosen, too_old = [], 0
    for group, held in zip(groups, asked, strict=True):
        if any(k in owners for k in held):
            continue
        a = group.article
        own = a.kind != "feed"
        when = a.published if own or a.published else (a.first_seen or now)
        if not own and a.published is None:  # undated: seen at a run, after its period
            if when is not None and when < since:
                continue
        elif not own and not _in_window(when, period, windows):
            continue
        days = ages.get(a.feed or "") or (RECAP_MAX_AGE_DAYS if own else FEED_MAX_AGE_DAYS)
        if when is not None and when < period.end - timedelta(days=days):
            # counted when it is news: not a recap that was old already at the last edition
            if not own or last is None or (a.first_seen or now) > last.made_at:
                too_old += 1
            continue
        chosen.append(group)
    return Selection(chosen, since, None, last, too_old)


def select_articles(
    articles: Sequence[Article],
    period: Period,
    cfg: Config,
    state: State,
    *,
    now: datetime | None = None,
) -> list[Selected]:
    """The period's items as `select` picks them (for benchmarks and tests)."""
    return select(articles, period, cfg, state, now=now).items


def last_published(editions: Sequence[PublishedEdition], period: Period) -> PublishedEdition | None:
    """The week or range published last before `period` ends (not `period` itself)."""
    before = [
        e for e in editions
        if e.end <= period.end and e.label != period.label and is_period_label(e.label)
    ]  # fmt: skip
    return max(before, key=lambda e: (e.end, e.published_at)) if before else None


def is_period_label(label: str) -> bool:
    """A week ("2026-W48") or a range ("2026-11-01_2026-11-15"), not a special edition."""
    return bool(_PERIOD_LABEL.fullmatch(label))


def _in_window(when: datetime | None, period: Period, windows: Sequence[PublishedEdition]) -> bool:
    """Whether a feed item dated `when`, in no published edition, is for this edition: from
    the period, or from before it but not from before the first published edition began.
    Such an item dated in a week that went out was not in it: its feed was down then, it came
    late, or it was re-dated into that week after the edition was made."""
    if when is None or when >= period.end:
        return False
    if when >= period.start:
        return True
    return bool(windows) and when >= min(e.start for e in windows)


def _as_published(
    articles: Sequence[Article], edition: PublishedEdition, cfg: Config, state: State,
    keys: Sequence[tuple[str, ...]] | None = None,
) -> list[Selected]:  # fmt: skip
    """The items `edition` went out with: as kept then, or as `articles` (the sources now,
    given with --force) hold them where they still do."""
    stored = dedupe(state.published_articles(edition.label), cfg.newsletter.language)
    if not articles:
        return stored
    current = dedupe(articles, cfg.newsletter.language, keys)
    owners = state.published_labels(k for g in current for k in g.keys)
    fresh = [g for g in current if any(owners.get(k) == edition.label for k in g.keys)]
    covered = {k for g in fresh for k in g.keys}
    return fresh + [g for g in stored if not covered.intersection(g.keys)]


def dedupe(
    articles: Sequence[Article],
    language: str | None = None,
    known: Sequence[tuple[str, ...]] | None = None,
) -> list[Selected]:
    """One Selected per distinct item, in the order of each item's first appearance; of two
    translations of one article, the one in `language` (the newsletter's) stands for both.
    `known`: identity_keys of each article, when computed already."""
    parent = list(range(len(articles)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        a, b = find(i), find(j)
        if a != b:
            parent[max(a, b)] = min(a, b)

    # the caller's keys when it has them for these very articles (a Collected made without
    # them holds none)
    reuse = known is not None and len(known) == len(articles)
    keys = known if reuse and known is not None else [identity_keys(a) for a in articles]
    owner: dict[str, int] = {}
    titled: dict[str, list[int]] = {}
    for i, article in enumerate(articles):
        for key in keys[i]:
            if key in owner:
                union(owner[key], i)
            else:
                owner[key] = i
        title = title_key(article.title)
        if title:
            titled.setdefault(title, []).append(i)
    for members in titled.values():
        members.sort(key=lambda i: _timestamp(articles[i]))
        for before, after in itertools.pairwise(members):
            gap = _timestamp(articles[after]) - _timestamp(articles[before])
            if gap <= TITLE_WINDOW.total_seconds():
                union(before, after)
    groups: dict[int, list[int]] = {}
    for i in range(len(articles)):
        groups.setdefault(find(i), []).append(i)
    return [
        Selected(
            _merge([articles[i] for i in members], language),
            tuple(dict.fromkeys(k for i in members for k in keys[i])),
        )
        for members in groups.values()
    ]


def _merge(members: list[Article], language: str | None) -> Article:
    def rank(i: int) -> tuple[int, bool, int, int]:
        a = members[i]
        foreign = language is not None and (a.language or "")[:2].lower() != language
        return (_KIND_RANK.get(a.kind, 3), foreign, -len(a.body), i)

    ranked = sorted(range(len(members)), key=rank)
    best = members[ranked[0]]
    if all(a == best for a in members):  # one item, or a re-run meeting its own stored copy
        return best
    others = [members[i] for i in ranked[1:]]

    def first(field: str) -> object:
        return next((getattr(a, field) for a in others if getattr(a, field)), None)

    seen = [a.first_seen for a in members if a.first_seen]
    return replace(
        best,
        url=best.url or first("url"),  # type: ignore[arg-type]
        title=best.title or first("title"),  # type: ignore[arg-type]
        description=best.description or first("description"),  # type: ignore[arg-type]
        published=best.published or first("published"),  # type: ignore[arg-type]
        language=best.language or first("language"),  # type: ignore[arg-type]
        guid=best.guid or first("guid"),  # type: ignore[arg-type]
        tags=tuple(dict.fromkeys(t for a in (best, *others) for t in a.tags)),
        first_seen=min(seen) if seen else None,
    )


def _score(h: Highlights, cluster_size: int, period: Period) -> float:
    """Best first: the team's own recaps, events several sources cover, then substance."""
    a = h.article
    score = 3.0 if a.kind != "feed" else 0.0
    score += 1.5 * min(cluster_size - 1, 3)
    score += 0.5 * min(len(h.figures), 3) + 0.2 * min(len(h.highlights), 5)
    score += min(len(a.body) / 3000, 1.0)
    if a.published is not None and period.start <= a.published < period.end:
        span = (period.end - period.start).total_seconds() or 1.0
        score += 0.5 * (a.published - period.start).total_seconds() / span
    return score


def _timestamp(article: Article) -> float:
    when = article.published or article.first_seen
    return when.timestamp() if when else 0.0
