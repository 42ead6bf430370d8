"""Feed bodies parsed by a helper process: same articles as parsing here, and a helper that
dies costs no source."""

from __future__ import annotations

import json
import os
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from recapmail.config import Config, FetchConfig, SourceConfig
from recapmail.errors import SourceError
from recapmail.sources import collect as collect_module
from recapmail.sources.collect import collect
from recapmail.sources.feeds import parse_feed
from recapmail.sources.parsing import FeedJob, FeedParser
from recapmail.state import State
from tests.feedserver import FeedServer, feed_server, make_items, rss_feed

__all__ = ["feed_server"]
NOW = datetime(2026, 11, 23, 7, tzinfo=UTC)
BAD_JSON_FEED = b'{"version": "https://jsonfeed.org/version/1.1", "items": [{'


def _job(data: bytes) -> FeedJob:
    return FeedJob(data, "https://h.example/feed", None, "H", ("Tag",), "en")


def test_helper_and_here_read_the_same_articles(
    feed_server: FeedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feeds = [
        SourceConfig(f"Feed {n}", url=feed_server.add(f"/f/{n}.xml", rss_feed(
            make_items(8, site=f"https://s{n}.example.org", prefix=f"f{n}"))))
        for n in range(6)
    ]  # fmt: skip
    broken = SourceConfig("Broken", url=feed_server.add("/f/bad.json", BAD_JSON_FEED))
    sources = (*feeds, broken)
    cfg = Config(sources=sources, fetch=FetchConfig(timeout=2.0, deadline=5.0))
    with State.open(tmp_path / "a.db") as state:
        parallel = collect(cfg, state, offline=False, now=NOW)
    monkeypatch.setattr(collect_module, "FeedParser", lambda: FeedParser(0))
    with State.open(tmp_path / "b.db") as state:
        here = collect(cfg, state, offline=False, now=NOW)
    assert parallel.articles == here.articles and len(here.articles) == 48
    assert set(parallel.warnings) == set(here.warnings)
    assert [w.source for w in here.warnings] == ["Broken"]
    assert (parallel.fetched, here.fetched) == (6, 6)
    with State.open(tmp_path / "a.db") as state:  # what the helper encoded is read back
        offline = collect(cfg, state, offline=True, now=NOW)
    assert offline.articles == parallel.articles


def test_a_busy_helper_shares_the_work_with_this_process() -> None:
    """Past BACKLOG waiting bodies, the next one is parsed here at once (the caller would
    otherwise sit idle): every body gets the same articles wherever it was parsed."""
    parser = FeedParser(1)
    bodies = [rss_feed(make_items(40, prefix=f"b{n}")) for n in range(12)]
    try:
        futures, parsed_here = [], []
        for body in bodies:
            futures.append(parser.submit(_job(body)))
            parsed_here.append(futures[-1].done())  # only a body parsed here is done at once
        assert any(parsed_here) and not all(parsed_here)
        for future, body in zip(futures, bodies, strict=True):
            assert future.result(timeout=30) == FeedParser.here(_job(body)).result()
    finally:
        parser.close()


def test_a_dead_helper_leaves_the_parsing_here() -> None:
    parser = FeedParser(1)
    assert parser.parallel
    body = rss_feed(make_items(3))
    assert len(parser.submit(_job(body)).result(timeout=30).feed.articles) == 3
    for pid in [p.pid for p in parser._pool._processes.values()]:  # type: ignore[union-attr]
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while parser.parallel and time.monotonic() < deadline:
        try:
            parser.submit(_job(body)).result(timeout=10)
        except Exception:  # the pool notices the death on a later call
            time.sleep(0.05)
        else:
            if not parser.parallel:
                break
    assert not parser.parallel
    assert len(parser.submit(_job(body)).result().feed.articles) == 3
    with pytest.raises(SourceError):
        parser.submit(_job(b"not a feed")).result()
    parser.close()


KILLED_PARENT = """
import os, signal
from recapmail.sources.parsing import FeedJob, FeedParser
parser = FeedParser(helpers=1)
feed = b'<rss version="2.0"><channel><title>t</title></channel></rss>'
parser.submit(FeedJob(feed, "f.xml", None, "f", (), None)).result()
def parent_of(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError):
        return None
kids = [name for name in os.listdir("/proc") if name.isdigit() and parent_of(name) == os.getpid()]
print(" ".join(kids), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def _running(pid: int) -> bool:
    """Alive and not a zombie (a container's init may be slow to reap)."""
    try:
        with Path(f"/proc/{pid}/stat").open() as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_the_helper_dies_with_a_killed_parent() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", KILLED_PARENT], capture_output=True, text=True, timeout=60
    )
    children = [int(pid) for pid in done.stdout.split()]
    assert children, done.stderr
    alive = children
    for _ in range(100):  # the kernel signals the helper at once; allow a slow machine
        alive = [pid for pid in children if _running(pid)]
        if not alive:
            break
        time.sleep(0.05)
    assert alive == []


def test_json_feed_items_that_are_not_objects_are_skipped_and_counted() -> None:
    body = "Le meetup a réuni 100 participants à Lyon autour d'OpenStack."
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": 7,
        "items": [
            "a string",
            None,
            42,
            [1, 2],
            {"id": "a", "url": "https://ex.org/1", "title": "Bon", "content_text": body},
            {"id": 2, "url": 5, "title": ["x"], "content_html": {"a": 1}, "tags": "abc",
             "date_published": 7, "authors": "bob", "summary": body},
            {"id": "c", "url": {"x": 1}},
        ],
    }  # fmt: skip
    parsed = parse_feed(json.dumps(doc).encode(), "f.json")
    assert [a.url for a in parsed.articles] == ["https://ex.org/1", None]
    assert parsed.articles[1].guid == "2" and parsed.articles[1].title is None
    (warning,) = parsed.warnings
    assert warning.startswith("5 items skipped and 8 fields of the wrong type ignored"), warning


def test_json_feed_whose_items_are_not_a_list_reads_as_empty() -> None:
    doc = {"version": "https://jsonfeed.org/version/1", "title": "F", "items": "nope"}
    parsed = parse_feed(json.dumps(doc).encode(), "f.json")
    assert parsed.articles == ()
    assert parsed.warnings and "wrong type" in parsed.warnings[0]
