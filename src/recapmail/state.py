"""The seen-state: one SQLite file that remembers what earlier runs fetched, saw and sent.
Its caches (HTTP bodies, parsed feeds, highlights, output folders) are in state_cache.py;
here is the record, which cannot be made again:

- `seen`: when each item key was first met (local recaps go out after they appear; undated feed
  items are dated by it);
- `periods`, `sent` and `sent_articles`: the published editions (digest.py and editions.py):
  which item went out in which edition, and a copy of each article as it went out, so an item
  is never in two published editions and a published edition made again is what went out.
  Making an edition writes none of them: only publishing does;
- `send_log`: per edition and recipient, what the last send did;
- `meta`: the generation, counted up by every write that can change which items a period
  gets (a new item seen, an edition published): part of an edition's key.

WAL and one transaction per write keep it safe against a second run and against SIGKILL: a
killed run leaves the state as it was before a write or after it. A run that finds another
one writing waits LOCK_WAIT seconds, then stops with one line (state_fault).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from recapmail.model import Article
from recapmail.serialize import article_from_dict as article_from_dict
from recapmail.serialize import article_from_json, article_to_json
from recapmail.state_cache import CacheTables
from recapmail.state_file import (
    LOCK_WAIT,
    SCHEMA_VERSION,
    StateError,
    check_kind,
    create,
    read_only_copy,
    state_fault,
    upgrade,
)
from recapmail.state_file import dt as _dt
from recapmail.state_file import iso as _iso
from recapmail.state_file import peek_published as peek_published
from recapmail.state_records import (
    CachedResponse,
    ParsedCopy,
    PublishedEdition,
    PublishOutcome,
    SendEntry,
    StoredEdition,
    Validators,
    published_edition,
)

__all__ = [
    "CachedResponse", "ParsedCopy", "PublishOutcome", "PublishedEdition", "SendEntry", "State",
    "StateError", "StoredEdition", "Validators",
]  # fmt: skip

STATE_NAME = "state.sqlite3"


class State(CacheTables):
    """The state file: the caches (state_cache.py) and the record of what went out."""

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
        check_kind(path)
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
        return [published_edition(r) for r in rows]

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
