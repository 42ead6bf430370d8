"""The seen-state: one SQLite file that remembers what earlier runs fetched, saw and sent.

- `http`: per URL, the validators (ETag, Last-Modified) for conditional GET and the last good
  body (zlib), so a 304 and `--offline` both have something to parse;
- `seen`: when each item key was first met (local recaps go out after they appear; undated feed
  items are dated by it);
- `periods` and `sent`: which item went out in which period, and a copy of each sent article, so
  an item is never in two digests and re-running a period gives the same digest;
- `highlights`: extracted highlights by a hash of the article and of the highlighter's version
  (digest.py makes the key), so a second run extracts nothing again. Unused for
  HIGHLIGHTS_KEEP_DAYS, an entry is dropped;
- `editions`: per output folder, the key of what it was made from and its files' sizes and
  times (uptodate.py), so a run with nothing new stops after the conditional GETs;
- `meta`: the generation, counted up by every write that can change which items a period
  gets (a new item seen, a period recorded): part of an edition's key.

WAL and one transaction per write keep it safe against a second run and against SIGKILL.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from recapmail.errors import RecapmailError
from recapmail.model import Article, Figure, Highlights, Period

STATE_NAME = "state.sqlite3"
_SCHEMA_VERSION = 2  # 2: http.body_sha
_SCHEMA = """
CREATE TABLE IF NOT EXISTS http (
    url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, body BLOB, content_type TEXT,
    final_url TEXT, fetched_at TEXT NOT NULL, checked_at TEXT NOT NULL, body_sha TEXT);
CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, first_seen TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS periods (
    label TEXT PRIMARY KEY, start TEXT NOT NULL, "end" TEXT NOT NULL, recorded_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sent (key TEXT PRIMARY KEY, label TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS parsed (
    url TEXT PRIMARY KEY, body_sha TEXT NOT NULL, version INTEGER NOT NULL, articles BLOB);
CREATE TABLE IF NOT EXISTS sent_articles (
    label TEXT NOT NULL, position INTEGER NOT NULL, article TEXT NOT NULL,
    PRIMARY KEY (label, position));
CREATE TABLE IF NOT EXISTS highlights (key TEXT PRIMARY KEY, data TEXT NOT NULL,
    used_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS editions (
    out_dir TEXT PRIMARY KEY, key TEXT NOT NULL, files TEXT NOT NULL, summary TEXT NOT NULL,
    written_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""
_ARTICLE_FIELDS = tuple(f.name for f in fields(Article))
_CHUNK = 500  # keys per IN (...) query, under SQLite's variable limit
HIGHLIGHTS_KEEP_DAYS = 90
_TO_JSON = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(**options) builds one a call


class StateError(RecapmailError):
    """The state file cannot be opened or is not a recapmail state."""


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
class RecordedPeriod:
    label: str
    start: datetime
    end: datetime
    recorded_at: datetime


class State:
    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self.own_bumps = 0  # generations this connection added (see `generation`)

    @staticmethod
    def location(path: Path | None) -> Path:
        """The state file: `path` when given, else the one in the user data folder."""
        if path is not None:
            return path
        from platformdirs import user_data_path

        return user_data_path("recapmail") / STATE_NAME

    @classmethod
    def open(cls, path: Path | None) -> State:
        path = cls.location(path)
        where = f"state file {path}"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > _SCHEMA_VERSION:
                raise StateError(
                    f"{where} was written by a newer recapmail; upgrade, or set RECAPMAIL_STATE"
                )
            conn.executescript(_SCHEMA)
            if version < 2:  # also a file of schema 1 left at version 0 by a killed run
                _add_body_hashes(conn)
            conn.execute(f"PRAGMA user_version={_SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise StateError(
                f"{where}: {exc}; move it aside (a new one is created) or set RECAPMAIL_STATE"
            ) from None
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
        """One IMMEDIATE transaction: a concurrent run waits instead of failing mid-way."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

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

    def parsed(self, url: str, sha: str, version: int) -> list[Article] | None:
        """The articles parsed from exactly the body of this hash (body_sha) by this parser
        version, if kept."""
        row = self._conn.execute(
            "SELECT articles FROM parsed WHERE url = ? AND body_sha = ? AND version = ?",
            (url, sha, version),
        ).fetchone()
        if row is None:
            return None
        try:
            return [article_from_dict(d) for d in json.loads(zlib.decompress(row[0]))]
        except (zlib.error, ValueError, TypeError, KeyError):
            return None

    def store_parsed(
        self, url: str, sha: str, version: int, articles: Sequence[Article] | bytes
    ) -> None:
        """`articles` may come already encoded by encode_parsed (e.g. by a parsing process)."""
        blob = articles if isinstance(articles, bytes) else encode_parsed(articles)
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

    # -- periods and sent items --------------------------------------------------------

    def periods(self) -> list[RecordedPeriod]:
        rows = self._conn.execute(
            'SELECT label, start, "end", recorded_at FROM periods ORDER BY start'
        ).fetchall()
        return [RecordedPeriod(r[0], _dt(r[1]), _dt(r[2]), _dt(r[3])) for r in rows]

    def sent_labels(self, keys: Iterable[str]) -> dict[str, str]:
        """key -> label of the period it went out in, for the keys that went out."""
        return dict(self._select(self._conn, "SELECT key, label FROM sent WHERE key IN", keys))

    def recorded_articles(self, label: str) -> list[Article]:
        rows = self._conn.execute(
            "SELECT article FROM sent_articles WHERE label = ? ORDER BY position", (label,)
        ).fetchall()
        return [article_from_json(r[0]) for r in rows]

    def record(
        self,
        period: Period,
        items: Sequence[tuple[Sequence[str], Article]],
        now: datetime | None = None,
    ) -> None:
        """Remember that these items went out in `period`. A key already sent elsewhere keeps
        its first period (two concurrent runs cannot send one item twice)."""
        with self._write() as db:
            self._bump(db)
            db.execute(
                "INSERT OR IGNORE INTO periods VALUES (?, ?, ?, ?)",
                (period.label, _iso(period.start), _iso(period.end), _iso(now)),
            )
            db.executemany(
                "INSERT OR IGNORE INTO sent VALUES (?, ?)",
                ((key, period.label) for keys, _ in items for key in keys),
            )
            db.execute("DELETE FROM sent_articles WHERE label = ?", (period.label,))
            db.executemany(
                "INSERT INTO sent_articles VALUES (?, ?, ?)",
                ((period.label, i, article_to_json(a)) for i, (_, a) in enumerate(items)),
            )

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
                (str(out_dir), key, _TO_JSON(dict(files or {})), _TO_JSON(dict(summary or {})),
                 _iso(now)),
            )  # fmt: skip

    @staticmethod
    def _select(db: sqlite3.Connection, query: str, keys: Iterable[str]) -> Iterator[Any]:
        unique = list(dict.fromkeys(keys))
        for i in range(0, len(unique), _CHUNK):
            chunk = unique[i : i + _CHUNK]
            yield from db.execute(f"{query} ({','.join('?' * len(chunk))})", chunk)


def encode_parsed(articles: Sequence[Article]) -> bytes:
    """The articles of one feed body as State.store_parsed keeps them."""
    return zlib.compress(_TO_JSON([article_dict(a) for a in articles]).encode(), 1)


def article_dict(article: Article) -> dict[str, Any]:
    data = {name: getattr(article, name) for name in _ARTICLE_FIELDS}  # asdict: 10x slower
    data["tags"] = list(article.tags)
    for key in ("published", "first_seen"):
        data[key] = data[key].isoformat() if data[key] else None
    return data


def article_from_dict(data: dict[str, Any]) -> Article:
    for key in ("published", "first_seen"):
        data[key] = _dt(data[key]) if data.get(key) else None
    data["tags"] = tuple(data.get("tags") or ())
    return Article(**data)


def article_to_json(article: Article) -> str:
    return _TO_JSON(article_dict(article))


def article_from_json(text: str) -> Article:
    return article_from_dict(json.loads(text))


def highlights_to_json(h: Highlights) -> str:
    """Everything but the article, which the reader of the cache already holds."""
    return _TO_JSON(
        {
            "title": h.title,
            "language": h.language,
            "summary": h.summary,
            "highlights": h.highlights,
            "figures": [[f.value, f.number, f.label, f.sentence] for f in h.figures],
            "keywords": h.keywords,
            "hashtags": h.hashtags,
            "links": h.links,
        }
    )


def highlights_from_json(text: str, article: Article) -> Highlights | None:
    """None when the text is not what highlights_to_json wrote (the caller extracts again)."""
    try:
        d = json.loads(text)
        return Highlights(
            article=article,
            title=str(d["title"]),
            language=str(d["language"]),
            summary=str(d["summary"]),
            highlights=tuple(map(str, d["highlights"])),
            figures=tuple(
                Figure(str(v), float(n), str(label), str(s)) for v, n, label, s in d["figures"]
            ),
            keywords=tuple(map(str, d["keywords"])),
            hashtags=tuple(map(str, d["hashtags"])),
            links=tuple(map(str, d["links"])),
        )
    except (ValueError, TypeError, KeyError):
        return None


def _add_body_hashes(conn: sqlite3.Connection) -> None:
    """Schema 1 -> 2: the http table gets each body's hash, filled in once here for the rows
    already cached. Two runs upgrading one file at once: the second finds the column there."""
    if any(column[1] == "body_sha" for column in conn.execute("PRAGMA table_info(http)")):
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        try:
            conn.execute("ALTER TABLE http ADD COLUMN body_sha TEXT")
        except sqlite3.OperationalError as exc:
            if "duplicate column" not in str(exc):
                raise
        rows = conn.execute("SELECT url, body FROM http WHERE body_sha IS NULL").fetchall()
        for url, packed in rows:
            try:
                sha = body_sha(zlib.decompress(packed)) if packed is not None else None
            except zlib.error:
                sha = None  # unreadable: read as no cached copy, as before
            conn.execute("UPDATE http SET body_sha = ? WHERE url = ?", (sha, url))
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def body_sha(body: bytes) -> str:
    import hashlib

    return hashlib.sha256(body).hexdigest()


def _iso(value: datetime | None) -> str:
    return (value or datetime.now(UTC)).astimezone(UTC).isoformat()


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)
