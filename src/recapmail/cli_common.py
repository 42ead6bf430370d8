"""What every command shares: the config option, one error line and its exit code,
the period asked for, a progress line on a terminal."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from recapmail.errors import RecapmailError, UsageError

if TYPE_CHECKING:
    from recapmail.config import Config
    from recapmail.model import Period

_debug = False  # --debug: tracebacks instead of one line


def set_debug(value: bool) -> None:
    global _debug
    _debug = value


ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        metavar="FILE",
        help="feeds.toml to use (default: ./feeds.toml, then user config).",
    ),
]


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn a RecapmailError into one red line and its exit code; --debug shows the traceback.
    Ctrl-C is a KeyboardInterrupt in here (so that `finally` blocks run), and `Interrupted.`."""
    previous = interrupts_raise()
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


def interrupts_raise() -> signal._HANDLER | None:
    """SIGINT raises KeyboardInterrupt from here on; the handler it replaces, to restore (None
    when there is nothing to change, or when not in the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    current = signal.getsignal(signal.SIGINT)
    if current is signal.default_int_handler or not callable(current):
        return None
    return signal.signal(signal.SIGINT, signal.default_int_handler)


NoLlmOption = Annotated[
    bool, typer.Option("--no-llm", help="Do not ask the [llm] model: extractive texts only.")
]
RefreshLlmOption = Annotated[
    bool, typer.Option("--refresh-llm", help="Ask the [llm] model again, not its kept answers.")
]


def load_config(path: Path | None, *, no_llm: bool = False) -> Config:
    from dataclasses import replace

    from recapmail.config import load_config

    cfg = load_config(path)
    return replace(cfg, llm=None) if no_llm else cfg


def counted(n: int, word: str) -> str:
    plural = word + ("es" if word.endswith("s") else "s")
    return f"{n} {word if n == 1 else plural}"


def period_of(cfg: Config, week: str | None, since: str | None, until: str | None) -> Period:
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


def color() -> bool:
    return sys.stderr.isatty() and "NO_COLOR" not in os.environ


@contextlib.contextmanager
def status_line() -> Iterator[Callable[[str], None] | None]:
    """A one-line status on a terminal; nothing at all in cron or a pipe."""
    import logging

    if not sys.stderr.isatty() or logging.getLogger("recapmail").level > logging.WARNING:
        yield None
        return
    from rich.console import Console

    console = Console(stderr=True, no_color="NO_COLOR" in os.environ)
    with console.status("Collecting sources…") as status:
        yield lambda message: status.update(message)
