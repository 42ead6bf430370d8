"""What the state gives back: plain frozen records of its rows (state.py reads and writes
them), so that the stages reading them need not know the tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from recapmail.model import Article
from recapmail.state_file import dt


@dataclass(frozen=True, slots=True)
class CachedResponse:
    url: str
    etag: str | None
    last_modified: str | None
    body: bytes
    content_type: str | None
    final_url: str | None
    fetched_at: datetime  # when this body came
    checked_at: datetime  # when the server last said it is current (200 or 304)
    body_sha: str


@dataclass(frozen=True, slots=True)
class Validators:
    """What a conditional GET needs of a cached response, and which body it stands for."""

    etag: str | None
    last_modified: str | None
    checked_at: datetime
    body_sha: str


@dataclass(frozen=True, slots=True)
class StoredEdition:
    key: str
    files: dict[str, tuple[int, int]]  # name -> (size, mtime_ns) as written
    summary: dict[str, Any]  # what the closing line of a run says about it
    written_at: datetime


@dataclass(frozen=True, slots=True)
class PublishedEdition:
    """An edition that went out: its window of items, when its draft was made (items first
    seen later were not in it), when and how it went out."""

    label: str
    start: datetime  # the first day its feed items could be from (it rolled skipped weeks in)
    end: datetime
    made_at: datetime
    published_at: datetime
    how: str  # "send", "publish", or "upgrade" (made before editions had to be published)
    out_dir: str | None = None
    recipients: int | None = None
    items: int = 0


@dataclass(frozen=True, slots=True)
class ParsedCopy:
    articles: list[Article]
    warnings: tuple[str, ...]  # what parsing the body warned of (items skipped, a cut)


@dataclass(frozen=True, slots=True)
class SendEntry:
    address: str  # case-folded
    status: str  # "sent", "refused", or "unknown" (the connection was lost during DATA)
    message_id: str | None
    at: datetime
    detail: str | None


@dataclass(frozen=True, slots=True)
class PublishOutcome:
    done: bool
    again: datetime | None = None  # the label was published already, then
    taken: dict[str, str] | None = None  # item title -> the published edition holding it


def published_edition(row: Sequence[Any]) -> PublishedEdition:
    """A row of `periods` (State.published's query) as a PublishedEdition."""
    label, start, end, published_at, made_at, how, out_dir, recipients, items = row
    return PublishedEdition(
        label, dt(start), dt(end), dt(made_at or published_at), dt(published_at),
        how or "upgrade", out_dir, recipients, items,
    )  # fmt: skip
