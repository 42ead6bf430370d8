"""What makes two items one: the identity keys an item is published under, and the title key
that matches one story told twice (dedupe in digest.py)."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from recapmail.model import Article
from recapmail.sources.files import shown
from recapmail.text import fold
from recapmail.urls import untranslated_key, url_key

_NON_WORD = re.compile(r"[\W_]+")


def identity_keys(article: Article) -> tuple[str, ...]:
    """What identifies an item across feeds, files and runs. A GUID that is not globally
    unique (JSON Feed ids such as "1") only counts inside its own feed. A link under a
    language folder ("/fr/post/x") also stands for the article it translates ("/post/x")."""
    keys = []
    if article.guid:
        guid = article.guid.strip()
        global_id = ":" in guid and len(guid) > 12
        keys.append(f"g:{guid}" if global_id else f"g:{article.feed}|{guid}")
    if article.url:
        keys.append(f"u:{url_key(article.url)}")
        untranslated = untranslated_key(article.url)
        if untranslated:
            keys.append(f"u:{untranslated}")
    if article.kind == "file":
        keys.append(f"p:{shown(Path(article.source).expanduser().resolve())}")
    # A recap moved or renamed (a checkout elsewhere), a site moved to a new domain (new GUIDs
    # and links at once) stays the item that went out: same title, same day.
    titled = title_day_key(article.title, article.published)
    if titled:
        keys.append(titled)
    if not keys:
        keys.append(f"s:{article.feed}|{article.source}")
    return tuple(keys)


def title_day_key(title: str | None, published: datetime | None) -> str | None:
    """The key of a title (title_key) on a day (UTC), if the item has both."""
    plain = title_key(title)
    if not plain or published is None:
        return None
    return f"t:{plain}|{published.astimezone(UTC).date().isoformat()}"


def published_keys(keys: Sequence[str]) -> tuple[str, ...]:
    """The keys to look up among what went out: `keys`, and for a title key the day before
    and after too (a site moved may give its posts' dates at midnight, in its own zone)."""
    extra = [
        f"{title}|{day}"
        for key in keys
        if key.startswith("t:")
        for title, _, on in (key.rpartition("|"),)
        for day in _next_days(on)
    ]
    return (*keys, *extra) if extra else tuple(keys)


@functools.lru_cache(maxsize=1 << 12)  # a run's items share a few hundred days
def _next_days(day: str) -> tuple[str, ...]:
    try:
        when = date.fromisoformat(day)
    except ValueError:
        return ()
    return (str(when - timedelta(days=1)), str(when + timedelta(days=1)))


@functools.lru_cache(maxsize=1 << 15)  # a re-run meets each title twice: fed and stored
def title_key(title: str | None) -> str | None:
    """Case, accents and punctuation ignored; short titles ("Update") are too common to match."""
    if not title:
        return None
    plain = fold(title.casefold(), ligatures=False)  # as the keys in the state were made
    words = _NON_WORD.sub(" ", plain).split()
    if len(words) < 3 or sum(map(len, words)) < 12:
        return None
    return " ".join(words)
