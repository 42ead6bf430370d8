"""One recipient's copy of an edition's draft message.

The .eml in the edition folder stays the deterministic draft. Each copy is that message with
To: the recipient alone, Date: now, a Message-ID of its own, a List-Id, and a personal
unsubscribe: a `mailto:` to the sender naming the recipient and, when `unsubscribe_url` is
set, that URL with `id` (the address, base64url) and `token` parameters (the token an
HMAC-SHA256 of the case-folded address with a secret from the environment) plus
List-Unsubscribe-Post. The
footer's link in both parts becomes the same personal link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import os
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid, parseaddr
from urllib.parse import quote, urlencode

from recapmail.config import Config
from recapmail.errors import SendError
from recapmail.recipients import Recipient
from recapmail.render.eml import UNSENT_HEADER
from recapmail.text import slugify


@dataclass(frozen=True, slots=True)
class Copy:
    data: bytes
    message_id: str


def token(secret: str, address: str) -> str:
    """The unsubscribe token of `address`: what the endpoint recomputes to trust the link."""
    mac = hmac.new(secret.encode(), address.casefold().encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def reader_id(address: str) -> str:
    """The `id` parameter of a personal link: the address, base64url without padding."""
    return base64.urlsafe_b64encode(address.encode()).decode().rstrip("=")


def secret_of(cfg: Config, draft: EmailMessage) -> str | None:
    """The token secret, needed only when the draft unsubscribes through an https URL."""
    if not _generic_link(draft).startswith(("https://", "http://")):
        return None
    name = cfg.newsletter.unsubscribe_secret_env
    secret = os.environ.get(name, "")
    if len(secret) < 16:
        raise SendError(
            f"unsubscribe_url needs a secret for the personal links: set {name} "
            "(16 characters or more, the same your unsubscribe endpoint checks)"
        )
    return secret


def personal_copy(
    draft: EmailMessage,
    recipient: Recipient,
    *,
    secret: str | None,
    now: datetime,
    test: bool = False,
) -> Copy:
    sender = str(draft.get("From", ""))
    address = parseaddr(sender)[1]
    domain = address.rpartition("@")[2] or "recapmail.invalid"
    generic = _generic_link(draft)
    mailto = _mailto(address, recipient.email, str(draft.get("Content-Language", "")))
    link = mailto
    if generic.startswith(("https://", "http://")) and secret is not None:
        join = "&" if "?" in generic else "?"
        email = recipient.email
        # The address itself stays out of the URL (filters score links naming the reader).
        link = generic + join + urlencode({"id": reader_id(email), "token": token(secret, email)})
    subject = str(draft.get("Subject", ""))
    message_id = make_msgid(domain=domain)
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = f"[Test] {subject}" if test else subject
    msg["From"] = sender
    msg["To"] = recipient.header
    if draft.get("Reply-To"):
        msg["Reply-To"] = str(draft["Reply-To"])
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id
    msg["List-Id"] = f"{slugify(parseaddr(sender)[0] or 'newsletter', empty='newsletter')}.{domain}"
    links = [f"<{mailto}>"] + ([f"<{link}>"] if link != mailto else [])
    msg["List-Unsubscribe"] = ", ".join(links)
    if link.startswith("https://"):
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
    text, body = _parts(draft)
    if generic:
        text = text.replace(generic, link)
        body = body.replace(html.escape(generic), html.escape(link))  # hrefs are escaped
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(body, subtype="html", charset="utf-8", cte="quoted-printable")
    if draft.get("Content-Language"):
        msg["Content-Language"] = str(draft["Content-Language"])
    del msg[UNSENT_HEADER]
    return Copy(msg.as_bytes(policy=SMTP), message_id)


def _generic_link(draft: EmailMessage) -> str:
    """The draft's unsubscribe link (its List-Unsubscribe header), as the footer shows it."""
    value = str(draft.get("List-Unsubscribe", ""))
    found = re.findall(r"<([^<>]+)>", value)
    https = [u for u in found if u.startswith(("https://", "http://"))]
    return str((https or found or [""])[0])


def _mailto(sender: str, recipient: str, language: str) -> str:
    subject = "Désinscription" if language.startswith("fr") else "Unsubscribe"
    return f"mailto:{sender}?subject={quote(subject)}&body={quote(recipient)}"


def _parts(draft: EmailMessage) -> tuple[str, str]:
    text = html_part = ""
    for part in draft.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        content = part.get_content() if isinstance(part, EmailMessage) else ""
        if kind == "text/plain" and not text:
            text = str(content)
        elif kind == "text/html" and not html_part:
            html_part = str(content)
    if not text or not html_part:
        raise SendError("the edition's newsletter.eml has no text or HTML part; make it again")
    return text, html_part
