"""The state's caches: what a run can always do again, kept so that it need not. state.py
holds the record of what went out, on the same connection (State is a CacheTables).

- `http`: per URL, the validators (ETag, Last-Modified) for conditional GET and the last good
  body (zlib), so a 304 and `--offline` both have something to parse;
- `parsed`: the articles parsed from one body by one parser version, so a 304 costs no parsing;
- `highlights`: extracted highlights by a hash of the article and of the highlighter's version
  (digest.py makes the key), so a second run extracts nothing again. Unused for
  HIGHLIGHTS_KEEP_DAYS, an entry is dropped;
- `editions`: per output folder, the key of what it was made from and its files' sizes and
  times (uptodate.py), so a run with nothing new stops after the conditional GETs.
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from recapmail.model import Article
from recapmail.serialize import (
    decode_edition_record,
    decode_parsed,
    encode_edition_record,
    encode_parsed,
)
from recapmail.state_file import body_sha, state_fault
from recapmail.state_file import dt as _dt
from recapmail.state_file import iso as _iso
from recapmail.state_records import CachedResponse, ParsedCopy, StoredEdition, Validators

_CHUNK = 500  # keys per IN (...) query, under SQLite's variable limit
HIGHLIGHTS_KEEP_DAYS = 90


class CacheTables:
    """One connection to the state, its writes one transaction each, and the caches in it."""

    def __init__(self, conn: sqlite3.Connection, path: Path, *, read_only: bool = False) -> None:
        self._conn = conn
        self.path = path
        self.read_only = read_only
        self.own_bumps = 0  # generations this connection added (see `generation`)

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

    def parsed(self, url: str, sha: str, version: str) -> ParsedCopy | None:
        """The articles parsed from exactly the body of this hash (body_sha) by this parser
        version, and the warnings parsing gave, if kept."""
        row = self._conn.execute(
            "SELECT articles FROM parsed WHERE url = ? AND body_sha = ? AND version = ?",
            (url, sha, version),
        ).fetchone()
        decoded = decode_parsed(row[0]) if row is not None else None
        return ParsedCopy(*decoded) if decoded is not None else None

    def store_parsed(
        self,
        url: str,
        sha: str,
        version: str,
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

    # -- output folders (uptodate.py) ------------------------------------------------------

    def edition(self, out_dir: Path) -> StoredEdition | None:
        row = self._conn.execute(
            "SELECT key, files, summary, written_at FROM editions WHERE out_dir = ?",
            (str(out_dir),),
        ).fetchone()
        decoded = decode_edition_record(row[1], row[2]) if row is not None else None
        if decoded is None:  # none, or unreadable: the edition is simply made again
            return None
        return StoredEdition(row[0], *decoded, written_at=_dt(row[3]))

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
                (str(out_dir), key, *encode_edition_record(files, summary), _iso(now)),
            )

    @staticmethod
    def _select(db: sqlite3.Connection, query: str, keys: Iterable[str]) -> Iterator[Any]:
        unique = list(dict.fromkeys(keys))
        for i in range(0, len(unique), _CHUNK):
            chunk = unique[i : i + _CHUNK]
            yield from db.execute(f"{query} ({','.join('?' * len(chunk))})", chunk)
