"""Articles -> the period's Digest: window, dedupe, seen-state, highlights, clusters, order.

Which items belong to a period (every rule is about never losing an item and never sending
one twice):
- an item already sent in another period is left out; one sent in this period stays in, so
  re-running a period gives the same digest (its articles are kept in the state, in case a
  feed has dropped them since);
- a dated feed item belongs to the period it was published in. If that period's digest was
  made before the item was first seen (its feed was down, or published it late), it goes
  into the next digest made, up to LATE_DAYS after its date;
- the team's own recaps (`path` sources), configured single pages and feed items without
  any date go out in the first digest made after they were first seen, whatever their date
  (`max_age_days` of a source bounds how old a recap may be);
- an item first seen after this period's digest was first made waits for the next one.
Duplicates (same GUID, same link once tracking parameters and www./scheme/trailing slash are
ignored, same file, the same title of 3+ words within 7 days, or a link under a language
folder and the one it translates) appear once: the team's recap, then the newsletter's
language, then the longest text winning.

Cost: selection, dedupe and the shortlist are cheap per item; highlights are extracted for at
most the shown items plus the team's own, and cached in the state by content.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from recapmail import __version__
from recapmail.config import Config
from recapmail.model import Article, Digest, DigestItem, Highlights, Period, SourceWarning
from recapmail.shortlist import light_highlights, shortlist
from recapmail.sources.collect import fewer_gc_passes, identity_keys
from recapmail.state import (
    RecordedPeriod,
    State,
    article_dict,
    highlights_from_json,
    highlights_to_json,
)

# Bump when digest.py changes what it asks of the highlighter (e.g. the highlight count).
HIGHLIGHTS_VERSION = 1
LATE_DAYS = 28
TITLE_WINDOW = timedelta(days=7)
_KIND_RANK = {"file": 0, "page": 1, "feed": 2}
_NON_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True, slots=True)
class Selected:
    article: Article  # the representative of its duplicates, their metadata merged
    keys: tuple[str, ...]  # identity keys of every duplicate, all recorded as sent


def build_digest(
    articles: Sequence[Article],
    period: Period,
    cfg: Config,
    state: State,
    *,
    record: bool = True,
    warnings: Sequence[SourceWarning] = (),
    now: datetime | None = None,
) -> Digest:
    """The period's items best first. Full extraction (cached) and clustering only for the
    team's own recaps and pages and for the feed items that can be shown (shortlist.py); the
    other feed items follow, in the shortlist's order, with light highlights."""
    with fewer_gc_passes():
        return _build(articles, period, cfg, state, record, warnings, now or datetime.now(UTC))


def _build(
    articles: Sequence[Article],
    period: Period,
    cfg: Config,
    state: State,
    record: bool,
    warnings: Sequence[SourceWarning],
    now: datetime,
) -> Digest:
    from recapmail.highlights import cluster

    selected, stored = _select(articles, period, cfg, state, now)
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
        DigestItem(h, cluster=cluster_id, shown=rank < limit)
        for rank, (_, h, cluster_id) in enumerate(ordered)
    )
    first_rank: dict[str, int] = {}
    for rank, item in enumerate(items):
        if item.cluster is not None:
            first_rank.setdefault(item.cluster, rank)
    ordered_clusters = tuple(sorted(clusters, key=lambda c: first_rank.get(c.id, len(items))))
    sent = [(selected[i].keys, selected[i].article) for i, _, _ in ordered]
    if record and stored != [article for _, article in sent]:  # a re-run rewrites nothing
        state.record(period, sent, now)
    return Digest(
        period=period,
        title=cfg.newsletter.title,
        language=cfg.newsletter.language,
        items=items,
        clusters=ordered_clusters,
        warnings=tuple(warnings),
    )


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


@functools.cache
def highlighter_version() -> str:
    """recapmail's version, HIGHLIGHTS_VERSION and a digest of the highlighter's own files, so
    a changed highlighter never serves highlights cached by an older one."""
    import recapmail.highlights

    digest = hashlib.sha256()
    package = Path(recapmail.highlights.__file__).parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return f"{__version__}+{HIGHLIGHTS_VERSION}+{digest.hexdigest()[:16]}"


def select_articles(
    articles: Sequence[Article],
    period: Period,
    cfg: Config,
    state: State,
    *,
    now: datetime | None = None,
) -> list[Selected]:
    """The period's items, deduplicated, before any highlight is picked."""
    return _select(articles, period, cfg, state, now or datetime.now(UTC))[0]


def _select(
    articles: Sequence[Article], period: Period, cfg: Config, state: State, now: datetime
) -> tuple[list[Selected], list[Article] | None]:
    """select_articles(), and what the state holds for this period: its sent articles in
    order, or None when some key of the selection is not recorded as sent in it yet."""
    recorded = {p.label: p for p in state.periods()}
    this = recorded.get(period.label)
    stored = state.recorded_articles(period.label) if this else []
    groups = dedupe([*articles, *stored], cfg.newsletter.language)
    sent = state.sent_labels(k for g in groups for k in g.keys)
    max_age = {s.name: s.max_age_days for s in cfg.sources if s.max_age_days}
    chosen = []
    complete = this is not None
    for group in groups:
        labels = {sent[k] for k in group.keys if k in sent}
        sent_here = period.label in labels
        if sent_here or (
            not labels and _belongs(group.article, period, this, recorded, max_age, now)
        ):
            chosen.append(group)
            complete = complete and all(sent.get(k) == period.label for k in group.keys)
    return chosen, stored if complete else None


def dedupe(articles: Sequence[Article], language: str | None = None) -> list[Selected]:
    """One Selected per distinct item, in the order of each item's first appearance; of two
    translations of one article, the one in `language` (the newsletter's) stands for both."""
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

    keys = [identity_keys(a) for a in articles]
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


@functools.lru_cache(maxsize=1 << 15)  # a re-run meets each title twice: fed and stored
def title_key(title: str | None) -> str | None:
    """Case, accents and punctuation ignored; short titles ("Update") are too common to match."""
    if not title:
        return None
    plain = title.casefold()
    if not plain.isascii():  # most titles are ASCII: no accents to strip
        plain = unicodedata.normalize("NFKD", plain)
        plain = "".join(c for c in plain if not unicodedata.combining(c))
    words = _NON_WORD.sub(" ", plain).split()
    if len(words) < 3 or sum(map(len, words)) < 12:
        return None
    return " ".join(words)


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


def _belongs(
    article: Article,
    period: Period,
    this: RecordedPeriod | None,
    recorded: dict[str, RecordedPeriod],
    max_age: dict[str, int],
    now: datetime,
) -> bool:
    first_seen = article.first_seen or now
    if this is not None and first_seen > this.recorded_at:
        return False  # it arrived after this digest was made: it is for the next one
    if article.kind != "feed" or article.published is None:
        days = max_age.get(article.feed or "")
        if days and article.published and article.published < period.end - timedelta(days=days):
            return False
        if article.kind == "feed":  # undated feed item: dated by when it was first seen
            return first_seen >= period.start
        return True
    published = article.published
    if period.start <= published < period.end:
        return True
    if published >= period.start or published < period.start - timedelta(days=LATE_DAYS):
        return False
    return any(
        q.start <= published < q.end and q.recorded_at < first_seen
        for q in recorded.values()
        if q.label != period.label
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
