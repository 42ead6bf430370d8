"""The state's file: its schema and upgrades, how it is created and opened read-only, and
what its faults say. state.py holds what is stored in it.

A new state is made aside and linked into place whole, so an empty file at the path is never
another run's state half-created: it is a state whose history is gone, and said so. WAL and
one transaction per write keep it safe against a second run and against SIGKILL.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import zlib
from datetime import UTC, datetime
from pathlib import Path

from recapmail.errors import RecapmailError

SCHEMA_VERSION = 5  # 2: http.body_sha; 3: periods are published editions; 4: send_log;
# 5: the title-and-day keys of what went out
_SCHEMA = """
CREATE TABLE IF NOT EXISTS http (
    url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, body BLOB, content_type TEXT,
    final_url TEXT, fetched_at TEXT NOT NULL, checked_at TEXT NOT NULL, body_sha TEXT);
CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, first_seen TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS periods (
    label TEXT PRIMARY KEY, start TEXT NOT NULL, "end" TEXT NOT NULL, recorded_at TEXT NOT NULL,
    made_at TEXT, how TEXT, out_dir TEXT, recipients INTEGER);
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
CREATE TABLE IF NOT EXISTS send_log (
    label TEXT NOT NULL, address TEXT NOT NULL, status TEXT NOT NULL, message_id TEXT,
    at TEXT NOT NULL, detail TEXT, PRIMARY KEY (label, address));
"""
LOCK_WAIT_ENV = "RECAPMAIL_LOCK_WAIT"  # seconds a run waits for another one holding the state


def _lock_wait() -> float:
    try:
        return max(float(os.environ.get(LOCK_WAIT_ENV) or 60), 0.1)
    except ValueError:
        return 60.0


LOCK_WAIT = _lock_wait()


class StateError(RecapmailError):
    """The state file cannot be opened or is not a recapmail state."""


def state_fault(exc: sqlite3.DatabaseError, path: Path) -> StateError:
    """One line saying what is wrong with the state file and what to do; never "move it
    aside", which would lose the record of what went out."""
    text = str(exc).lower()
    where = f"state file {path}"
    if "locked" in text or "busy" in text:
        return StateError(
            f"{where} is in use by another recapmail run (waited {LOCK_WAIT:.0f} s); "
            "run again once it has finished"
        )
    if "full" in text:
        return StateError(f"{where}: the disk is full; free some space and run again")
    code = getattr(exc, "sqlite_errorname", None) or "disk I/O error"
    if code.startswith("SQLITE_IOERR") or "disk i/o error" in text:
        # Not damage: the write was refused (a file-size limit, a failing disk) and rolled back.
        return StateError(
            f"{where}: the system refused a read or write ({code}); nothing was half-written. "
            "Check the disk and the file-size limit (ulimit -f), then run again"
        )
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return StateError(
            f"{where} cannot be written (read-only file or folder); "
            "fix its permissions, or set RECAPMAIL_STATE to a writable place"
        )
    return StateError(
        f"{where} is damaged or not a recapmail state ({exc}); restore it from a backup, "
        "or set RECAPMAIL_STATE to start a new one elsewhere"
    )


def check_kind(path: Path) -> None:
    """Refuse a state path that holds something other than a regular file (or nothing):
    SQLite would take a folder for a read-only file, and a FIFO or /dev/null for a failing
    disk."""
    import stat

    where = f"state file {path}"
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StateError(f"{where}: cannot look at it ({exc.strerror})") from None
    if stat.S_ISREG(mode):
        return
    found = (
        "a folder" if stat.S_ISDIR(mode)
        else "a FIFO" if stat.S_ISFIFO(mode)
        else "a socket" if stat.S_ISSOCK(mode)
        else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "not a regular file"
    )  # fmt: skip
    raise StateError(
        f"{where} is {found}, not a state file; set RECAPMAIL_STATE or [state] path to a file "
        "(it is created if absent)"
    )


def peek_published(path: Path) -> dict[str, datetime]:
    """label -> when it was published, read straight from the file without opening a State
    (the preview's index asks on every load); {} when there is no readable state."""
    from urllib.parse import quote

    if not path.is_file() or path.stat().st_size == 0:
        return {}
    try:
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=2)
        try:
            rows = conn.execute("SELECT label, recorded_at FROM periods").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return {}
    return {str(label): dt(at) for label, at in rows}


def create(path: Path) -> None:
    """A new state, made aside and linked into place whole: an empty file at `path` is then
    never a state being created by another run, always one whose history is gone."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    os.close(fd)
    try:
        conn = sqlite3.connect(name, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            upgrade(conn, 0)
        finally:
            conn.close()
        try:
            os.link(name, path)
        except FileExistsError:
            pass  # another run created it meanwhile: theirs is as good
        except OSError:  # a file system without hard links
            if not path.exists():
                Path(name).replace(path)
    finally:
        for leftover in (name, f"{name}-wal", f"{name}-shm"):
            with contextlib.suppress(OSError):
                Path(leftover).unlink()


def read_only_copy(path: Path) -> sqlite3.Connection:
    """A connection that can read `path` (or an empty state, if there is none) and whose
    writes are rolled back: a copy in memory. With no run holding the state (no -wal file),
    the file is read as immutable, so not even a -shm file is created beside it."""
    memory = sqlite3.connect(":memory:", isolation_level=None)
    if path.is_file():
        busy = Path(f"{path}-wal").exists()
        from urllib.parse import quote

        uri = f"file:{quote(str(path))}?" + ("mode=ro" if busy else "immutable=1")
        source = sqlite3.connect(uri, uri=True, timeout=LOCK_WAIT)
        try:
            if source.execute("PRAGMA user_version").fetchone()[0] > SCHEMA_VERSION:
                raise StateError(f"state file {path} was written by a newer recapmail")
            source.backup(memory)
        finally:
            source.close()
    version = memory.execute("PRAGMA user_version").fetchone()[0]
    if version < SCHEMA_VERSION:
        upgrade(memory, version)
    return memory


def upgrade(conn: sqlite3.Connection, version: int) -> None:
    """Bring a state of an older schema (or a new, empty file) to this one, in place."""
    conn.executescript(_SCHEMA)
    if version < 2:  # also a file of schema 1 left at version 0 by a killed run
        _add_body_hashes(conn)
    if version < 3:
        _add_publication_columns(conn)
    # 4: send_log, made by the CREATE TABLE IF NOT EXISTS above
    if version < 5:
        _add_item_keys(conn)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")


def _add_item_keys(conn: sqlite3.Connection) -> None:
    """Schema 4 -> 5: what went out is recorded under its title and day too (identity.py), the
    key feed items got in 5, so that a site moving to a new domain after an upgrade is matched
    against the editions published before it. Read from the stored JSON, not made into
    articles: 10,000 items a week for a year take seconds, once."""
    import json

    from recapmail.identity import title_day_key

    conn.execute("BEGIN IMMEDIATE")
    try:
        found = []
        for label, stored in conn.execute("SELECT label, article FROM sent_articles"):
            try:
                data = json.loads(stored)
                when = data.get("published")
                key = title_day_key(data.get("title"), dt(when) if when else None)
            except (ValueError, TypeError, AttributeError):
                continue  # unreadable: its old keys stand
            if key:
                found.append((key, label))
        conn.executemany("INSERT OR IGNORE INTO sent VALUES (?, ?)", found)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _add_publication_columns(conn: sqlite3.Connection) -> None:
    """Schema 2 -> 3: a period recorded by an older recapmail was recorded when it was made,
    and may have gone out: it counts as published ("upgrade"), made when it was recorded."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        have = {column[1] for column in conn.execute("PRAGMA table_info(periods)")}
        for column, kind in (("made_at", "TEXT"), ("how", "TEXT"), ("out_dir", "TEXT"),
                             ("recipients", "INTEGER")):  # fmt: skip
            if column not in have:
                conn.execute(f"ALTER TABLE periods ADD COLUMN {column} {kind}")
        conn.execute("UPDATE periods SET made_at = recorded_at, how = 'upgrade' WHERE how IS NULL")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


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


def iso(value: datetime | None) -> str:
    return (value or datetime.now(UTC)).astimezone(UTC).isoformat()


def dt(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)
