"""The values passed between stages: frozen, typed, free of I/O.

sources -> Article -> highlights -> Highlights -> digest -> Digest -> render -> files
Datetimes are timezone-aware and in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

BodyFormat = Literal["text", "markdown"]
SourceKind = Literal["file", "feed", "page"]
Platform = Literal["linkedin", "mastodon", "bluesky"]
PLATFORMS: tuple[Platform, ...] = ("linkedin", "mastodon", "bluesky")


@dataclass(frozen=True, slots=True)
class Article:
    """One piece of writing as read from a source, before any highlight is picked.

    `body` is Markdown or plain text: HTML is turned into Markdown when read, so the
    highlighter has one structured format to clean.
    """

    source: str  # the path or URL as given (for a feed item: the item's link)
    body: str
    body_format: BodyFormat = "text"
    kind: SourceKind = "file"
    url: str | None = None  # canonical link, if known
    title: str | None = None  # from metadata or the feed; None when the text has none
    description: str | None = None  # front matter description / feed summary
    published: datetime | None = None
    author: str | None = None
    tags: tuple[str, ...] = ()
    language: str | None = None  # a hint (front matter, feed, config), not a detection
    feed: str | None = None  # name of the configured source it came from
    guid: str | None = None  # feed item id, for dedupe
    first_seen: datetime | None = None  # set by the seen-state for local recaps
    slug: str | None = None  # front matter `slug`: the recap's name on the team's blog


@dataclass(frozen=True, slots=True)
class Figure:
    """A key number with what it counts: value "1 200", number 1200.0, label "participants"."""

    value: str
    number: float
    label: str
    sentence: str


@dataclass(frozen=True, slots=True)
class Highlights:
    """What a reader must not miss in one article."""

    article: Article
    title: str
    language: str
    summary: str
    highlights: tuple[str, ...]
    figures: tuple[Figure, ...] = ()
    keywords: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()  # link targets found in the body, in order


@dataclass(frozen=True, slots=True)
class Conflict:
    """Sources about one event disagree on a figure: each (value, source) pair is listed."""

    label: str
    values: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Cluster:
    """Articles about one event, grouped, with their highlights merged."""

    id: str  # a stable slug, e.g. "openinfra-summit-europe-2025"
    title: str
    summary: str
    highlights: tuple[str, ...]
    figures: tuple[Figure, ...]
    keywords: tuple[str, ...]
    hashtags: tuple[str, ...]
    members: tuple[str, ...]  # the `source` of each article, best first
    conflicts: tuple[Conflict, ...] = ()


@dataclass(frozen=True, slots=True)
class Period:
    """A half-open window [start, end) and the name of its output folder."""

    start: datetime
    end: datetime
    label: str  # "2026-W47" or "2026-11-16_2026-11-22"
    timezone: str = "Europe/Paris"


@dataclass(frozen=True, slots=True)
class DigestItem:
    highlights: Highlights
    cluster: str | None = None  # Cluster.id
    shown: bool = True
    keys: tuple[str, ...] = ()  # identity keys of the item and its duplicates (publishing)


@dataclass(frozen=True, slots=True)
class SourceWarning:
    source: str  # the configured source's name, or the path/URL
    reason: str


@dataclass(frozen=True, slots=True)
class Digest:
    """Everything one newsletter edition is made of, best item first."""

    period: Period
    title: str
    language: str
    items: tuple[DigestItem, ...]
    clusters: tuple[Cluster, ...] = ()
    warnings: tuple[SourceWarning, ...] = ()
    since: datetime | None = None  # the first day its feed items could be from (skipped weeks)
    published_at: datetime | None = None  # when this edition went out, if it did
    too_old: int = 0  # items left out by the age limits (max_age_days)
    special: bool = False  # a special edition (`recapmail newsletter`), not a week's

    @property
    def shown(self) -> tuple[DigestItem, ...]:
        return tuple(item for item in self.items if item.shown)

    @property
    def checks(self) -> tuple[tuple[str, Conflict], ...]:
        """What to check before sending: (event title, figures its sources disagree on)."""
        return tuple((c.title, conflict) for c in self.clusters for conflict in c.conflicts)


@dataclass(frozen=True, slots=True)
class Post:
    """One social post, exactly as it is to be pasted."""

    source: str
    platform: Platform
    language: str
    text: str
    count: int  # the length as the platform counts it
    limit: int
    part: int = 1
    parts: int = 1
    sources: tuple[str, ...] = ()  # every recap it was made from (several for an event)


@dataclass(frozen=True, slots=True)
class Newsletter:
    """The rendered email, every part as text or bytes ready to write."""

    subject: str
    preheader: str
    mjml: str
    html: str
    text: str
    eml: bytes


@dataclass(frozen=True, slots=True)
class RunReport:
    """What `digest` did, for the closing line and for scripts."""

    label: str  # the edition's period
    out_dir: str
    files: tuple[str, ...]
    items: int
    shown: int
    digest: Digest | None = None  # None when the edition on disk was up to date: not remade
    written_at: datetime | None = None  # when that up-to-date edition was written
    elapsed: float = 0.0
    fetched: int = 0
    not_modified: int = 0
    recent: int = 0  # feeds not asked: checked less than [fetch] recheck_after ago
    checks: tuple[tuple[str, Conflict], ...] = ()  # (event title, figures that disagree)
    drafts: int = 0  # recaps marked as drafts, left out
    too_old: int = 0  # items left out by the age limits
    published_at: datetime | None = None  # the edition went out then (made again as it went)
    last: tuple[str, datetime] | None = None  # nothing new: the last published edition, when
    removed: str | None = None  # nothing new: the out-of-date draft folder removed
