"""`recapmail send`: an edition to its list, one message per recipient, resumable.

- Each recipient gets a copy of its own (personalize.py); the suppression list is never sent to.
- The send log in the state holds, per edition and recipient, sent / refused / unknown. A
  second send goes only to those not sent yet, so an interrupted send (Ctrl-C, server gone)
  resumes where it stopped; an unknown one (the connection was lost during DATA: the server
  may have taken it) is not sent again without --resend.
- The edition is published (editions.py) before the first message leaves, so two sends of
  editions sharing an item cannot both go out; it is taken back if no one received it.
- `--test ADDR` sends one "[Test]" copy and records nothing; `--dry-run` connects to nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import TYPE_CHECKING

from recapmail.config import Config
from recapmail.editions import EDITION_FILE, EditionError, publish_draft, read_draft
from recapmail.errors import SendError
from recapmail.personalize import personal_copy, secret_of
from recapmail.recipients import Recipient, check_address, recipients, suppressed
from recapmail.send import Session, SmtpSettings, Unknown, read_eml

if TYPE_CHECKING:
    from recapmail.state import State

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class SendReport:
    """What one `send` did, for its closing line."""

    label: str
    subject: str
    server: str
    sent: tuple[str, ...] = ()
    refused: tuple[tuple[str, str], ...] = ()  # (address, the server's words)
    unknown: tuple[str, ...] = ()
    skipped_sent: int = 0  # sent by an earlier run
    skipped_unknown: tuple[str, ...] = ()  # unknown since an earlier run: not sent again
    suppressed: int = 0
    would: tuple[str, ...] = ()  # --dry-run: who would get it
    dry_run: bool = False
    test: bool = False
    published: bool = False  # this run published the edition
    stopped: str | None = None  # why the run stopped before the end of the list
    left: int = 0


def send_edition(
    cfg: Config,
    path: Path,
    to: Sequence[str],
    settings: SmtpSettings,
    *,
    resend: bool = False,
    dry_run: bool = False,
    test: str | None = None,
    allow_empty: bool = False,
    progress: Progress | None = None,
    now: Callable[[], datetime] | None = None,
) -> SendReport:
    from recapmail.state import State

    clock = now or (lambda: datetime.now().astimezone())
    draft = read_eml(path)
    folder = path if path.is_dir() else path.parent
    edition = (folder / EDITION_FILE).is_file()
    label = folder.name
    if edition:
        held = read_draft(folder)  # also checks the folder is what was made
        label = held.label
        if not held.items and not allow_empty:
            raise EditionError(f"{folder}: the edition holds no item; nothing sent (--allow-empty)")
    subject = str(draft.get("Subject", ""))
    sender = parseaddr(str(draft.get("From", "")))[1]
    if not sender:
        raise SendError(f"{path}: the message has no From address; make it again")
    base = SendReport(label=label, subject=subject, server=settings.server)
    secret = secret_of(cfg, draft)
    if test is not None:
        one = Recipient(check_address(test, "--test"))
        if dry_run:
            return _replace(base, would=(one.email,), dry_run=True, test=True)
        with Session(settings) as session:
            copy = personal_copy(draft, one, secret=secret, now=clock(), test=True)
            handed = session.hand(sender, one.email, copy.data)
        if not handed.accepted:
            raise SendError(f"{session.where} refused {one.email}: {handed.detail}")
        return _replace(base, sent=(one.email,), test=True)
    everyone = recipients(cfg, to)
    gone = suppressed(cfg)
    kept = [r for r in everyone if r.key not in gone]
    base = _replace(base, suppressed=len(everyone) - len(kept))
    if not edition:  # a lone .eml: sent as asked, nothing recorded
        return _deliver(base, draft, sender, kept, settings, secret, clock, None, progress, dry_run)
    from recapmail.output import locked

    with locked(folder), State.open(cfg.state_path) as state:
        log = state.send_log(label)  # read under the lock: another send of it has finished
        done = [r for r in kept if log.get(r.key) and log[r.key].status == "sent"]
        unsure = [r for r in kept if log.get(r.key) and log[r.key].status == "unknown"]
        todo = [r for r in kept if resend or (r not in done and r not in unsure)]
        base = _replace(
            base, skipped_sent=0 if resend else len(done),
            skipped_unknown=() if resend else tuple(r.email for r in unsure),
        )  # fmt: skip
        previous = next((e for e in state.published() if e.label == label), None)
        if previous is not None and previous.how != "send" and not resend:
            when = previous.published_at.astimezone().strftime("%Y-%m-%d %H:%M")
            raise EditionError(
                f"{folder}: {label} went out already another way ({when}); nothing sent "
                "(--resend sends it anyway)"
            )
        if dry_run or not todo:
            return _replace(base, would=tuple(r.email for r in todo), dry_run=dry_run)
        claimed = False
        if previous is None:
            claimed = not publish_draft(folder, state, how="send", recipients=0).already
        try:
            report = _deliver(
                base, draft, sender, todo, settings, secret, clock, (state, label), progress,
                False,
            )  # fmt: skip
        except BaseException:
            if claimed and not _maybe_received(state, label):
                state.unpublish(label)  # no one got it: its items are free again
            raise
        after = state.send_log(label).values()
        maybe = any(e.status in ("sent", "unknown") for e in after)
        if claimed and not maybe:
            state.unpublish(label)
        delivered = sum(1 for e in after if e.status == "sent")
        if delivered:
            state.set_recipients(label, delivered)
        return _replace(report, published=claimed and maybe)


def _deliver(
    base: SendReport,
    draft: EmailMessage,
    sender: str,
    todo: Sequence[Recipient],
    settings: SmtpSettings,
    secret: str | None,
    clock: Callable[[], datetime],
    logged: tuple[State, str] | None,
    progress: Progress | None,
    dry_run: bool,
) -> SendReport:
    if dry_run:
        return _replace(base, would=tuple(r.email for r in todo), dry_run=True)
    state, label = logged if logged is not None else (None, "")
    sent: list[str] = []
    refused: list[tuple[str, str]] = []
    unknown: list[str] = []
    stopped = None
    with Session(settings) as session:
        for number, r in enumerate(todo, start=1):
            if progress is not None:
                progress(f"Sending {number}/{len(todo)} to {r.email}…")
            copy = personal_copy(draft, r, secret=secret, now=clock())

            def mark_unknown(r: Recipient = r, message_id: str = copy.message_id) -> None:
                if state is not None:
                    state.log_send(label, r.email, "unknown", message_id, now=datetime.now(UTC))

            try:
                handed = session.hand(sender, r.email, copy.data, on_data=mark_unknown)
            except Unknown as exc:
                unknown.append(r.email)
                stopped = str(exc)
                break
            except SendError as exc:
                if not sent and not refused and number == 1:
                    raise  # nothing went: one clear error, as for any failed command
                stopped = str(exc)
                break
            if handed.accepted:
                sent.append(r.email)
                if state is not None:
                    state.log_send(label, r.email, "sent", copy.message_id)
            else:
                refused.append((r.email, handed.detail))
                if state is not None:
                    state.log_send(label, r.email, "refused", copy.message_id, handed.detail)
    left = len(todo) - len(sent) - len(refused) - len(unknown)
    if not sent and refused and stopped is None and left == 0:
        reasons = "; ".join(f"{a} ({why})" for a, why in refused)
        raise SendError(f"{session.where} refused every recipient: {reasons}")
    return _replace(
        base, sent=tuple(sent), refused=tuple(refused), unknown=tuple(unknown), stopped=stopped,
        left=left,
    )  # fmt: skip


def _maybe_received(state: State, label: str) -> bool:
    """Whether anyone may have the edition: sent, or unknown (the server may have taken it)."""
    return any(e.status in ("sent", "unknown") for e in state.send_log(label).values())


def _replace(report: SendReport, **changes: object) -> SendReport:
    from dataclasses import replace

    return replace(report, **changes)  # type: ignore[arg-type]


def summary(report: SendReport) -> str:
    """The closing line of `send`."""
    r = report
    if r.test:
        verb = "Would send" if r.dry_run else "Sent"
        return f"{verb} a test copy of {r.subject!r} to {(r.would or r.sent)[0]} (nothing recorded)"
    if r.dry_run:
        shown = ", ".join(r.would[:10]) + (" …" if len(r.would) > 10 else "")
        parts = [f"Would send {r.subject!r} to {_n(len(r.would), 'recipient')}: {shown}"]
    elif r.sent or r.refused or r.unknown or r.stopped:
        parts = [f"Sent {r.subject!r} to {_n(len(r.sent), 'recipient')} via {r.server}"]
    else:
        parts = [f"{r.label}: nothing to send"]
    if r.skipped_sent:
        parts.append(
            f"already sent to {r.skipped_sent}, {len(r.would) if r.dry_run else r.left} left"
        )
    if r.suppressed:
        parts.append(f"{r.suppressed} unsubscribed left out")
    if r.refused:
        parts.append("refused by the server: " + "; ".join(f"{a} ({why})" for a, why in r.refused))
    if r.skipped_unknown:
        names = ", ".join(r.skipped_unknown[:5])
        parts.append(
            f"{_n(len(r.skipped_unknown), 'message')} of an earlier send may have reached "
            f"{names}: --resend sends again"
        )
    if r.unknown:
        parts.append(
            f"unknown whether it reached {', '.join(r.unknown)} (the connection was lost while "
            "the server had it): not sent again without --resend"
        )
    if r.stopped:
        parts.append(f"stopped: {r.stopped}; {r.left} left: run the same command again to go on")
    if r.published:
        parts.append("published: its items go in no other edition")
    return "; ".join(parts)


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
