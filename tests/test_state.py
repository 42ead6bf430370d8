"""The SQLite seen-state: HTTP cache, first seen, sent items, safety."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from recapmail.identity import identity_keys
from recapmail.model import Article, Period
from recapmail.state import PublishedEdition, State, StateError
from recapmail.state_file import body_sha

NOW = datetime(2026, 11, 23, 8, tzinfo=UTC)
W47 = Period(datetime(2026, 11, 15, 23, tzinfo=UTC), datetime(2026, 11, 22, 23, tzinfo=UTC),
             "2026-W47")  # fmt: skip


def test_http_cache_round_trip(tmp_path: Path) -> None:
    with State.open(tmp_path / "s.db") as state:
        assert state.cached("https://a.example/feed") is None
        body = b"<rss>" + "é".encode() * 10_000
        state.store_response("https://a.example/feed", body=body, etag='"v1"',
                             last_modified="Wed, 18 Nov 2026 10:00:00 GMT", now=NOW)  # fmt: skip
    with State.open(tmp_path / "s.db") as state:
        copy = state.cached("https://a.example/feed")
        assert copy is not None
        assert copy.body == body and copy.etag == '"v1"' and copy.fetched_at == NOW
    stored = sqlite3.connect(tmp_path / "s.db").execute("SELECT length(body) FROM http").fetchone()
    assert stored[0] < len(body) / 10  # bodies are kept compressed


def test_validators_come_without_reading_bodies(tmp_path: Path) -> None:
    with State.open(tmp_path / "s.db") as state:
        state.store_response("https://a.example/feed", body=b"<rss>a</rss>", etag='"a"',
                             last_modified=None, now=NOW)  # fmt: skip
        state.store_response("https://b.example/feed", body=b"<rss>b</rss>", etag=None,
                             last_modified="Wed, 18 Nov 2026 10:00:00 GMT", now=NOW)  # fmt: skip
        held = state.validators()
    assert set(held) == {"https://a.example/feed", "https://b.example/feed"}
    a = held["https://a.example/feed"]
    assert (a.etag, a.last_modified, a.checked_at) == ('"a"', None, NOW)
    assert a.body_sha == body_sha(b"<rss>a</rss>")


@pytest.mark.parametrize("version", [1, 0])  # 0: tables made, then the run was killed
def test_a_state_of_the_first_schema_is_upgraded_in_place(tmp_path: Path, version: int) -> None:
    """Schema 1 kept no body hashes: the column is added and filled in for the cached rows."""
    path = tmp_path / "s.db"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE http (url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, body BLOB, "
        "content_type TEXT, final_url TEXT, fetched_at TEXT NOT NULL, checked_at TEXT NOT NULL);"
        f"PRAGMA user_version={version};"
    )
    stamp = NOW.isoformat()
    row = ("https://a.example/feed", '"v1"', zlib.compress(b"<rss/>"), stamp, stamp)
    old.execute("INSERT INTO http VALUES (?, ?, NULL, ?, NULL, NULL, ?, ?)", row)
    old.commit()
    old.close()
    with State.open(path) as state:
        stored = sqlite3.connect(path).execute("SELECT body_sha FROM http").fetchall()
        assert stored == [(body_sha(b"<rss/>"),)]  # hashed once, not on every read
        assert state.validators()["https://a.example/feed"].body_sha == body_sha(b"<rss/>")
        state.store_response("https://b.example/feed", body=b"<rss>b</rss>", etag=None,
                             last_modified=None, now=NOW)  # fmt: skip
        copy = state.cached("https://b.example/feed")
        assert copy is not None and copy.body_sha == body_sha(b"<rss>b</rss>")
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 5
    sqlite3.connect(path).execute("PRAGMA user_version=1").connection.commit()
    with State.open(path) as state:  # as a second run upgrading the same file at once would
        assert "https://b.example/feed" in state.validators()


def test_first_seen_is_remembered_per_key(tmp_path: Path) -> None:
    with State.open(tmp_path / "s.db") as state:
        first = state.first_seen([("u:a",), ("u:b", "g:b")], NOW)
        assert first == [NOW, NOW]
        later = state.first_seen([("u:a",), ("g:b", "u:b2"), ("u:c",)], NOW + timedelta(days=3))
        assert later == [NOW, NOW, NOW + timedelta(days=3)]


def edition(label: str, start: datetime, made_at: datetime = NOW) -> PublishedEdition:
    return PublishedEdition(label, start, start + timedelta(days=7), made_at, made_at, "publish")


def test_publishing_records_items_once_and_refuses_an_item_published_elsewhere(
    tmp_path: Path,
) -> None:
    article = Article(source="https://a.example/1", body="Texte", kind="feed", title="Un",
                      published=NOW, tags=("x", "y"), feed="A")  # fmt: skip
    other = Article(source="https://a.example/2", body="Autre", kind="feed", title="Deux")
    with State.open(tmp_path / "s.db") as state:
        assert state.publish(edition("2026-W47", W47.start), [(("u:a.example/1",), article)]).done
        again = state.publish(edition("2026-W47", W47.start), [])
        assert not again.done and again.again == NOW  # idempotent: said, not recorded twice
        w48 = edition("2026-W48", W47.end, NOW + timedelta(days=7))
        refused = state.publish(w48, [(("u:a.example/1", "u:new"), article), (("u:2",), other)])
        assert not refused.done and refused.taken == {"Un": "2026-W47"}
        assert state.published_labels(["u:new", "u:2"]) == {}  # nothing of it was recorded
        assert state.publish(w48, [(("u:2",), other)]).done
        assert state.published_labels(["u:a.example/1", "u:2", "u:none"]) == {
            "u:a.example/1": "2026-W47",
            "u:2": "2026-W48",
        }
        assert state.published_articles("2026-W47") == [article]
        assert [(e.label, e.items, e.how) for e in state.published()] == [
            ("2026-W47", 1, "publish"),
            ("2026-W48", 1, "publish"),
        ]
        state.unpublish("2026-W48")
        assert state.published_labels(["u:2"]) == {}
        assert [e.label for e in state.published()] == ["2026-W47"]


def test_periods_of_an_older_recapmail_count_as_published(tmp_path: Path) -> None:
    """Schema 2 recorded a period when it was made: it may have gone out, so it counts."""
    path = tmp_path / "s.db"
    old = sqlite3.connect(path)
    old.executescript(
        'CREATE TABLE periods (label TEXT PRIMARY KEY, start TEXT NOT NULL, "end" TEXT NOT NULL, '
        "recorded_at TEXT NOT NULL); CREATE TABLE sent (key TEXT PRIMARY KEY, label TEXT NOT NULL);"
        "CREATE TABLE http (url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, body BLOB, "
        "content_type TEXT, final_url TEXT, fetched_at TEXT NOT NULL, checked_at TEXT NOT NULL, "
        "body_sha TEXT); PRAGMA user_version=2;"
    )
    row = ("2026-W47", W47.start.isoformat(), W47.end.isoformat(), NOW.isoformat())
    old.execute("INSERT INTO periods VALUES (?, ?, ?, ?)", row)
    old.execute("INSERT INTO sent VALUES ('u:a', '2026-W47')")
    old.commit()
    old.close()
    with State.open(path) as state:
        (published,) = state.published()
        assert (published.label, published.how, published.made_at) == ("2026-W47", "upgrade", NOW)
        assert state.published_labels(["u:a"]) == {"u:a": "2026-W47"}


def test_what_went_out_before_schema_5_gets_its_title_and_day_key(tmp_path: Path) -> None:
    """Feed items were published under their GUID and link only: the upgrade adds the title
    and day, so a site that moves after it is still matched against them."""
    path = tmp_path / "s.db"
    post = Article(source="https://a.example/1", url="https://a.example/1", body="Texte",
                   kind="feed", title="Kubernetes 1.35 arrive enfin", published=NOW)  # fmt: skip
    key = f"t:kubernetes 1 35 arrive enfin|{NOW.date().isoformat()}"
    assert key in identity_keys(post)
    with State.open(path) as state:
        assert state.publish(edition("2026-W47", W47.start), [(("u:a.example/1",), post)]).done
        assert state.published_labels([key]) == {}
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO sent_articles VALUES ('2026-W47', 1, 'not json')")
        db.execute("PRAGMA user_version=4")
    with State.open(path) as state:
        assert state.published_labels([key, "u:a.example/1"]) == {
            key: "2026-W47",
            "u:a.example/1": "2026-W47",
        }
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 5


def test_an_empty_state_file_is_said_not_taken_as_a_first_run(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    path.write_bytes(b"")
    with pytest.raises(StateError, match=r"s\.db is empty: the record of what went out is gone"):
        State.open(path)
    assert path.stat().st_size == 0  # left as it was


def test_a_state_held_by_another_run_is_waited_for_then_said(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    State.open(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with State.open(path) as state:
            state._conn.execute("PRAGMA busy_timeout=200")  # the run's wait, made short
            with pytest.raises(StateError, match="in use by another recapmail run"):
                state.first_seen([("k",)], NOW)
    finally:
        holder.execute("ROLLBACK")
    with State.open(path) as state:  # nothing lost, nothing moved aside
        assert state.first_seen([("k",)], NOW) == [NOW]


def test_a_read_only_state_is_said(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes through file permissions")
    path = tmp_path / "s.db"
    State.open(path).close()
    path.chmod(0o444)
    with State.open(path) as state, pytest.raises(StateError, match="cannot be written"):
        state.first_seen([("k",)], NOW)


def test_a_read_only_open_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with State.open(path) as state:
        state.first_seen([("before",)], NOW)
    before = path.read_bytes()
    with State.open(path, read_only=True) as state:
        assert state.first_seen([("before",), ("new",)], NOW + timedelta(days=1)) == [
            NOW,
            NOW + timedelta(days=1),
        ]
        state.store_response("https://a.example/feed", body=b"x", etag=None, last_modified=None)
    assert path.read_bytes() == before
    with State.open(path) as state:
        assert state.cached("https://a.example/feed") is None
    with State.open(tmp_path / "absent.db", read_only=True) as state:
        assert state.published() == []
    assert not (tmp_path / "absent.db").exists()


def test_a_second_state_file_from_the_future_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    State.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version=99")
    with pytest.raises(StateError, match="newer recapmail"):
        State.open(path)


def test_garbage_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StateError, match=r"s\.db is damaged .*restore it from a backup"):
        State.open(path)


def test_default_location_is_the_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with State.open(None) as state:
        assert state.path == tmp_path / "data" / "recapmail" / "state.sqlite3"


def _writer(path: str, worker: int) -> None:
    with State.open(Path(path)) as state:
        for i in range(30):
            state.first_seen([(f"k:{worker}:{i}",)], NOW)
            state.store_response(f"https://x/{worker}", body=b"x" * i, etag=None,
                                 last_modified=None)  # fmt: skip


def test_concurrent_runs_do_not_fail(tmp_path: Path) -> None:
    path = str(tmp_path / "s.db")
    State.open(Path(path)).close()
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_writer, args=(path, w)) for w in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(30)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    with State.open(Path(path)) as state:
        assert len(state.first_seen([(f"k:{w}:{i}",) for w in range(4) for i in range(30)])) == 120
        conn = sqlite3.connect(path)
        assert conn.execute("SELECT count(*) FROM seen").fetchone()[0] == 120


def _killed_mid_record(path: str) -> None:
    article = Article(source="s", body="b")
    with State.open(Path(path)) as state:
        items = [((f"k{i}",), article) for i in range(200_000)]
        state.publish(edition("2026-W47", W47.start), items)


def test_sigkill_during_a_write_leaves_the_previous_state(tmp_path: Path) -> None:
    path = str(tmp_path / "s.db")
    with State.open(Path(path)) as state:
        state.first_seen([("before",)], NOW)
    ctx = multiprocessing.get_context("fork")
    proc = ctx.Process(target=_killed_mid_record, args=(path,))
    proc.start()
    proc.join(0.3)  # the big transaction is under way
    if proc.is_alive():
        os.kill(proc.pid, signal.SIGKILL)
    proc.join(10)
    with State.open(Path(path)) as state:
        sent = state.published_labels(["k0", "k199999"])
        assert sent in ({}, {"k0": "2026-W47", "k199999": "2026-W47"})  # all or nothing
        assert state.first_seen([("before",)]) == [NOW]
        assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_parsed_feeds_are_reused_only_for_the_same_body_and_parser(tmp_path: Path) -> None:
    articles = [Article(source="https://a.example/1", body="x", kind="feed", published=NOW)]
    with State.open(tmp_path / "s.db") as state:
        v1, v2 = body_sha(b"<rss>v1</rss>"), body_sha(b"<rss>v2</rss>")
        state.store_parsed("https://a.example/feed", v1, 1, articles, ["2 items skipped"])
        copy = state.parsed("https://a.example/feed", v1, 1)
        assert copy is not None and copy.articles == articles
        assert copy.warnings == ("2 items skipped",)
        assert state.parsed("https://a.example/feed", v2, 1) is None
        assert state.parsed("https://a.example/feed", v1, 2) is None


def test_the_caches_change_with_the_code_and_the_libraries_they_depend_on() -> None:
    from recapmail.code_version import code_version, highlighter_version, parser_version

    assert parser_version() != highlighter_version()
    assert code_version("recapmail.text") != code_version("recapmail.text", libraries=("nh3",))
    assert code_version("recapmail.text", libraries=("no-such-library",)) != code_version(
        "recapmail.text"
    )
