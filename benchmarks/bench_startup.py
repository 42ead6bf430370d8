"""Start-up cost of `recapmail --version` and `--help` against a bare `import typer` process.

Usage: python benchmarks/bench_startup.py [--runs 30]
Runs each command alternately (so machine noise hits both alike) and prints medians and the
ratio to `python -c "import typer"`. Target: --version at most 1.3x.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    script = shutil.which("recapmail", path=str(Path(sys.executable).parent)) or "recapmail"
    commands = {
        "python -c 'import typer'": [sys.executable, "-c", "import typer"],
        "recapmail --version": [script, "--version"],
        "recapmail --help": [script, "--help"],
        "recapmail digest --help": [script, "digest", "--help"],
    }
    for command in commands.values():  # warm the file cache and .pyc files
        timed(command)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, command in commands.items():
            samples[name].append(timed(command))
    base = statistics.median(samples["python -c 'import typer'"])
    print(f"{'command':28} {'median':>9} {'min':>9} {'ratio':>7}")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"{name:28} {median * 1000:7.1f}ms {min(values) * 1000:7.1f}ms {median / base:6.2f}x")
    ratio = statistics.median(samples["recapmail --version"]) / base
    verdict = "OK" if ratio <= 1.3 else "OVER"
    print(f"\n--version / import typer = {ratio:.2f}x (target <= 1.30x): {verdict}")


if __name__ == "__main__":
    main()
