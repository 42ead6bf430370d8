"""The commands of what goes out: send, unsubscribe, publish, editions, archive."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from recapmail.cli_common import ConfigOption, counted, load_config, status_line, user_errors


def register(app: typer.Typer) -> None:
    for command in (send, unsubscribe, publish, editions, archive):
        app.command()(command)


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
        with status_line() as progress:
            report = send_edition(
                load_config(config), folder, to or [], settings, resend=resend,
                dry_run=dry_run, test=test, allow_empty=allow_empty, progress=progress,
            )  # fmt: skip
    typer.echo(summary(report))
    if report.stopped or report.unknown:
        raise typer.Exit(1)


def unsubscribe(
    addresses: Annotated[
        list[str], typer.Argument(help="Addresses never to send to again.", metavar="ADDR")
    ],
    config: ConfigOption = None,
) -> None:
    """Add addresses to the suppression list (`unsubscribed` in feeds.toml)."""
    from recapmail.recipients import unsubscribe as add

    with user_errors():
        path, new = add(load_config(config), addresses)
    known = len(addresses) - len(new)
    tail = f" ({known} already there)" if known else ""
    typer.echo(f"Unsubscribed {counted(len(new), 'address')}{tail}: {path}")


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
        cfg = load_config(config)
        with State.open(cfg.state_path) as state:
            done = publish_draft(folder, state, how="publish")
    when = done.published_at.astimezone().strftime("%Y-%m-%d %H:%M")
    if done.already:
        typer.echo(f"{done.label} was published already ({when}); nothing recorded again")
    else:
        typer.echo(
            f"Published {done.label}: {counted(done.items, 'item')} recorded as gone out ({when}); "
            "the next edition leaves them out"
        )


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
        cfg = load_config(config)
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
        to = f" to {counted(row.recipients, 'recipient')}" if row.recipients else ""
        items = counted(row.items, "item")
        shown = _shown_folder(row.folder) if row.folder else ""
        typer.echo(f"{row.label:<22} {status + to:<40} {items:>9}  {shown}".rstrip())
    if not rows:
        typer.echo(f"No edition yet in {folder} (recapmail digest makes one).")
    typer.echo(f"State: {where.resolve()}")


def _shown_folder(folder: str) -> str:
    """A draft's folder and a published edition's (the state keeps it absolute) shown alike:
    relative to here when it is below, absolute otherwise."""
    path = Path(folder).absolute()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


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
        cfg = load_config(config)
        editions = build_site(cfg, folder, site)
    where = cfg.newsletter.web_url or f"{site}/index.html"
    typer.echo(
        f"Archive: {counted(len(editions), 'published edition')} in {site} "
        f"(index.html, feed.xml); served at {where}"
    )
