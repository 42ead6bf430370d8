"""Start-up cost of `recapmail --version`, `--help` and a command's `--help` against a bare
`python -c "import typer"` process.

Usage: python benchmarks/bench_startup.py [--runs 30]
Runs each command alternately (so machine noise hits both alike), with .pyc files written as
an installed package has them, and prints the median wall time and the mean CPU time (user +
system, steadier on a busy machine) with their ratios to `import typer`.
Targets: --version and --help at most 1.1x, a command's --help at most 1.5x.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGETS = {"recapmail --version": 1.1, "recapmail --help": 1.1, "recapmail digest --help": 1.5}
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(command: list[str]) -> tuple[float, float]:
    """Wall time and CPU time of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


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
    for command in commands.values():  # warm the file cache and write the .pyc files
        timed(command)
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, command in commands.items():
            wall, cpu = timed(command)
            walls[name].append(wall)
            cpus[name].append(cpu)
    base_wall = statistics.median(walls["python -c 'import typer'"])
    base_cpu = statistics.mean(cpus["python -c 'import typer'"])
    print(f"{'command':26} {'wall':>8} {'ratio':>6} {'cpu':>8} {'ratio':>6}  target")
    for name in commands:
        wall, cpu = statistics.median(walls[name]), statistics.mean(cpus[name])
        target = TARGETS.get(name)
        verdict = (
            ""
            if target is None
            else f"{target:.1f}x: {'met' if cpu / base_cpu <= target else 'MISSED'}"
        )
        print(
            f"{name:26} {wall * 1000:6.1f}ms {wall / base_wall:5.2f}x "
            f"{cpu * 1000:6.1f}ms {cpu / base_cpu:5.2f}x  {verdict}"
        )


if __name__ == "__main__":
    main()
