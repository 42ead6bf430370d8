"""The SMTP side of `recapmail send`: one connection, reused, messages handed over one by one.

Each message is handed over in three steps (MAIL, RCPT, DATA) so that a failure says what is
known: before DATA the message surely did not go (it can be sent again); a connection lost
during DATA leaves it unknown (the server may have taken it). The password comes from
RECAPMAIL_SMTP_PASSWORD, never argv; it is never sent unencrypted to another machine.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from types import TracebackType

from recapmail.errors import SendError

PASSWORD_ENV = "RECAPMAIL_SMTP_PASSWORD"
EML_NAME = "newsletter.eml"
DEFAULT_SMTP = "localhost:25"
SMTPS_PORT = 465  # TLS from the first byte rather than STARTTLS


class Unknown(SendError):
    """The connection was lost while the server had the message: it may have been taken."""


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    server: str = DEFAULT_SMTP
    starttls: bool = False
    user: str | None = None
    password: str | None = None  # default: RECAPMAIL_SMTP_PASSWORD
    timeout: float = 30.0
    rate: float | None = None  # messages a minute at most


@dataclass(frozen=True, slots=True)
class Handed:
    """What the server said of one message."""

    accepted: bool
    detail: str = ""  # the refusal, as the server worded it


class Session:
    """One SMTP connection for a whole list, opened on first use and opened again once when
    the server drops it between messages."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self.host, self.port = parse_server(settings.server)
        self.where = f"{self.host}:{self.port}"
        self.password = settings.password
        if settings.user and self.password is None:
            self.password = os.environ.get(PASSWORD_ENV)
            if not self.password:
                raise SendError(f"--user {settings.user} needs a password: set {PASSWORD_ENV}")
        encrypted = settings.starttls or self.port == SMTPS_PORT
        if settings.user and not (encrypted or _loopback(self.host)):
            raise SendError(
                f"--user: refusing to send the password to {self.host} unencrypted; "
                "add --starttls (or use port 465)"
            )
        self._client: smtplib.SMTP | None = None
        self._last = 0.0

    def __enter__(self) -> Session:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.quit()
            except (smtplib.SMTPException, OSError):
                self._client.close()
            self._client = None

    def hand(
        self, sender: str, recipient: str, data: bytes, on_data: Callable[[], None] | None = None
    ) -> Handed:
        """Hand one message for one recipient. Raises Unknown when the connection was lost
        during DATA, SendError when the server cannot be used at all."""
        self._pace()
        for attempt in (1, 2):
            client = self._connect()
            try:
                code, reply = client.mail(sender)
                if code in (530, 535, 550) or code == 421:  # about the session, not the recipient
                    hint = (
                        "; add --starttls"
                        if client.has_extn("starttls") and not self.settings.starttls
                        else ""
                    )
                    raise SendError(f"{self.where}: the server said {code} {_text(reply)}{hint}")
                if code != 250:
                    self._reset(client)
                    return Handed(False, f"{code} {_text(reply)}")
                code, reply = client.rcpt(recipient)
                if code not in (250, 251):
                    self._reset(client)
                    return Handed(False, f"{code} {_text(reply)}")
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                self._drop()
                if attempt == 2:
                    raise SendError(
                        f"{self.where}: the server closed the connection ({exc})"
                    ) from None
                continue  # dropped between messages: once more on a new connection
            if on_data is not None:
                on_data()  # from here on, a lost connection leaves the message unknown
            try:
                code, reply = client.data(data)
            except smtplib.SMTPResponseException as exc:
                self._reset(client)
                return Handed(False, f"{exc.smtp_code} {_text(exc.smtp_error)}")
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                self._drop()
                raise Unknown(
                    f"{self.where}: the connection was lost while the server had the message "
                    f"for {recipient} ({exc or 'closed'})"
                ) from None
            if code != 250:
                return Handed(False, f"{code} {_text(reply)}")
            return Handed(True)
        raise AssertionError("unreachable")

    def _pace(self) -> None:
        rate = self.settings.rate
        if rate:
            wait = self._last + 60.0 / rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        self._last = time.monotonic()

    def _connect(self) -> smtplib.SMTP:
        if self._client is not None:
            return self._client
        s = self.settings
        context = ssl.create_default_context()  # honours SSL_CERT_FILE for a private CA
        try:
            client: smtplib.SMTP
            if self.port == SMTPS_PORT:
                client = smtplib.SMTP_SSL(self.host, self.port, timeout=s.timeout, context=context)
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=s.timeout)
            client.ehlo_or_helo_if_needed()
            if s.starttls and self.port != SMTPS_PORT:
                if not client.has_extn("starttls"):
                    client.close()
                    raise SendError(f"{self.where} does not offer STARTTLS; drop --starttls")
                client.starttls(context=context)
                client.ehlo()
            if s.user:
                if not client.has_extn("auth"):
                    offers = client.has_extn("starttls") and not s.starttls
                    client.close()
                    hint = "it offers STARTTLS: add --starttls" if offers else "drop --user"
                    raise SendError(f"{self.where} does not accept a login here; {hint}")
                client.login(s.user, self.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            reason = f"{exc.smtp_code} {_text(exc.smtp_error)}"
            raise SendError(f"{self.where}: login refused for {s.user} ({reason})") from None
        except smtplib.SMTPResponseException as exc:
            raise SendError(
                f"{self.where}: the server said {exc.smtp_code} {_text(exc.smtp_error)}"
            ) from None
        except ssl.SSLError as exc:
            raise SendError(
                f"{self.where}: TLS failed ({exc.reason or exc}); check the server name"
            ) from None
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise SendError(
                f"{self.where}: cannot reach the SMTP server ({exc}); check --smtp"
            ) from None
        self._client = client
        return client

    def _reset(self, client: smtplib.SMTP) -> None:
        try:
            client.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def read_eml(path: Path) -> EmailMessage:
    """The message in `path`, or in `path`/newsletter.eml when `path` is an edition folder."""
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


def _loopback(host: str) -> bool:
    return host in ("localhost", "127.0.0.1", "::1")


def _text(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return " ".join(text.split())
