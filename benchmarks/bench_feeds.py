"""The whole weekly digest over 200 feeds of 50 items, served on loopback with 100 ms added to
every response as a distant server would: fetching the feeds one after another, then runs of
what `recapmail digest` does (pipeline.run_digest: collect, digest, render, write), each in a
fresh process, so that its wall time (interpreter start and imports included) and
its peak memory are its own. The second run comes seconds after the first, within
[fetch] recheck_after, so it asks no feed; a third run with --refresh sends the 200
conditional GETs. --profile shows where a run's time goes.

    python benchmarks/bench_feeds.py [--feeds 200] [--items 50] [--delay 0.1] [--step 240]
                                     [--concurrency N] [--baseline-sample N] [--profile DIR]

Targets: first run <= 1/10 of the one-after-another fetch, second run <= 1/5 of the first,
peak memory < 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WEEK = "2026-W47"


def serve_feeds(server: object, feeds: int, items: int, step: float = 240) -> list[str]:
    from tests.feedserver import FeedServer, make_items, rss_feed

    assert isinstance(server, FeedServer)
    urls = []
    start = datetime(2026, 11, 22, 20, tzinfo=UTC)
    for n in range(feeds):
        entries = make_items(
            items, start=start - timedelta(minutes=7 * n), step=timedelta(minutes=step),
            site=f"https://site{n}.example.org", prefix=f"feed{n}",
        )  # fmt: skip
        urls.append(server.add(f"/feeds/{n}.xml", rss_feed(entries, f"Feed {n}"), gzip=True))
        server.routes[f"/feeds/{n}.xml"].prepared()  # gzipped once, as a distant server would
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
    """recapmail's own fetcher, one URL at a time."""
    from recapmail.config import FetchConfig
    from recapmail.sources.fetch import FetchRequest, fetch_all

    started = time.perf_counter()
    results = fetch_all([FetchRequest(url) for url in urls], FetchConfig(concurrency=1))
    assert all(r.status == "ok" for r in results)
    return time.perf_counter() - started


def client_run(config: Path, refresh: bool = False) -> dict[str, float | int]:
    """One `recapmail digest [--refresh]` run: pipeline.run_digest, what the command calls."""
    started = time.perf_counter()
    from dataclasses import replace

    from recapmail.config import read_config
    from recapmail.period import week_period
    from recapmail.pipeline import run_digest

    imported = time.perf_counter()
    cfg = read_config(config)
    if refresh:
        cfg = replace(cfg, fetch=replace(cfg.fetch, recheck_after=0))
    period = week_period(WEEK, cfg.newsletter.timezone)
    report = run_digest(cfg, period, config.parent / "out")
    done = time.perf_counter()
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "own_cpu": own.ru_utime + own.ru_stime,  # this process only, not its parsing helper
        "imports": imported - started,
        "run": done - imported,
        "up_to_date": report.written_at is not None,
        "items": report.items,
        "shown": report.shown,
        "fetched": report.fetched,
        "not_modified": report.not_modified,
        "recent": report.recent,
        "warnings": len(report.digest.warnings) if report.digest else 0,
    }


def floor_run(config: Path) -> dict[str, float | int]:
    """The least a second run can cost: start, then the conditional GETs and nothing else."""
    from recapmail.config import read_config
    from recapmail.sources.fetch import FetchRequest, fetch_all
    from recapmail.state import State

    cfg = read_config(config)
    with State.open(cfg.state_path) as state:
        held = state.validators()
        requests = []
        for source in cfg.sources:
            assert source.url is not None
            copy = held[source.url]
            requests.append(FetchRequest(source.url, source.name, copy.etag, copy.last_modified))
    results = fetch_all(requests, cfg.fetch)
    return {"not_modified": sum(r.status == "not_modified" for r in results)}


def run_client(
    config: Path, profile: Path | None, mode: str = "--client", *extra: str
) -> dict[str, float]:
    """The client in its own process: wall time from fork to exit, and its own peak RSS."""
    args = [sys.executable, __file__, mode, str(config), *extra]
    if profile is not None:
        args = [sys.executable, "-m", "cProfile", "-o", str(profile), *args[1:]]
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"client failed with exit code {proc.returncode}")
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    result["wall"] = wall
    result["cpu"] = usage.ru_utime + usage.ru_stime
    result["peak_mb"] = usage.ru_maxrss / 1024
    return result


def compile_like_an_install() -> None:
    """pip compiles an installed package's modules; a checkout run with PYTHONDONTWRITEBYTECODE
    would compile them again in every run (~0.1 s of each)."""
    import compileall

    import recapmail

    compileall.compile_dir(Path(recapmail.__file__).parent, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--delay", type=float, default=0.1)
    parser.add_argument("--concurrency", type=int, default=None, help="[fetch] concurrency")
    parser.add_argument("--step", type=float, default=240,
                        help="minutes between items (10: 1,000 in a week)")  # fmt: skip
    parser.add_argument("--baseline-sample", type=int, default=0,
                        help="time only N sequential fetches and extrapolate")  # fmt: skip
    parser.add_argument("--profile", type=Path, help="write first.prof and second.prof here")
    parser.add_argument("--client", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--floor", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--refresh", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        print(json.dumps(client_run(args.client, args.refresh)))
        return
    if args.floor:
        print(json.dumps(floor_run(args.floor)))
        return

    from tests.feedserver import FeedServer

    compile_like_an_install()
    profiles = [None, None]
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
        profiles = [args.profile / "first.prof", args.profile / "second.prof"]
    with FeedServer(delay=args.delay) as server, tempfile.TemporaryDirectory() as tmp:
        urls = serve_feeds(server, args.feeds, args.items, args.step)
        config = write_config(Path(tmp), urls, args.concurrency)
        sample = urls[: args.baseline_sample] if args.baseline_sample else urls
        sequential = one_after_another(sample) * len(urls) / len(sample)
        server.hits.clear()
        first = run_client(config, profiles[0])
        first_bytes = server.bytes_sent()
        server.hits.clear()
        second = run_client(config, profiles[1])
        second_bytes = server.bytes_sent()
        server.hits.clear()
        refreshed = run_client(config, None, "--client", "--refresh")
        refreshed_bytes = server.bytes_sent()
        floor = run_client(config, None, "--floor")

    print(f"{args.feeds} feeds x {args.items} items, +{args.delay * 1000:.0f} ms per response")
    print(f"one after another (fetch only): {sequential:6.2f} s")
    for name, run, sent in (
        ("first run", first, first_bytes),
        ("second run", second, second_bytes),
        ("--refresh", refreshed, refreshed_bytes),
    ):
        print(
            f"{name:>11}: {run['wall']:5.2f} s, cpu {run['cpu']:.2f} s, {run['own_cpu']:.2f} s "
            f"in the main process (imports {run['imports']:.2f}, run_digest {run['run']:.2f}), "
            f"peak {run['peak_mb']:.0f} MB; {run['fetched']:.0f} fetched, "
            f"{run['not_modified']:.0f} not modified, {run['recent']:.0f} not asked "
            f"(checked minutes ago), {sent / 1e6:.2f} MB downloaded; "
            f"{run['items']:.0f} items in {WEEK}, {run['shown']:.0f} shown"
            + ("; up to date: nothing remade" if run["up_to_date"] else "")
        )
    print(
        f"      floor: {floor['wall']:5.2f} s, cpu {floor['cpu']:.2f} s: a process that only "
        f"sends the {floor['not_modified']:.0f} conditional GETs (--refresh's least)"
    )
    peak = max(first["peak_mb"], second["peak_mb"], refreshed["peak_mb"])
    fifth = first["wall"] / 5
    checks = [
        (f"first {first['wall']:.2f} s <= 1/10 of one after another ({sequential / 10:.2f} s)",
         first["wall"] <= sequential / 10),
        (f"second {second['wall']:.2f} s <= 1/5 of first ({fifth:.2f} s)",
         second["wall"] <= fifth),
        (f"--refresh (200 conditional GETs) {refreshed['wall']:.2f} s <= 1/5 of first "
         f"({fifth:.2f} s)", refreshed["wall"] <= fifth),
        (f"peak memory {peak:.0f} MB < 300 MB", peak < 300),
    ]  # fmt: skip
    for label, ok in checks:
        print(f"  [{'ok' if ok else 'MISSED'}] {label}")


if __name__ == "__main__":
    main()
