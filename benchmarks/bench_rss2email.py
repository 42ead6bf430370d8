"""recapmail's weekly digest and rss2email side by side on the same loopback feeds.

20 feeds of 50 items each (by default) are served on 127.0.0.1 with 100 ms added to every
answer, as distant servers would. Each round runs, in a fresh folder and a process of its own:
`recapmail digest` (first run of the week: every feed fetched and parsed, the edition written)
and `r2e run --no-send` (every feed fetched and parsed, no mail built: the cheaper side of
rss2email's work), interleaved so that machine noise hits both alike. A process that only
fetches the 20 feeds concurrently is timed too: the floor of this work here.

    pip install rss2email   # (the bench extra)
    python benchmarks/bench_rss2email.py [--feeds 20] [--items 50] [--rounds 5]

Target: recapmail at most 0.10x rss2email's time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_feeds import WEEK, compile_like_an_install, serve_feeds, write_config
from tests.feedserver import FeedServer

ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(args: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(args, cwd=cwd, env=ENV, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def recapmail_run(urls: list[str], folder: Path) -> float:
    config = write_config(folder, urls, None)
    script = shutil.which("recapmail", path=str(Path(sys.executable).parent)) or "recapmail"
    return timed([script, "-q", "digest", "--config", str(config), "--week", WEEK], folder)


def rss2email_run(urls: list[str], folder: Path) -> float:
    r2e = shutil.which("r2e", path=str(Path(sys.executable).parent)) or "r2e"
    base = [r2e, "-c", str(folder / "r2e.cfg"), "-d", str(folder / "r2e.json")]
    subprocess.run([*base, "new", "team@example.org"], check=True, capture_output=True)
    for n, url in enumerate(urls):
        subprocess.run([*base, "add", f"feed{n}", url], check=True, capture_output=True)
    return timed([*base, "run", "--no-send"], folder)


def floor_run(urls: list[str]) -> float:
    code = (
        "import sys; from recapmail.config import FetchConfig;"
        "from recapmail.sources.fetch import FetchRequest, fetch_all;"
        "fetch_all([FetchRequest(u) for u in sys.argv[1:]], FetchConfig())"
    )
    return timed([sys.executable, "-c", code, *urls], Path.cwd())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--delay", type=float, default=0.1)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("r2e", path=str(Path(sys.executable).parent)) is None:
        raise SystemExit("rss2email is not installed here: pip install rss2email")
    compile_like_an_install()
    times: dict[str, list[float]] = {"recapmail digest": [], "r2e run --no-send": [], "floor": []}
    with FeedServer(delay=args.delay) as server, tempfile.TemporaryDirectory() as tmp:
        urls = serve_feeds(server, args.feeds, args.items)
        for n in range(args.rounds):
            for name, run in (
                ("recapmail digest", recapmail_run),
                ("r2e run --no-send", rss2email_run),
            ):
                folder = Path(tmp) / f"{n}-{name.split()[0]}"
                folder.mkdir()
                times[name].append(run(urls, folder))
            times["floor"].append(floor_run(urls))
    r2e = statistics.median(times["r2e run --no-send"])
    print(f"{args.feeds} feeds x {args.items} items, +{args.delay * 1000:.0f} ms per answer")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:20} {median:6.2f} s  ({median / r2e:.2f}x rss2email)  runs: "
              + " ".join(f"{v:.2f}" for v in values))  # fmt: skip
    ratio = statistics.median(times["recapmail digest"]) / r2e
    verdict = "met" if ratio <= 0.1 else "MISSED"
    print(f"recapmail / rss2email = {ratio:.2f}x (target <= 0.10x): {verdict}")


if __name__ == "__main__":
    main()
