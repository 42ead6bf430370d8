"""Time and peak memory of the state and identity faults, per family (the slowest case).

Usage: python benchmarks/bench_hostile_state.py [--items 10000]
Families, each case a real `recapmail` child process except the last:
- not a file: the state path is a folder, a FIFO, /dev/null, /dev/full, a link loop;
- read-only: the state file, its folder, a folder where it cannot be created (skipped as
  root without setpriv);
- file-size limit: RLIMIT_FSIZE from 1 KB to 4x the biggest output file, digest and newsletter;
- site moved: in-process `select` of a week whose feeds moved all of their ITEMS items (new
  GUIDs and links) after the week before, holding them, went out; and the re-dated ones.
Prints one line per family: cases, outcome counts, slowest seconds and peak RSS.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.hostile import AS_A_USER, Run, run_cli
from tests.test_hostile_runs import digest_args, workspace
from tests.test_hostile_state import NOT_A_FILE, with_file_size_limit


def outcome(run: Run) -> str:
    if run.code == 0:
        return "finished"
    lines = run.error_lines
    clean = "Traceback" not in run.stderr and len(lines) == 1
    return ("one line" if clean else "NOT CLEAN") + f" (exit {run.code})"


def report(family: str, runs: list[Run]) -> None:
    slowest = max(runs, key=lambda r: r.seconds)
    counts = ", ".join(f"{n} {what}" for what, n in Counter(map(outcome, runs)).items())
    print(f"{family:16} {len(runs):3} cases: {counts}; slowest {slowest.seconds:.2f} s, "
          f"peak {max(r.peak_kb for r in runs) / 1024:.0f} MB")  # fmt: skip


def not_a_file(root: Path) -> list[Run]:
    runs = []
    for name, make, _message in NOT_A_FILE:
        case = root / name.replace(" ", "-")
        case.mkdir()
        _config, env = workspace(case, 2)
        make(case / "state.sqlite3")  # type: ignore[operator]
        runs.append(run_cli(*digest_args("2026-W47"), cwd=case, env=env, timeout=60))
    return runs


def read_only(root: Path) -> list[Run]:
    if AS_A_USER is None:
        return []
    runs = []
    for what in ("file", "folder", "absent"):
        case = root / f"ro-{what}"
        case.mkdir()
        _config, env = workspace(case, 3)
        state = case / "keep" / "state.sqlite3"
        state.parent.mkdir()
        env["RECAPMAIL_STATE"] = str(state)
        if what != "absent":
            run_cli(*digest_args("2026-W46"), cwd=case, env=env, timeout=60)
        locked = state if what == "file" else state.parent
        locked.chmod(0o444 if what == "file" else 0o555)
        try:
            runs.append(run_cli(*digest_args("2026-W47"), cwd=case, env=env, timeout=60,
                                prefix=AS_A_USER))  # fmt: skip
        finally:
            locked.chmod(0o755)
    return runs


def file_size_limit(root: Path) -> list[Run]:
    _config, env = workspace(root, 12)
    run_cli(*digest_args("2026-W47", "base"), cwd=root, env=env, timeout=60)
    biggest = max(p.stat().st_size for p in (root / "base").rglob("*") if p.is_file())
    runs = []
    for limit in sorted({1_000, 20_000, biggest // 2, biggest - 1, biggest + 1, 4 * biggest}):
        state = root / f"state-{limit}.sqlite3"
        shutil.copy(env["RECAPMAIL_STATE"], state)
        runs.append(run_cli(*digest_args("2026-W47", f"out-{limit}"), cwd=root,
                            env={**env, "RECAPMAIL_STATE": str(state)}, timeout=60,
                            prefix=with_file_size_limit(limit)))  # fmt: skip
        runs.append(run_cli("newsletter", "recaps", "--out", f"special-{limit}", cwd=root,
                            env=env, timeout=60, prefix=with_file_size_limit(limit)))  # fmt: skip
    return runs


def site_moved(root: Path, count: int) -> None:
    from recapmail.config import Config
    from recapmail.digest import select
    from recapmail.model import Article
    from recapmail.period import week_period
    from recapmail.state import PublishedEdition, State

    w47, w48 = week_period("2026-W47", "Europe/Paris"), week_period("2026-W48", "Europe/Paris")
    run = datetime(2026, 11, 30, 7, tzinfo=UTC)

    def post(n: int, site: str, day: int) -> Article:
        link = f"https://{site}/posts/{n}/"
        return Article(source=link, url=link, guid=link, kind="feed", feed=f"feed-{n % 40}",
                       title=f"Release {n} of project {n % 97} brings a new dashboard",
                       body="Some words. " * 20, first_seen=run,
                       published=datetime(2026, 11, day, 9, tzinfo=UTC))  # fmt: skip

    went = [post(n, "old.example.org", 16 + n % 7) for n in range(count)]
    with State.open(root / "moved.sqlite3") as state:
        held = select(went, w47, Config(), state, now=run - timedelta(days=7)).items
        edition = PublishedEdition("2026-W47", w47.start, w47.end, run - timedelta(days=7),
                                   run - timedelta(days=7), "publish")  # fmt: skip
        state.publish(edition, [(s.keys, s.article) for s in held])
        moved = [post(n, "new.example.net", 16 + n % 7) for n in range(count)]
        fresh = [post(n, "new.example.net", 23 + n % 7) for n in range(count, count + count // 10)]
        started = time.perf_counter()
        chosen = select([*moved, *fresh], w48, Config(), state, now=run)
        seconds = time.perf_counter() - started
        tracemalloc.start()  # a second pass for the memory: tracing slows it down
        select([*moved, *fresh], w48, Config(), state, now=run)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    again = len(chosen.items) - len(fresh)
    print(f"{'site moved':16} {count} moved + {len(fresh)} new items: {again} sent again; "
          f"select {seconds:.2f} s, peak {peak / 2**20:.0f} MB traced")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for family, measure in (("not a file", not_a_file), ("read-only", read_only),
                                ("file-size limit", file_size_limit)):  # fmt: skip
            folder = root / family.replace(" ", "-")
            folder.mkdir()
            runs = measure(folder)
            if runs:
                report(family, runs)
            else:
                print(f"{family:16} skipped (root without setpriv)")
        site_moved(root, args.items)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"(this process: peak {own / 1024:.0f} MB; pid {os.getpid()})")


if __name__ == "__main__":
    main()
