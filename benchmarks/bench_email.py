"""Render time and size of the newsletter and the edition for a 15-item digest (max_items).

Usage: python benchmarks/bench_email.py [--runs 50]
Prints the median time of each step (view, MJML template, mjml compile, text, whole email with
.eml) and the HTML size against Gmail's clipping threshold (102 KB).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.email_fixtures import config, digest

from recapmail.pipeline import render_edition
from recapmail.render.counting import _count_line  # cleared: each run counts afresh
from recapmail.render.email import (
    MJML_TEMPLATE,
    TEXT_TEMPLATE,
    View,
    build_view,
    compile_mjml,
    render_newsletter,
)
from recapmail.render.templates import render

GMAIL_CLIP = 102 * 1024


def median_ms(step: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    d, cfg = digest(15), config()
    view = build_view(d, cfg)
    context = {f.name: getattr(view, f.name) for f in fields(View)}
    mjml = render(MJML_TEMPLATE, context)
    newsletter = render_newsletter(d, cfg)
    steps: dict[str, Callable[[], object]] = {
        "view": lambda: build_view(d, cfg),
        "mjml template": lambda: render(MJML_TEMPLATE, context),
        "mjml compile": lambda: compile_mjml(mjml),
        "text template": lambda: render(TEXT_TEMPLATE, context),
        "whole email": lambda: render_newsletter(d, cfg),
        # What `digest` writes: the newsletter, its text part, the .eml, digest.json, the posts.
        "whole edition": lambda: (_count_line.cache_clear(), render_edition(d, cfg)),
    }
    for name, step in steps.items():
        target = "   target 50 ms" if name == "whole edition" else ""
        print(f"{name:14} {median_ms(step, args.runs):7.2f} ms{target}")
    size = len(newsletter.html.encode("utf-8"))
    print(f"html           {size / 1024:7.1f} KB ({size / GMAIL_CLIP:.0%} of Gmail's clip)")
    print(f"text           {len(newsletter.text.encode('utf-8')) / 1024:7.1f} KB")
    print(f"eml            {len(newsletter.eml) / 1024:7.1f} KB")


if __name__ == "__main__":
    main()
