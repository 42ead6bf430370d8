"""The .eml file: multipart/alternative (text, then HTML), UTF-8, ready to open and send.

Nothing in it depends on the clock or on chance: the Date comes from the period, the Message-ID
and the MIME boundary from a hash of the content, so the same edition gives the same bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from zoneinfo import ZoneInfo

from recapmail.model import Period
from recapmail.render.i18n import local_days

SEND_HOUR = time(8, 0)
# Outlook opens a message carrying this header as a draft ready to send; `send` removes it.
UNSENT_HEADER = "X-Unsent"


def edition_date(period: Period) -> datetime:
    """The Monday after the period's last day, at 08:00 in the period's time zone."""
    _, last = local_days(period)
    monday = last + timedelta(days=7 - last.weekday())
    return datetime.combine(monday, SEND_HOUR, tzinfo=ZoneInfo(period.timezone))


def build_eml(
    *,
    subject: str,
    sender: str,
    to: Sequence[str],
    date: datetime,
    text: str,
    html: str,
    unsubscribe_url: str,
    reply_to: str = "",
    language: str = "",
) -> bytes:
    digest = hashlib.sha256()
    for part in (subject, sender, "\n".join(to), date.isoformat(), text, html, unsubscribe_url):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    key = digest.hexdigest()
    domain = parseaddr(sender)[1].rpartition("@")[2] or "recapmail.invalid"

    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = ", ".join(to) if to else sender  # no list configured: the team sends to itself
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = f"<{key[:32]}@{domain}>"
    msg["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    if unsubscribe_url.startswith("https://"):
        # RFC 8058 one-click unsubscribe, which Gmail and Yahoo expect from bulk senders.
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg[UNSENT_HEADER] = "1"
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    if language:  # after the parts: set_content() drops the Content-* headers set before it
        msg["Content-Language"] = language
    msg.set_boundary(f"=_recapmail_{key[32:56]}")
    return msg.as_bytes(policy=SMTP)
