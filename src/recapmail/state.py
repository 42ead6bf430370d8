"""The seen-state: one SQLite file that remembers what earlier runs fetched, saw and sent.

- `http`: per URL, the validators (ETag, Last-Modified) for conditional GET and the last good
  body (zlib), so a 304 and `--offline` both have something to parse;
- `seen`: when each item key was first met (local recaps go out after they appear; undated feed
  items are dated by it);
- `periods`, `sent` and `sent_articles`: the published editions (digest.py and editions.py):
  which item went out in which edition, and a copy of each article as it went out, so an item
  is never in two published editions and a published edition made again is what went out.
  Making an edition writes none of them: only publishing does;
- `highlights`: extracted highlights by a hash of the article and of the highlighter's version
  (digest.py makes the key), so a second run extracts nothing again. Unused for
  HIGHLIGHTS_KEEP_DAYS, an entry is dropped;
- `editions`: per output folder, the key of what it was made from and its files' sizes and
  times (uptodate.py), so a run with nothing new stops after the conditional GETs;
- `meta`: the generation, counted up by every write that can change which items a period
  gets (a new item seen, an edition published): part of an edition's key.

WAL and one transaction per write keep it safe against a second run and against SIGKILL: a
killed run leaves the state as it was before a write or after it. A run that finds another
one writing waits LOCK_WAIT seconds, then stops with one line (state_fault).
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from recapmail.model import Article
from recapmail.serialize import TO_JSON, article_from_json, article_to_json, encode_parsed
from recapmail.serialize import article_from_dict as article_from_dict
from recapmail.state_file import (
    LOCK_WAIT,
    SCHEMA_VERSION,
    StateError,
    body_sha,
    create,
    read_only_copy,
    state_fault,
    upgrade,
)
from recapmail.state_file import dt as _dt
from recapmail.state_file import iso as _iso
from recapmail.state_file import peek_published as peek_published

STATE_NAME = "state.sqlite3"
_CHUNK = 500  # keys per IN (...) query, under SQLite's variable limit
HIGHLIGHTS_KEEP_DAYS = 90


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


class State:
    def __init__(self, conn: sqlite3.Connection, path: Path, *, read_only: bool = False) -> None:
        self._conn = conn
        self.path = path
        self.read_only = read_only
        self.own_bumps = 0  # generations this connection added (see `generation`)

    @staticmethod
    def location(path: Path | None) -> Path:
        """The state file: `path` when given, else the one in the user data folder."""
        if path is not None:
            return path
        from platformdirs import user_data_path

        return user_data_path("recapmail") / STATE_NAME

    @classmethod
    def open(cls, path: Path | None, *, read_only: bool = False) -> State:
        """The state at `path` (else the user data folder's), created if absent. `read_only`
        (the preview): nothing is ever written, and an absent file stays absent."""
        path = cls.location(path)
        where = f"state file {path}"
        try:
            if path.is_file() and path.stat().st_size == 0:
                raise StateError(
                    f"{where} is empty: the record of what went out is gone; restore it from a "
                    "backup, or delete it to start again (every item will then be new)"
                )
            if read_only:
                return cls(read_only_copy(path), path, read_only=True)
            if not path.exists():
                create(path)
            conn = sqlite3.connect(path, timeout=LOCK_WAIT, isolation_level=None)
            conn.execute(f"PRAGMA busy_timeout={int(LOCK_WAIT * 1000)}")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StateError(
                    f"{where} was written by a newer recapmail; upgrade recapmail "
                    "(pip install -U recapmail), or set RECAPMAIL_STATE to use another state"
                )
            if version < SCHEMA_VERSION:
                upgrade(conn, version)
        except sqlite3.DatabaseError as exc:
            raise state_fault(exc, path) from None
        except OSError as exc:
            raise StateError(f"{where}: cannot create it ({exc.strerror})") from None
        return cls(conn, path)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> State:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: a concurrent run waits (LOCK_WAIT) instead of failing
        mid-way. A read-only state (the preview) takes the writes into a transaction it
        rolls back, so they change nothing."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("ROLLBACK" if self.read_only else "COMMIT")
        except sqlite3.DatabaseError as exc:
            raise state_fault(exc, self.path) from None

    # -- HTTP cache --------------------------------------------------------------------

    def cached(self, url: str) -> CachedResponse | None:
        row = self._conn.execute(
            "SELECT etag, last_modified, body, content_type, final_url, fetched_at, checked_at, "
            "body_sha FROM http WHERE url = ?",
            (url,),
        ).fetchone()
        if row is None or row[2] is None:
            return None
        try:
            body = zlib.decompress(row[2])
        except zlib.error:
            return None
        return CachedResponse(
            url,
            row[0],
            row[1],
            body,
            row[3],
            row[4],
            _dt(row[5]),
            _dt(row[6]),
            row[7] or body_sha(body),
        )

    def validators(self) -> dict[str, Validators]:
        """Every cached URL's validators, in one query that reads no body (a run whose feeds
        all answer 304 needs nothing more)."""
        found = {}
        rows = self._conn.execute(
            "SELECT url, etag, last_modified, checked_at, body_sha FROM http WHERE body IS NOT NULL"
        ).fetchall()
        for url, etag, modified, checked_at, sha in rows:
            if sha is not None:  # None: its body was unreadable when the hashes were added
                found[url] = Validators(etag, modified, _dt(checked_at), sha)
        return found

    def store_response(
        self,
        url: str,
        *,
        body: bytes,
        etag: str | None,
        last_modified: str | None,
        content_type: str | None = None,
        final_url: str | None = None,
        now: datetime | None = None,
    ) -> None:
        stamp = _iso(now)
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO http VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (url, etag, last_modified, zlib.compress(body, 1), content_type, final_url,
                 stamp, stamp, body_sha(body)),
            )  # fmt: skip

    def touch(self, urls: Iterable[str], now: datetime | None = None) -> None:
        """304s: the cached bodies are still current. One transaction for them all."""
        stamp = _iso(now)
        with self._write() as db:
            db.executemany(
                "UPDATE http SET checked_at = ? WHERE url = ?", ((stamp, url) for url in urls)
            )

    # -- parsed feeds: a 304 costs no parsing ----------------------------------------------

    def parsed(self, url: str, sha: str, version: int) -> ParsedCopy | None:
        """The articles parsed from exactly the body of this hash (body_sha) by this parser
        version, and the warnings parsing gave, if kept."""
        row = self._conn.execute(
            "SELECT articles FROM parsed WHERE url = ? AND body_sha = ? AND version = ?",
            (url, sha, version),
        ).fetchone()
        if row is None:
            return None
        try:
            data = json.loads(zlib.decompress(row[0]))
            return ParsedCopy(
                [article_from_dict(d) for d in data["articles"]],
                tuple(str(w) for w in data["warnings"]),
            )
        except (zlib.error, ValueError, TypeError, KeyError):
            return None

    def store_parsed(
        self,
        url: str,
        sha: str,
        version: int,
        articles: Sequence[Article] | bytes,
        warnings: Sequence[str] = (),
    ) -> None:
        """`articles` may come already encoded by encode_parsed (e.g. by a parsing process,
        warnings included)."""
        blob = articles if isinstance(articles, bytes) else encode_parsed(articles, warnings)
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO parsed VALUES (?, ?, ?, ?)",
                (url, sha, version, blob),
            )

    # -- highlights cache ------------------------------------------------------------------

    def cached_highlights(self, keys: Iterable[str]) -> dict[str, str]:
        """key -> stored highlights (highlights_to_json), for the keys that are stored."""
        return dict(self._select(self._conn, "SELECT key, data FROM highlights WHERE key IN", keys))

    def store_highlights(
        self, new: Mapping[str, str], used: Iterable[str], now: datetime | None = None
    ) -> None:
        """Keep the `new` entries, mark the `used` ones as used now and drop long-unused ones.
        Two runs storing the same key store the same text: the last one wins, harmlessly."""
        stamp = _iso(now)
        stale = _iso((now or datetime.now(UTC)) - timedelta(days=HIGHLIGHTS_KEEP_DAYS))
        with self._write() as db:
            db.executemany(
                "INSERT OR REPLACE INTO highlights VALUES (?, ?, ?)",
                ((key, data, stamp) for key, data in new.items()),
            )
            db.executemany(
                "UPDATE highlights SET used_at = ? WHERE key = ?",
                ((stamp, key) for key in dict.fromkeys(used) if key not in new),
            )
            db.execute("DELETE FROM highlights WHERE used_at < ?", (stale,))

    # -- first seen --------------------------------------------------------------------

    def first_seen(
        self, items: Sequence[Sequence[str]], now: datetime | None = None
    ) -> list[datetime]:
        """For each item (its identity keys), when any of its keys was first met; new keys are
        remembered as met `now`."""
        stamp = _iso(now)
        all_keys = list(dict.fromkeys(k for keys in items for k in keys))
        with self._write() as db:
            added = db.executemany(
                "INSERT OR IGNORE INTO seen VALUES (?, ?)", ((k, stamp) for k in all_keys)
            ).rowcount
            if added > 0:
                self._bump(db)
            if added == len(all_keys):  # all new (a first run): nothing to read back
                return [_dt(stamp)] * len(items)
            known = dict(
                self._select(db, "SELECT key, first_seen FROM seen WHERE key IN", all_keys)
            )
        return [_dt(min((known[k] for k in keys if k in known), default=stamp)) for keys in items]

    # -- published editions ------------------------------------------------------------

    def published(self) -> list[PublishedEdition]:
        """Every published edition, oldest period first."""
        rows = self._conn.execute(
            'SELECT label, start, "end", recorded_at, made_at, how, out_dir, recipients, '
            "(SELECT COUNT(*) FROM sent_articles a WHERE a.label = p.label) "
            "FROM periods p ORDER BY start, label"
        ).fetchall()
        return [_published_edition(r) for r in rows]

    def published_labels(self, keys: Iterable[str]) -> dict[str, str]:
        """key -> label of the published edition that held it, for the keys that went out."""
        return dict(self._select(self._conn, "SELECT key, label FROM sent WHERE key IN", keys))

    def published_articles(self, label: str) -> list[Article]:
        """The articles a published edition held, in its order, as they were then."""
        rows = self._conn.execute(
            "SELECT article FROM sent_articles WHERE label = ? ORDER BY position", (label,)
        ).fetchall()
        return [article_from_json(r[0]) for r in rows]

    def publish(
        self,
        edition: PublishedEdition,
        items: Sequence[tuple[Sequence[str], Article]],
    ) -> PublishOutcome:
        """Record in one transaction that `edition` went out holding `items`. Nothing is
        written when the label is published already (`again`), or when another published
        edition holds one of the items (`taken`: title -> that edition's label)."""
        with self._write() as db:
            row = db.execute(
                "SELECT recorded_at FROM periods WHERE label = ?", (edition.label,)
            ).fetchone()
            if row is not None:
                return PublishOutcome(False, again=_dt(row[0]))
            keys = [k for item_keys, _ in items for k in item_keys]
            owners = dict(self._select(db, "SELECT key, label FROM sent WHERE key IN", keys))
            taken = {
                article.title or article.url or article.source: owners[k]
                for item_keys, article in items
                for k in item_keys
                if k in owners
            }
            if taken:
                return PublishOutcome(False, taken=taken)
            self._bump(db)
            db.execute(
                "INSERT INTO periods (label, start, \"end\", recorded_at, made_at, how, out_dir, "
                "recipients) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (edition.label, _iso(edition.start), _iso(edition.end), _iso(edition.published_at),
                 _iso(edition.made_at), edition.how, edition.out_dir, edition.recipients),
            )  # fmt: skip
            db.executemany(
                "INSERT OR IGNORE INTO sent VALUES (?, ?)",
                ((key, edition.label) for item_keys, _ in items for key in item_keys),
            )
            db.executemany(
                "INSERT INTO sent_articles VALUES (?, ?, ?)",
                ((edition.label, i, article_to_json(a)) for i, (_, a) in enumerate(items)),
            )
        return PublishOutcome(True)

    # -- the send log ------------------------------------------------------------------

    def send_log(self, label: str) -> dict[str, SendEntry]:
        """address (case-folded) -> what the last send of `label` to it did."""
        rows = self._conn.execute(
            "SELECT address, status, message_id, at, detail FROM send_log WHERE label = ?",
            (label,),
        ).fetchall()
        return {r[0]: SendEntry(r[0], r[1], r[2], _dt(r[3]), r[4]) for r in rows}

    def log_send(
        self,
        label: str,
        address: str,
        status: str,
        message_id: str | None = None,
        detail: str | None = None,
        now: datetime | None = None,
    ) -> None:
        """Record `status` ("sent", "refused" or "unknown") for one recipient of `label`; one
        transaction each, so a killed send leaves every message it handed over recorded."""
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO send_log VALUES (?, ?, ?, ?, ?, ?)",
                (label, address.casefold(), status, message_id, _iso(now), detail),
            )

    def unpublish(self, label: str) -> None:
        """Forget a publication that did not happen after all (a send that reached no one)."""
        with self._write() as db:
            self._bump(db)
            for table in ("sent", "sent_articles", "periods"):
                db.execute(f"DELETE FROM {table} WHERE label = ?", (label,))

    def set_recipients(self, label: str, count: int) -> None:
        with self._write() as db:
            db.execute("UPDATE periods SET recipients = ? WHERE label = ?", (count, label))

    # -- generations and editions ------------------------------------------------------

    def generation(self) -> int:
        row = self._conn.execute("SELECT value FROM meta WHERE name = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def _bump(self, db: sqlite3.Connection) -> None:
        db.execute(
            "INSERT INTO meta VALUES ('generation', 1) "
            "ON CONFLICT (name) DO UPDATE SET value = value + 1"
        )
        self.own_bumps += 1

    def edition(self, out_dir: Path) -> StoredEdition | None:
        row = self._conn.execute(
            "SELECT key, files, summary, written_at FROM editions WHERE out_dir = ?",
            (str(out_dir),),
        ).fetchone()
        if row is None:
            return None
        try:
            files = {str(k): (int(v[0]), int(v[1])) for k, v in json.loads(row[1]).items()}
            return StoredEdition(row[0], files, dict(json.loads(row[2])), _dt(row[3]))
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            return None  # unreadable: the edition is simply made again

    def store_edition(
        self,
        out_dir: Path,
        key: str | None,
        files: Mapping[str, tuple[int, int]] | None = None,
        summary: Mapping[str, Any] | None = None,
        now: datetime | None = None,
    ) -> None:
        """Remember what `out_dir` was made from; a None key forgets it (made by a run whose
        output may differ from a clean re-run's, e.g. one with failed sources)."""
        with self._write() as db:
            if key is None:
                db.execute("DELETE FROM editions WHERE out_dir = ?", (str(out_dir),))
                return
            db.execute(
                "INSERT OR REPLACE INTO editions VALUES (?, ?, ?, ?, ?)",
                (str(out_dir), key, TO_JSON(dict(files or {})), TO_JSON(dict(summary or {})),
                 _iso(now)),
            )  # fmt: skip

    @staticmethod
    def _select(db: sqlite3.Connection, query: str, keys: Iterable[str]) -> Iterator[Any]:
        unique = list(dict.fromkeys(keys))
        for i in range(0, len(unique), _CHUNK):
            chunk = unique[i : i + _CHUNK]
            yield from db.execute(f"{query} ({','.join('?' * len(chunk))})", chunk)


def _published_edition(row: Sequence[Any]) -> PublishedEdition:
    label, start, end, published_at, made_at, how, out_dir, recipients, items = row
    return PublishedEdition(
        label, _dt(start), _dt(end), _dt(made_at or published_at), _dt(published_at),
        how or "upgrade", out_dir, recipients, items,
    )  # fmt: skip
