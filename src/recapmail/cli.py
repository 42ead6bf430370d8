"""The command line: parse options, call the pipeline, print, set the exit code.

Only typer and the standard library are imported here at start-up; every command imports
what it needs when it runs, so `recapmail --version` and `--help` stay fast.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from recapmail import __version__
from recapmail.errors import RecapmailError, UsageError

if TYPE_CHECKING:
    from recapmail.config import Config
    from recapmail.model import Highlights, Period, RunReport

app = typer.Typer(
    name="recapmail",
    help="Turn event recaps and news feeds into a weekly newsletter and social posts.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_debug = False


def _plain_argument_help() -> None:
    """Arguments with a metavar (DIR, SOURCE) shown without typer's Python type after it
    ("DIR <path>", "SOURCE... <list[str]>"): the help speaks of what to give, not of types."""
    from typer import core

    argument = getattr(core, "TyperArgument", None)
    shown = getattr(argument, "display_type_rich", None)
    if argument is None or shown is None:
        return

    def display_type_rich(self: object, ctx: object) -> str | None:
        return None if getattr(self, "metavar", None) else shown(self, ctx)

    argument.display_type_rich = display_type_rich


_plain_argument_help()


class PlatformChoice(StrEnum):
    linkedin = "linkedin"
    mastodon = "mastodon"
    bluesky = "bluesky"
    all = "all"


class LanguageChoice(StrEnum):
    fr = "fr"
    en = "en"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"recapmail {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Say more.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only errors.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    global _debug
    _debug = debug
    from recapmail.logs import setup_logging

    setup_logging(debug=verbose, quiet=quiet, color=_color())


# -- commands -----------------------------------------------------------------------------------

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        metavar="FILE",
        help="feeds.toml to use (default: ./feeds.toml, then user config).",
    ),
]


@app.command()
def digest(
    config: ConfigOption = None,
    week: Annotated[
        str | None, typer.Option(metavar="WEEK", help="ISO week, e.g. 2026-W47.")
    ] = None,
    since: Annotated[
        str | None, typer.Option(metavar="DATE", help="First day, e.g. 2026-11-16.")
    ] = None,
    until: Annotated[str | None, typer.Option(metavar="DATE", help="Last day (inclusive).")] = None,
    out: Annotated[
        Path, typer.Option(metavar="DIR", help="Folder receiving one folder per period.")
    ] = Path("out"),
    offline: Annotated[
        bool, typer.Option("--offline", help="No network: local sources and the cache.")
    ] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 4 when any source fails.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Remake the edition even when nothing changed.")
    ] = False,
    refresh: Annotated[
        bool,
        typer.Option("--refresh", help="Ask every feed, even one checked a few minutes ago."),
    ] = False,
    allow_empty: Annotated[
        bool, typer.Option("--allow-empty", help="Write the edition even with no item in it.")
    ] = False,
) -> None:
    """Make this week's newsletter and posts (a draft) from every source in feeds.toml."""
    from recapmail import pipeline

    with user_errors():
        cfg = _load_config(config)
        if refresh:
            cfg = replace(cfg, fetch=replace(cfg.fetch, recheck_after=0))
        period = _period(cfg, week, since, until)
        with _progress() as progress:
            report = pipeline.run_digest(
                cfg, period, out, offline=offline, strict=strict, force=force,
                allow_empty=allow_empty, progress=progress,
            )  # fmt: skip
    _echo_report("Digest", report)


@app.command()
def highlights(
    sources: Annotated[
        list[str], typer.Argument(help="Files, folders, feeds or page URLs.", metavar="SOURCE")
    ],
    json_output: Annotated[bool, typer.Option("--json", help="The JSON contract.")] = False,
    count: Annotated[
        int, typer.Option(min=1, max=50, metavar="N", help="Highlights per article.")
    ] = 5,
) -> None:
    """Show the key sentences, figures and keywords of articles."""
    from recapmail import pipeline

    with user_errors():
        items = pipeline.read_highlights(sources, count=count)
    if json_output:
        from recapmail.serialize import dumps, highlights_dict

        typer.echo(dumps([highlights_dict(h) for h in items]), nl=False)
    else:
        for h in items:
            _echo_highlights(h)


@app.command()
def newsletter(
    sources: Annotated[
        list[str], typer.Argument(help="Files, folders, feeds or page URLs.", metavar="SOURCE")
    ],
    config: ConfigOption = None,
    out: Annotated[
        Path, typer.Option(metavar="DIR", help="Folder receiving the edition's folder.")
    ] = Path("out"),
) -> None:
    """Make a special edition from chosen articles."""
    from recapmail import pipeline

    with user_errors():
        report = pipeline.run_newsletter(sources, _load_config(config), out)
    _echo_report("Newsletter", report)


@app.command()
def social(
    sources: Annotated[
        list[str], typer.Argument(help="Files, folders, feeds or page URLs.", metavar="SOURCE")
    ],
    config: ConfigOption = None,
    platform: Annotated[
        PlatformChoice, typer.Option(help="Which platform.", metavar="NAME")
    ] = PlatformChoice.all,
    thread: Annotated[
        bool, typer.Option("--thread", help="Split long Mastodon and Bluesky posts into a thread.")
    ] = False,
    copy: Annotated[
        bool, typer.Option("--copy", help="Put the first post on the clipboard.")
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help="The JSON contract.")] = False,
    language: Annotated[
        LanguageChoice | None,
        typer.Option(help="Language of the posts' own words (default: [newsletter] language)."),
    ] = None,
) -> None:
    """Write LinkedIn, Mastodon and Bluesky posts for articles."""
    from recapmail import pipeline

    with user_errors():
        cfg = _load_config(config)
        platforms = cfg.social.platforms if platform is PlatformChoice.all else (platform.value,)
        posts = pipeline.run_social(
            sources,
            cfg,
            platforms,  # type: ignore[arg-type]
            thread=thread,
            language=language.value if language else None,
        )
    if json_output:
        from recapmail.serialize import dumps, post_dict

        typer.echo(dumps([post_dict(p) for p in posts]), nl=False)
    else:
        from recapmail.render.social import format_for_terminal

        for post in posts:
            over = post.count > post.limit
            typer.secho(format_for_terminal(post), fg="red" if over else None)
    if copy and posts:
        # Printed first: without a clipboard the user still has the posts on screen.
        from recapmail.clipboard import copy as copy_text

        with user_errors():
            copy_text(posts[0].text)
        typer.secho(f"Copied the {posts[0].platform} post to the clipboard.", err=True, fg="green")


@app.command()
def preview(
    folder: Annotated[
        Path, typer.Argument(help="The output folder holding the digests.", metavar="DIR")
    ] = Path("out"),
    config: ConfigOption = None,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, metavar="N", help="Port (default: free).")
    ] = None,
    no_open: Annotated[bool, typer.Option("--no-open", help="Do not open the browser.")] = False,
) -> None:
    """Preview the newsletters and posts in the browser, reloaded live as you edit."""
    from recapmail.config import find_config
    from recapmail.preview import serve

    def ready(url: str) -> None:
        typer.echo(f"Preview at {url} — Ctrl-C to stop")

    with user_errors():
        serve(
            folder,
            config_path=find_config(config),
            port=port,
            open_browser=not no_open,
            ready=ready,
        )


@app.command()
def send(
    folder: Annotated[
        Path, typer.Argument(help="An edition folder (or its newsletter.eml).", metavar="DIR")
    ],
    to: Annotated[
        list[str] | None,
        typer.Option(
            "--to", metavar="ADDR", help="A recipient; repeat for several (default: the list)."
        ),
    ] = None,
    smtp: Annotated[str, typer.Option(metavar="HOST:PORT", help="SMTP server.")] = "localhost:25",
    starttls: Annotated[bool, typer.Option("--starttls", help="Upgrade to TLS first.")] = False,
    user: Annotated[
        str | None,
        typer.Option(
            metavar="NAME", help="SMTP login; the password is read from RECAPMAIL_SMTP_PASSWORD."
        ),
    ] = None,
    test: Annotated[
        str | None,
        typer.Option(
            "--test", metavar="ADDR", help="Send one [Test] copy to this address; record nothing."
        ),
    ] = None,
    rate: Annotated[
        float | None, typer.Option(min=1, metavar="N", help="At most this many messages a minute.")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List who would get it.")] = False,
    resend: Annotated[
        bool, typer.Option("--resend", help="Send again to those it went to already.")
    ] = False,
    allow_empty: Annotated[
        bool, typer.Option("--allow-empty", help="Send an edition with no item.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Send an edition, one message per recipient; once delivered, it is published."""
    from recapmail.mailing import send_edition, summary
    from recapmail.send import SmtpSettings

    with user_errors():
        settings = SmtpSettings(server=smtp, starttls=starttls, user=user, rate=rate)
        with _progress() as progress:
            report = send_edition(
                _load_config(config), folder, to or [], settings, resend=resend,
                dry_run=dry_run, test=test, allow_empty=allow_empty, progress=progress,
            )  # fmt: skip
    typer.echo(summary(report))
    if report.stopped or report.unknown:
        raise typer.Exit(1)


@app.command()
def unsubscribe(
    addresses: Annotated[
        list[str], typer.Argument(help="Addresses never to send to again.", metavar="ADDR")
    ],
    config: ConfigOption = None,
) -> None:
    """Add addresses to the suppression list (`unsubscribed` in feeds.toml)."""
    from recapmail.recipients import unsubscribe as add

    with user_errors():
        path, new = add(_load_config(config), addresses)
    known = len(addresses) - len(new)
    tail = f" ({known} already there)" if known else ""
    typer.echo(f"Unsubscribed {_count(len(new), 'address')}{tail}: {path}")


@app.command()
def publish(
    folder: Annotated[
        Path, typer.Argument(help="The edition folder that went out.", metavar="DIR")
    ],
    config: ConfigOption = None,
) -> None:
    """Record that an edition went out by another way (pasted elsewhere, sent from Outlook):
    its items are never in another edition."""
    from recapmail.editions import publish_draft
    from recapmail.state import State

    with user_errors():
        cfg = _load_config(config)
        with State.open(cfg.state_path) as state:
            done = publish_draft(folder, state, how="publish")
    when = done.published_at.astimezone().strftime("%Y-%m-%d %H:%M")
    if done.already:
        typer.echo(f"{done.label} was published already ({when}); nothing recorded again")
    else:
        typer.echo(
            f"Published {done.label}: {_count(done.items, 'item')} recorded as gone out ({when}); "
            "the next edition leaves them out"
        )


@app.command()
def editions(
    folder: Annotated[
        Path, typer.Argument(help="The output folder holding the drafts.", metavar="DIR")
    ] = Path("out"),
    config: ConfigOption = None,
) -> None:
    """List the editions, draft or published, and say where the state is."""
    from recapmail.editions import list_editions
    from recapmail.state import State

    with user_errors():
        cfg = _load_config(config)
        where = State.location(cfg.state_path)
        with State.open(where, read_only=True) as state:
            rows = list_editions(folder, state)
    for row in rows:
        when = row.when.astimezone().strftime("%Y-%m-%d %H:%M")
        status = {
            "draft": f"draft, made {when}",
            "send": f"sent {when}",
            "publish": f"published {when}",
        }.get(row.status if row.status == "draft" else row.how or "", f"published by {when}")
        to = f" to {_count(row.recipients, 'recipient')}" if row.recipients else ""
        items = _count(row.items, "item")
        typer.echo(f"{row.label:<22} {status + to:<40} {items:>9}  {row.folder or ''}".rstrip())
    if not rows:
        typer.echo(f"No edition yet in {folder} (recapmail digest makes one).")
    typer.echo(f"State: {where.resolve()}")


@app.command()
def archive(
    folder: Annotated[
        Path, typer.Argument(help="The output folder holding the editions.", metavar="DIR")
    ] = Path("out"),
    site: Annotated[
        Path, typer.Option(metavar="DIR", help="Folder receiving the static site.")
    ] = Path("site"),
    config: ConfigOption = None,
) -> None:
    """Write a static site of the published editions: an index, a page each, an Atom feed."""
    from recapmail.archive import build_site

    with user_errors():
        cfg = _load_config(config)
        editions = build_site(cfg, folder, site)
    where = cfg.newsletter.web_url or f"{site}/index.html"
    typer.echo(
        f"Archive: {_count(len(editions), 'published edition')} in {site} "
        f"(index.html, feed.xml); served at {where}"
    )


@app.command()
def feeds(
    config: ConfigOption = None,
    check: Annotated[bool, typer.Option("--check", help="Fetch each source now.")] = False,
    import_opml: Annotated[
        Path | None,
        typer.Option("--import", metavar="FILE", help="Add the feeds of an OPML file."),
    ] = None,
    export_opml: Annotated[
        str | None,
        typer.Option("--export", metavar="FILE", help="Write the feeds as OPML (- for stdout)."),
    ] = None,
) -> None:
    """List the configured sources; with --check, read each one and report how it went."""
    with user_errors():
        cfg = _load_config(config)
        if import_opml is not None or export_opml is not None:
            _opml(cfg, import_opml, export_opml)
            return
        if not check:
            checked = _last_checks(cfg)
            for s in cfg.sources:
                state = "" if s.enabled else "  (disabled)"
                tags = f"  [{', '.join(s.tags)}]" if s.tags else ""
                when = f"  ({checked[s.url]})" if s.url in checked else ""
                typer.echo(f"{s.name}: {s.url or s.path}{tags}{state}{when}")
            return
        from recapmail.sources.collect import check_sources

        with _progress() as progress:
            statuses = check_sources(cfg, progress=progress)
    from datetime import UTC, datetime

    failed = 0
    now = datetime.now(UTC)
    for st in statuses:
        newest = st.newest.date().isoformat() if st.newest else "no date"
        days = (now - st.newest).days if st.newest else None
        if days is not None:
            newest += f", {_count(days, 'day')} ago" if days > 1 else ""
        if st.ok and days is not None and days > SILENT_DAYS:
            line = (
                f"OLD   {st.name}: {st.items} items, newest {newest} ({st.detail}): silent for "
                f"more than {SILENT_DAYS} days; is it still the feed to follow?"
            )
            typer.secho(line, fg="yellow" if _color() else None)
        elif st.ok:
            line = f"ok    {st.name}: {st.items} items, newest {newest} ({st.detail})"
            typer.secho(line, fg="green" if _color() else None)
        else:
            failed += 1
            typer.secho(f"FAIL  {st.name}: {st.detail}", fg="red" if _color() else None)
    typer.echo(f"{len(statuses)} sources, {failed} failed")
    if failed:
        raise typer.Exit(4)


# -- helpers ------------------------------------------------------------------------------------

SILENT_DAYS = 90  # `feeds --check`: a feed with nothing newer is flagged


def _opml(cfg: Config, source: Path | None, target: str | None) -> None:
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
        typer.echo(f"{_count(len(added), 'feed')} added to {config_path}, {known} already there")
    if target is not None:
        text = export_opml(cfg)
        if target == "-":
            typer.echo(text, nl=False)
        else:
            Path(target).write_text(text, encoding="utf-8")
            count = text.count("<outline ")
            typer.echo(f"{_count(count, 'feed')} written to {target}")


def _last_checks(cfg: Config) -> dict[str, str]:
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


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn a RecapmailError into one red line and its exit code; --debug shows the traceback.
    Ctrl-C is a KeyboardInterrupt in here (so that `finally` blocks run), and `Interrupted.`."""
    previous = _interrupts_raise()
    try:
        yield
    except RecapmailError as exc:
        if _debug:
            raise
        typer.secho(f"Error: {exc}", err=True, fg="red")
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        typer.secho("Interrupted.", err=True, fg="yellow")
        raise typer.Exit(130) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:  # a bug must still end in one clear line
        if _debug:
            raise
        typer.secho(
            f"Error: unexpected {type(exc).__name__}: {exc} (run with --debug for details)",
            err=True,
            fg="red",
        )
        raise typer.Exit(1) from None
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _interrupts_raise() -> signal._HANDLER | None:
    """SIGINT raises KeyboardInterrupt from here on; the handler it replaces, to restore (None
    when there is nothing to change, or when not in the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    current = signal.getsignal(signal.SIGINT)
    if current is signal.default_int_handler or not callable(current):
        return None
    return signal.signal(signal.SIGINT, signal.default_int_handler)


def _load_config(path: Path | None) -> Config:
    from recapmail.config import load_config

    return load_config(path)


def _count(n: int, word: str) -> str:
    plural = word + ("es" if word.endswith("s") else "s")
    return f"{n} {word if n == 1 else plural}"


def _period(cfg: Config, week: str | None, since: str | None, until: str | None) -> Period:
    from datetime import UTC, datetime

    from recapmail import period

    tz = cfg.newsletter.timezone
    if week and (since or until):
        raise UsageError("use either --week or --since/--until, not both")
    if week:
        return period.week_period(week, tz)
    if since:
        return period.range_period(since, until, tz)
    if until:
        raise UsageError("--until needs --since")
    return period.last_complete_week(datetime.now(UTC), tz)


def _color() -> bool:
    return sys.stderr.isatty() and "NO_COLOR" not in os.environ


@contextlib.contextmanager
def _progress() -> Iterator[Callable[[str], None] | None]:
    """A one-line status on a terminal; nothing at all in cron or a pipe."""
    import logging

    if not sys.stderr.isatty() or logging.getLogger("recapmail").level > logging.WARNING:
        yield None
        return
    from rich.console import Console

    console = Console(stderr=True, no_color="NO_COLOR" in os.environ)
    with console.status("Collecting sources…") as status:
        yield lambda message: status.update(message)


def _echo_report(kind: str, report: RunReport) -> None:
    d = report.digest
    warnings = len(d.warnings) if d else 0  # each one was already logged as it happened
    for title, conflict in report.checks:
        values = ", ".join(f"{value} ({Path(source).name})" for value, source in conflict.values)
        typer.secho(f"Check: {title}: {conflict.label}: {values}", err=True, fg="yellow")
    left_out = []
    if report.drafts:
        left_out.append(f"{_count(report.drafts, 'draft')} skipped")
    if report.too_old:
        left_out.append(f"{report.too_old} older than max_age_days left out")
    feeds = ""
    if report.fetched or report.not_modified or report.recent:
        feeds = f"feeds: {report.fetched} downloaded, {report.not_modified} unchanged, "
    if report.recent:
        feeds += f"{report.recent} checked minutes ago (--refresh asks again), "
    counts = f"{_count(report.items, 'article')} ({report.shown} shown)"
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
            f"{kind} {report.label}: up to date ({_count(report.items, 'article')}, "
            f"{report.shown} shown, made {when}{extra}), {feeds}"
            f"{out} ({next_step}) ({report.elapsed:.1f} s); nothing changed since, --force "
            "makes it again"
        )
        return
    typer.echo(
        f"{kind} {report.label}: {counts}{extra}, {feeds}"
        f"{_count(warnings, 'warning')}, {out} ({next_step}) ({report.elapsed:.1f} s)"
    )


def _echo_highlights(h: Highlights) -> None:
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


GLOBAL_FLAGS = ("-q", "--quiet", "-v", "--verbose", "--debug")


def lift_global_flags(argv: list[str]) -> list[str]:
    """`recapmail digest -q` as `recapmail -q digest`: the global flags are accepted after the
    command too (as git and pip accept theirs), and moved before it for typer."""
    if "--" in argv:
        cut = argv.index("--")
        head, tail = argv[:cut], argv[cut:]
    else:
        head, tail = argv, []
    flags = [a for a in head if a in GLOBAL_FLAGS]
    rest = [a for a in head if a not in GLOBAL_FLAGS]
    return [*flags, *rest, *tail]


def main() -> None:
    args = lift_global_flags(sys.argv[1:])
    if args == ["--version"]:  # answered before typer builds every command's parser
        print(f"recapmail {__version__}")
        return
    try:
        app(args=args, prog_name="recapmail")
    except SystemExit as exc:
        if exc.code == 130:  # interrupted, and said so; every `finally` of the run has run
            # Python would end the process with SIGINT instead of 130 when the Ctrl-C landed
            # in code it runs through exec() (a dataclass being made, on a late import).
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(130)
        raise
    finally:
        # The command is over (its exit status set, `Interrupted.` said if it was): a Ctrl-C
        # while Python shuts down would kill it silently with no status of its own.
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)
