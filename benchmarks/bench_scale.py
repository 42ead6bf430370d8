"""Steps that must stay fast as inputs grow, each timed in-process (best of --runs):

- parsing one feed of 2,000 items (feedparser alone needs about 1.4 s here);
- parsing the entity-expansion bomb of tests/data/feeds/laughs.xml (expanded: a billion "lol"s);
- grouping 10,000 items by event (comparing every pair would be 50 million comparisons, ~5 s).

    python benchmarks/bench_scale.py [--runs 3]

Targets: 2,000 items under 2 s, the bomb under 0.1 s, 10,000 items grouped under 2 s.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.feedserver import make_items, rss_feed
from tests.test_highlights_events import week_of_items

from recapmail.highlights import cluster
from recapmail.sources.feeds import parse_feed

ROOT = Path(__file__).resolve().parent.parent


def best(runs: int, step: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    feed = rss_feed(make_items(2000))
    bomb = (ROOT / "tests" / "data" / "feeds" / "laughs.xml").read_bytes()
    items = week_of_items(10_000)
    rows = [
        ("parse 2,000 items", 2.0, best(args.runs, lambda: parse_feed(feed, "f", max_items=2000))),
        ("parse the entity bomb", 0.1, best(args.runs, lambda: parse_feed(bomb, "laughs.xml"))),
        ("group 10,000 items", 2.0, best(args.runs, lambda: cluster(items))),
    ]
    for name, target, seconds in rows:
        verdict = "met" if seconds <= target else "MISSED"
        print(f"{name:<24} {seconds:7.3f} s   target {target:g} s: {verdict}")


if __name__ == "__main__":
    main()
