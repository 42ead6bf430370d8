"""A weekly digest over 200 feeds of 50 items, served on loopback with 100 ms added to every
response as a distant server would: fetching one after another, then a first and a second
(conditional) run of `digest`'s collect + selection + highlights, each in a fresh process so
that its wall time and peak memory are its own.

    python benchmarks/bench_feeds.py [--feeds 200] [--items 50] [--delay 0.1]
                                     [--concurrency N] [--no-highlights] [--baseline-sample N]

Targets (issue #3): first run <= 1/10 of the one-after-another fetch, second run <= 1/5 of the
first, peak memory < 300 MB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WEEK = "2026-W47"


def serve_feeds(server: object, feeds: int, items: int) -> list[str]:
    from tests.feedserver import FeedServer, make_items, rss_feed

    assert isinstance(server, FeedServer)
    urls = []
    start = datetime(2026, 11, 22, 20, tzinfo=UTC)
    for n in range(feeds):
        entries = make_items(
            items, start=start - timedelta(minutes=7 * n), step=timedelta(hours=4),
            site=f"https://site{n}.example.org", prefix=f"feed{n}",
        )  # fmt: skip
        urls.append(server.add(f"/feeds/{n}.xml", rss_feed(entries, f"Feed {n}"), gzip=True))
    return urls


def write_config(folder: Path, urls: list[str], concurrency: int | None) -> Path:
    lines = [
        "[newsletter]", 'title = "Benchmark"', "max_items = 15", "",
        "[state]", f'path = "{folder / "state.sqlite3"}"', "",
    ]  # fmt: skip
    if concurrency:
        lines += ["[fetch]", f"concurrency = {concurrency}", ""]
    for n, url in enumerate(urls):
        lines += ["[[sources]]", f'name = "Feed {n}"', f'url = "{url}"', ""]
    path = folder / "feeds.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def one_after_another(urls: list[str]) -> float:
    import httpx

    started = time.perf_counter()
    with httpx.Client(timeout=10) as client:
        for url in urls:
            client.get(url).raise_for_status()
    return time.perf_counter() - started


def client_run(config: Path, highlights: bool) -> dict[str, float | int]:
    """One `digest` run without rendering: collect, select (and highlight) the week."""
    from recapmail.config import read_config
    from recapmail.digest import build_digest, select_articles
    from recapmail.period import week_period
    from recapmail.sources.collect import collect
    from recapmail.state import State

    started = time.perf_counter()
    cfg = read_config(config)
    period = week_period(WEEK, cfg.newsletter.timezone)
    with State.open(cfg.state_path) as state:
        collected = collect(cfg, state, offline=False)
        collected_at = time.perf_counter()
        if highlights:
            items = len(build_digest(collected.articles, period, cfg, state, record=False).items)
        else:
            items = len(select_articles(collected.articles, period, cfg, state))
    done = time.perf_counter()
    return {
        "wall": done - started,
        "collect": collected_at - started,
        "digest": done - collected_at,
        "articles": len(collected.articles),
        "items": items,
        "fetched": collected.fetched,
        "not_modified": collected.not_modified,
        "warnings": len(collected.warnings),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_client(config: Path, highlights: bool) -> dict[str, float]:
    args = [sys.executable, __file__, "--client", str(config)]
    if not highlights:
        args.append("--no-highlights")
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--delay", type=float, default=0.1)
    parser.add_argument("--concurrency", type=int, default=None, help="[fetch] concurrency")
    parser.add_argument("--no-highlights", action="store_true", help="skip highlight extraction")
    parser.add_argument("--baseline-sample", type=int, default=0,
                        help="time only N sequential fetches and extrapolate")  # fmt: skip
    parser.add_argument("--client", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        print(json.dumps(client_run(args.client, not args.no_highlights)))
        return

    from tests.feedserver import FeedServer

    with FeedServer(delay=args.delay) as server, tempfile.TemporaryDirectory() as tmp:
        urls = serve_feeds(server, args.feeds, args.items)
        config = write_config(Path(tmp), urls, args.concurrency)
        sample = urls[: args.baseline_sample] if args.baseline_sample else urls
        sequential = one_after_another(sample) * len(urls) / len(sample)
        server.hits.clear()
        first = run_client(config, not args.no_highlights)
        first_bytes = server.bytes_sent()
        server.hits.clear()
        second = run_client(config, not args.no_highlights)
        second_bytes = server.bytes_sent()

    print(f"{args.feeds} feeds x {args.items} items, +{args.delay * 1000:.0f} ms per response")
    print(f"one after another (fetch only): {sequential:6.2f} s")
    for name, run, sent in (
        ("first run", first, first_bytes),
        ("second run", second, second_bytes),
    ):
        print(
            f"{name:>11}: {run['wall']:6.2f} s (collect {run['collect']:.2f} s, "
            f"digest {run['digest']:.2f} s), peak {run['peak_mb']:.0f} MB, "
            f"{run['fetched']:.0f} fetched, {run['not_modified']:.0f} not modified, "
            f"{sent / 1e6:.2f} MB downloaded, {run['articles']:.0f} articles, "
            f"{run['items']:.0f} in {WEEK}"
        )
    checks = [
        ("first <= 1/10 of one after another", first["wall"] <= sequential / 10),
        ("second <= 1/5 of first", second["wall"] <= first["wall"] / 5),
        ("peak memory < 300 MB", max(first["peak_mb"], second["peak_mb"]) < 300),
    ]
    for label, ok in checks:
        print(f"  [{'ok' if ok else 'MISSED'}] {label}")


if __name__ == "__main__":
    main()
