"""`recapmail send`: hand a rendered newsletter.eml to an SMTP server.

The .eml goes out as written (same Message-ID, same parts); only the draft marker is removed
and the envelope recipients come from `--to`, so the header's To can stay the team's address
while each reader receives it. The password comes from RECAPMAIL_SMTP_PASSWORD, never argv.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, replace
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from pathlib import Path

from recapmail.errors import SendError
from recapmail.render.eml import UNSENT_HEADER

PASSWORD_ENV = "RECAPMAIL_SMTP_PASSWORD"
EML_NAME = "newsletter.eml"
DEFAULT_SMTP = "localhost:25"
SMTPS_PORT = 465  # TLS from the first byte rather than STARTTLS


@dataclass(frozen=True, slots=True)
class SendResult:
    """What went (or would go) where, for the command's closing line."""

    subject: str
    sender: str
    recipients: tuple[str, ...]
    server: str
    message_id: str
    size: int  # bytes handed to the server
    dry_run: bool = False
    refused: tuple[str, ...] = ()  # recipients the server refused while accepting others

    @property
    def summary(self) -> str:
        verb = "Would send" if self.dry_run else "Sent"
        to = ", ".join(r for r in self.recipients if r not in self.refused)
        line = f"{verb} {self.subject!r} from {self.sender} to {to} via {self.server}"
        line += f" ({self.size / 1024:.1f} KB)"
        if self.refused:
            line += f"; refused by the server: {', '.join(self.refused)}"
        return line


def send_eml(
    path: Path,
    to: Sequence[str],
    *,
    smtp: str = DEFAULT_SMTP,
    starttls: bool = False,
    user: str | None = None,
    password: str | None = None,
    dry_run: bool = False,
    timeout: float = 30.0,
) -> SendResult:
    """Send DIR/newsletter.eml (or an .eml file) to `to`; `password` defaults to the env var."""
    message = read_eml(path)
    recipients = _recipients(to)
    host, port = parse_server(smtp)
    sender = parseaddr(str(message.get("From", "")))[1]
    if not sender:
        raise SendError(f"{path}: the message has no From address; render it again")
    del message[UNSENT_HEADER]
    data = message.as_bytes(policy=policy.SMTP)
    result = SendResult(
        subject=str(message.get("Subject", "")),
        sender=sender,
        recipients=recipients,
        server=f"{host}:{port}",
        message_id=str(message.get("Message-ID", "")),
        size=len(data),
        dry_run=dry_run,
    )
    if dry_run:
        return result
    if user and password is None:
        password = os.environ.get(PASSWORD_ENV)
        if not password:
            raise SendError(f"--user {user} needs a password: set {PASSWORD_ENV}")
    if user and not (starttls or port == SMTPS_PORT or _loopback(host)):
        raise SendError(
            f"--user: refusing to send the password to {host} unencrypted; add --starttls"
        )
    refused = _deliver(host, port, sender, recipients, data, starttls, user, password, timeout)
    if len(refused) == len(recipients):
        raise SendError(f"{host}:{port} refused every recipient: {_reasons(refused)}")
    return replace(result, refused=tuple(sorted(refused)))


def read_eml(path: Path) -> EmailMessage:
    """The message in `path`, or in `path`/newsletter.eml when `path` is a digest folder."""
    file = path / EML_NAME if path.is_dir() else path
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise SendError(
            f"{file}: cannot read the message ({exc.strerror}); run digest first"
        ) from None
    message = BytesParser(policy=policy.default).parsebytes(data)
    if not isinstance(message, EmailMessage) or not message.get("Subject"):
        raise SendError(f"{file}: not a newsletter message (no Subject header)")
    return message


def parse_server(value: str) -> tuple[str, int]:
    """ "smtp.example.org:587" -> ("smtp.example.org", 587); the port defaults to 25."""
    host, sep, port = value.rpartition(":")
    if not sep:
        host, port = value, "25"
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise SendError(f"--smtp {value!r}: expected HOST:PORT, e.g. smtp.example.org:587")
    return host, int(port)


def _recipients(to: Sequence[str]) -> tuple[str, ...]:
    if not to:
        raise SendError("no recipient: give at least one --to ADDRESS")
    found: list[str] = []
    for name, address in getaddresses(list(to)):
        if "@" not in address or any(c in address for c in "\r\n <>"):
            raise SendError(f"--to {name or address!r}: not an email address")
        if address not in found:
            found.append(address)
    return tuple(found)


def _deliver(
    host: str,
    port: int,
    sender: str,
    recipients: tuple[str, ...],
    data: bytes,
    starttls: bool,
    user: str | None,
    password: str | None,
    timeout: float,
) -> dict[str, tuple[int, bytes]]:
    where = f"{host}:{port}"
    context = ssl.create_default_context()  # honours SSL_CERT_FILE for a private CA
    try:
        client: smtplib.SMTP
        if port == SMTPS_PORT:
            client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        with client as server:
            if starttls and port != SMTPS_PORT:
                server.starttls(context=context)
            if user:
                server.login(user, password or "")
            return server.sendmail(sender, list(recipients), data)
    except smtplib.SMTPAuthenticationError as exc:
        reason = f"{exc.smtp_code} {_text(exc.smtp_error)}"
        raise SendError(f"{where}: login refused for {user} ({reason})") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise SendError(f"{where}: {exc} (try --starttls or another port)") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise SendError(f"{where} refused every recipient: {_reasons(exc.recipients)}") from None
    except smtplib.SMTPResponseException as exc:
        raise SendError(
            f"{where}: the server said {exc.smtp_code} {_text(exc.smtp_error)}"
        ) from None
    except ssl.SSLError as exc:
        raise SendError(
            f"{where}: TLS failed ({exc.reason or exc}); check the server name"
        ) from None
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        raise SendError(f"{where}: cannot reach the SMTP server ({exc}); check --smtp") from None


def _loopback(host: str) -> bool:
    return host in ("localhost", "127.0.0.1", "::1")


def _reasons(refused: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{a} ({code} {_text(msg)})" for a, (code, msg) in sorted(refused.items()))


def _text(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return " ".join(text.split())
