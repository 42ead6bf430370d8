"""What the commands print: closing lines, highlights, posts, feed checks, OPML results."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from recapmail.cli_common import counted

if TYPE_CHECKING:
    from recapmail.config import Config
    from recapmail.model import Highlights, Post, RunReport


SILENT_DAYS = 90  # `feeds --check`: a feed with nothing newer is flagged


def opml(cfg: Config, source: Path | None, target: str | None) -> None:
    from recapmail.config import CONFIG_NAME
    from recapmail.opml import export_opml, import_feeds, read_opml

    if source is not None:
        config_path = cfg.path or Path(CONFIG_NAME)
        if not config_path.exists():
            config_path.write_text("", encoding="utf-8")
        added, known = import_feeds(config_path, read_opml(source))
        for feed in added:
            tags = f"  [{', '.join(feed.tags)}]" if feed.tags else ""
            typer.echo(f"added {feed.name}: {feed.url}{tags}")
        typer.echo(f"{counted(len(added), 'feed')} added to {config_path}, {known} already there")
    if target is not None:
        text = export_opml(cfg)
        if target == "-":
            typer.echo(text, nl=False)
        else:
            Path(target).write_text(text, encoding="utf-8")
            count = text.count("<outline ")
            typer.echo(f"{counted(count, 'feed')} written to {target}")


def last_checks(cfg: Config) -> dict[str, str]:
    """URL -> when the state last heard from it, e.g. "checked 12 min ago" (a listing creates
    no state file)."""
    from datetime import UTC, datetime

    from recapmail.state import State

    where = State.location(cfg.state_path)
    if not where.is_file():
        return {}
    now = datetime.now(UTC)
    found = {}
    with State.open(where) as state:
        held = state.validators()
        for source in cfg.sources:
            if source.url is None:
                continue
            copy = held.get(source.url)
            if copy is None:
                found[source.url] = "never fetched"
                continue
            minutes = int((now - copy.checked_at).total_seconds() // 60)
            if 0 <= minutes < 120:
                found[source.url] = f"checked {minutes} min ago"
            else:
                found[source.url] = f"checked {copy.checked_at.astimezone():%Y-%m-%d %H:%M}"
    return found


def echo_report(kind: str, report: RunReport) -> None:
    d = report.digest
    warnings = len(d.warnings) if d else 0  # each one was already logged as it happened
    for title, conflict in report.checks:
        values = ", ".join(f"{value} ({Path(source).name})" for value, source in conflict.values)
        typer.secho(f"Check: {title}: {conflict.label}: {values}", err=True, fg="yellow")
    left_out = []
    if report.drafts:
        left_out.append(f"{counted(report.drafts, 'draft')} skipped")
    if report.too_old:
        left_out.append(f"{report.too_old} older than max_age_days left out")
    feeds = ""
    if report.fetched or report.not_modified or report.recent:
        feeds = f"feeds: {report.fetched} downloaded, {report.not_modified} unchanged, "
    if report.recent:
        feeds += f"{report.recent} checked minutes ago (--refresh asks again), "
    counts = f"{counted(report.items, 'article')} ({report.shown} shown)"
    extra = "".join(f", {x}" for x in left_out)
    if not report.out_dir:  # nothing to send: no folder written
        since = (
            f"since {report.last[0]}, published {report.last[1].astimezone():%Y-%m-%d}"
            if (report.last)
            else f"for {report.label}"
        )
        written = (
            f"removed the out-of-date draft {report.removed}"
            if report.removed
            else ("no folder written")
        )
        typer.echo(
            f"{kind} {report.label}: nothing new {since}{extra}; {feeds}{written} "
            f"({report.elapsed:.1f} s); --allow-empty writes an empty edition"
        )
        return
    out = report.out_dir
    if report.published_at is not None:
        went = report.published_at.astimezone().strftime("%Y-%m-%d")
        next_step = f"published {went}: made again as it went out"
    else:
        next_step = f"draft: recapmail send {out}, or recapmail publish {out} once it has gone out"
    if report.written_at is not None:
        when = report.written_at.astimezone().strftime("%Y-%m-%d %H:%M")
        typer.echo(
            f"{kind} {report.label}: up to date ({counted(report.items, 'article')}, "
            f"{report.shown} shown, made {when}{extra}), {feeds}"
            f"{out} ({next_step}) ({report.elapsed:.1f} s); nothing changed since, --force "
            "makes it again"
        )
        return
    typer.echo(
        f"{kind} {report.label}: {counts}{extra}, {feeds}"
        f"{counted(warnings, 'warning')}, {out} ({next_step}) ({report.elapsed:.1f} s)"
    )


def echo_highlights(h: Highlights) -> None:
    a = h.article
    meta = ", ".join(
        x for x in (h.language, a.published.date().isoformat() if a.published else "") if x
    )
    typer.secho(f"{h.title}", bold=True)
    typer.secho(f"{a.source} ({meta})", dim=True)
    typer.echo(f"\n  {h.summary}\n")
    for number, sentence in enumerate(h.highlights, 1):
        typer.echo(f"  {number}. {sentence}")
    if h.figures:
        typer.echo("\n  Figures:  " + " · ".join(f"{f.value} {f.label}".strip() for f in h.figures))
    if h.keywords:
        typer.echo("  Keywords: " + ", ".join(h.keywords))
    if h.hashtags:
        typer.echo("  Hashtags: " + " ".join(h.hashtags))
    typer.echo("")


def echo_post(post: Post) -> None:
    """The post as `recapmail social` shows it: a header line, the text, and its count against
    the limit, in red when over it."""
    name = {"linkedin": "LinkedIn", "mastodon": "Mastodon", "bluesky": "Bluesky"}[post.platform]
    part = f" {post.part}/{post.parts}" if post.parts > 1 else ""
    over = "  OVER THE LIMIT" if post.count > post.limit else ""
    unit = "UTF-16 characters" if post.platform == "linkedin" else "characters"
    typer.secho(
        f"── {name}{part} · {post.source} ──\n{post.text}\n"
        f"{post.count:,}/{post.limit:,} {unit}{over}\n",
        fg="red" if over else None,
    )
