"""The command line: parse options, call the pipeline, print, set the exit code.

Only typer and the standard library are imported here at start-up; every command imports
what it needs when it runs, so `recapmail --version` and `--help` stay fast.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from recapmail import __version__
from recapmail.cli_common import (
    ConfigOption,
    NoLlmOption,
    RefreshLlmOption,
    color,
    counted,
    load_config,
    period_of,
    set_debug,
    status_line,
    user_errors,
)
from recapmail.cli_mailing import register
from recapmail.cli_output import SILENT_DAYS, echo_highlights, echo_report, last_checks, opml

if TYPE_CHECKING:
    pass

app = typer.Typer(
    name="recapmail",
    help="Turn event recaps and news feeds into a weekly newsletter and social posts.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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
    set_debug(debug)
    from recapmail.logs import setup_logging

    setup_logging(debug=verbose, quiet=quiet, color=color())


# -- commands -----------------------------------------------------------------------------------


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
    no_llm: NoLlmOption = False,
    refresh_llm: RefreshLlmOption = False,
) -> None:
    """Make this week's newsletter and posts (a draft) from every source in feeds.toml."""
    from recapmail import pipeline

    with user_errors():
        cfg = load_config(config, no_llm=no_llm)
        if refresh:
            cfg = replace(cfg, fetch=replace(cfg.fetch, recheck_after=0))
        period = period_of(cfg, week, since, until)
        with status_line() as progress:
            # The model's texts are no input the up-to-date check sees: asking or not remakes.
            report = pipeline.run_digest(
                cfg, period, out, offline=offline, strict=strict,
                force=force or no_llm or refresh_llm, allow_empty=allow_empty,
                refresh_llm=refresh_llm, progress=progress,
            )  # fmt: skip
    echo_report("Digest", report)


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
            echo_highlights(h)


@app.command()
def newsletter(
    sources: Annotated[
        list[str], typer.Argument(help="Files, folders, feeds or page URLs.", metavar="SOURCE")
    ],
    config: ConfigOption = None,
    out: Annotated[
        Path, typer.Option(metavar="DIR", help="Folder receiving the edition's folder.")
    ] = Path("out"),
    no_llm: NoLlmOption = False,
    refresh_llm: RefreshLlmOption = False,
) -> None:
    """Make a special edition from chosen articles."""
    from recapmail import pipeline

    with user_errors():
        cfg = load_config(config, no_llm=no_llm)
        report = pipeline.run_newsletter(sources, cfg, out, refresh_llm=refresh_llm)
    echo_report("Newsletter", report)


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
    no_llm: NoLlmOption = False,
    refresh_llm: RefreshLlmOption = False,
) -> None:
    """Write LinkedIn, Mastodon and Bluesky posts for articles."""
    from recapmail import pipeline

    with user_errors():
        cfg = load_config(config, no_llm=no_llm)
        platforms = cfg.social.platforms if platform is PlatformChoice.all else (platform.value,)
        posts = pipeline.run_social(
            sources,
            cfg,
            platforms,  # type: ignore[arg-type]
            thread=thread,
            language=language.value if language else None,
            refresh_llm=refresh_llm,
        )
    if json_output:
        from recapmail.serialize import dumps, post_dict

        typer.echo(dumps([post_dict(p) for p in posts]), nl=False)
    else:
        from recapmail.cli_output import echo_post

        for post in posts:
            echo_post(post)
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
        cfg = load_config(config)
        if import_opml is not None or export_opml is not None:
            opml(cfg, import_opml, export_opml)
            return
        if not check:
            checked = last_checks(cfg)
            for s in cfg.sources:
                state = "" if s.enabled else "  (disabled)"
                tags = f"  [{', '.join(s.tags)}]" if s.tags else ""
                when = f"  ({checked[s.url]})" if s.url in checked else ""
                typer.echo(f"{s.name}: {s.url or s.path}{tags}{state}{when}")
            return
        from recapmail.sources.check import check_sources

        with status_line() as progress:
            statuses = check_sources(cfg, progress=progress)
    from datetime import UTC, datetime

    failed = 0
    now = datetime.now(UTC)
    for st in statuses:
        newest = st.newest.date().isoformat() if st.newest else "no date"
        days = (now - st.newest).days if st.newest else None
        if days is not None:
            newest += f", {counted(days, 'day')} ago" if days > 1 else ""
        if st.ok and days is not None and days > SILENT_DAYS:
            line = (
                f"OLD   {st.name}: {st.items} items, newest {newest} ({st.detail}): silent for "
                f"more than {SILENT_DAYS} days; is it still the feed to follow?"
            )
            typer.secho(line, fg="yellow" if color() else None)
        elif st.ok:
            line = f"ok    {st.name}: {st.items} items, newest {newest} ({st.detail})"
            typer.secho(line, fg="green" if color() else None)
        else:
            failed += 1
            typer.secho(f"FAIL  {st.name}: {st.detail}", fg="red" if color() else None)
    typer.echo(f"{len(statuses)} sources, {failed} failed")
    if failed:
        raise typer.Exit(4)


# -- helpers ------------------------------------------------------------------------------------


register(app)  # send, unsubscribe, publish, editions, archive (cli_mailing.py)

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


def lean_app(full: typer.Typer, keep: str | None) -> typer.Typer:
    """The app with every command but `keep` reduced to its name and help text. typer reads
    each command's signature and builds its options before it runs one (about 3 ms each, more
    than a fifth of `--help`); a run, or a command's --help, needs only its own. `--help`
    and a mistyped command still list every command, with its summary."""
    import copy
    import inspect

    from typer.models import CommandInfo

    def name_of(info: CommandInfo) -> str:
        return info.name or (info.callback.__name__ if info.callback else "").replace("_", "-")

    def stub(info: CommandInfo) -> CommandInfo:
        def not_this_run() -> None:  # never called: only `keep` runs
            raise AssertionError(name_of(info))

        text = info.help or (inspect.getdoc(info.callback) if info.callback else None)
        return CommandInfo(
            name_of(info), callback=not_this_run, help=text, short_help=info.short_help,
            hidden=info.hidden, deprecated=info.deprecated, rich_help_panel=info.rich_help_panel,
        )  # fmt: skip

    lean = copy.copy(full)
    lean.registered_commands = [
        info if name_of(info) == keep else stub(info) for info in full.registered_commands
    ]
    return lean


def main() -> None:
    args = lift_global_flags(sys.argv[1:])
    # The first word that is not a flag is the command (the global flags take no value). Shell
    # completion asks about any command's options, with no argument: it gets the whole app.
    command = next((a for a in args if not a.startswith("-")), None)
    completing = "_RECAPMAIL_COMPLETE" in os.environ or any("-completion" in a for a in args)
    try:
        (app if completing else lean_app(app, command))(args=args, prog_name="recapmail")
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
