"""`send` against a real SMTP server (aiosmtpd) on 127.0.0.1, with and without STARTTLS."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from typer.testing import CliRunner

from recapmail.cli import app
from recapmail.errors import SendError
from recapmail.render.email import render_newsletter
from recapmail.send import PASSWORD_ENV, parse_server, send_eml
from tests.email_fixtures import config, digest


@dataclass
class Sink:
    """An SMTP handler that keeps what it receives and refuses "nobody@" recipients."""

    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def check_password(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"veille", b"s3cret")
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535


@pytest.fixture
def edition(tmp_path: Path) -> Path:
    folder = tmp_path / "2026-W47"
    folder.mkdir()
    (folder / "newsletter.eml").write_bytes(render_newsletter(digest(), config()).eml)
    return folder


@pytest.fixture
def smtp() -> Iterator[tuple[Sink, int]]:
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


@pytest.fixture
def tls_smtp(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Sink, int]]:
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts this server only
    sink = Sink()
    port = free_port()
    controller = Controller(
        sink,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=check_password,
        auth_require_tls=True,
    )
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


def test_sends_the_eml_as_written_to_the_envelope_recipients(
    edition: Path, smtp: tuple[Sink, int]
) -> None:
    sink, port = smtp
    result = send_eml(edition, ["a@example.com", "Bob <b@example.com>"], smtp=f"127.0.0.1:{port}")
    assert len(sink.received) == 1
    mail_from, rcpts, content = sink.received[0]
    assert mail_from == "veille@example.org"
    assert rcpts == ["a@example.com", "b@example.com"]
    message = BytesParser(policy=policy.default).parsebytes(content)
    original = BytesParser(policy=policy.default).parsebytes(
        (edition / "newsletter.eml").read_bytes()
    )
    assert message["X-Unsent"] is None  # the draft marker is only for mail clients
    for header in ("Subject", "From", "To", "Date", "Message-ID", "List-Unsubscribe"):
        assert message[header] == original[header]
    assert result.recipients == ("a@example.com", "b@example.com")
    assert result.summary == (
        "Sent 'La veille infra ouverte — semaine du 16 au 22 novembre 2026' from "
        f"veille@example.org to a@example.com, b@example.com via 127.0.0.1:{port} "
        f"({result.size / 1024:.1f} KB)"
    )


def test_dry_run_connects_to_nothing(edition: Path) -> None:
    port = free_port()  # nothing listens there
    result = send_eml(edition / "newsletter.eml", ["a@example.com"], smtp=f"127.0.0.1:{port}",
                      dry_run=True)  # fmt: skip
    assert result.dry_run and result.summary.startswith("Would send 'La veille infra ouverte")
    assert result.message_id.endswith("@example.org>")


def test_starttls_and_login_with_the_password_from_the_environment(
    edition: Path, tls_smtp: tuple[Sink, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    sink, port = tls_smtp
    monkeypatch.setenv(PASSWORD_ENV, "s3cret")
    send_eml(edition, ["a@example.com"], smtp=f"127.0.0.1:{port}", starttls=True, user="veille")
    assert [r[1] for r in sink.received] == [["a@example.com"]]


def test_a_wrong_password_is_one_clear_error(
    edition: Path, tls_smtp: tuple[Sink, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, port = tls_smtp
    monkeypatch.setenv(PASSWORD_ENV, "wrong")
    with pytest.raises(SendError, match=rf"^127.0.0.1:{port}: login refused for veille \(535"):
        send_eml(edition, ["a@example.com"], smtp=f"127.0.0.1:{port}", starttls=True,
                 user="veille")  # fmt: skip


def test_a_server_requiring_starttls_says_so(edition: Path, tls_smtp: tuple[Sink, int]) -> None:
    _, port = tls_smtp
    with pytest.raises(SendError, match=r"530"):
        send_eml(edition, ["a@example.com"], smtp=f"127.0.0.1:{port}")


def test_user_without_password_in_the_environment(
    edition: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    with pytest.raises(SendError, match=f"set {PASSWORD_ENV}"):
        send_eml(edition, ["a@example.com"], smtp="127.0.0.1:2525", user="veille")


def test_a_password_never_travels_unencrypted_to_a_remote_server(
    edition: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "s3cret")
    with pytest.raises(SendError, match="unencrypted; add --starttls"):
        send_eml(edition, ["a@example.com"], smtp="smtp.example.org:587", user="veille")


def test_refused_recipients_are_reported(edition: Path, smtp: tuple[Sink, int]) -> None:
    sink, port = smtp
    result = send_eml(edition, ["a@example.com", "nobody@example.com"], smtp=f"127.0.0.1:{port}")
    assert result.refused == ("nobody@example.com",)
    assert "refused by the server: nobody@example.com" in result.summary
    with pytest.raises(SendError, match=r"refused every recipient: nobody@example.com \(550"):
        send_eml(edition, ["nobody@example.com"], smtp=f"127.0.0.1:{port}")
    assert len(sink.received) == 1


def test_no_server_listening(edition: Path) -> None:
    port = free_port()
    with pytest.raises(SendError, match=rf"^127.0.0.1:{port}: cannot reach the SMTP server"):
        send_eml(edition, ["a@example.com"], smtp=f"127.0.0.1:{port}", timeout=5)


def test_missing_message_and_bad_arguments(tmp_path: Path, edition: Path) -> None:
    with pytest.raises(SendError, match="cannot read the message"):
        send_eml(tmp_path / "nowhere", ["a@example.com"], dry_run=True)
    with pytest.raises(SendError, match="give at least one --to"):
        send_eml(edition, [], dry_run=True)
    with pytest.raises(SendError, match="not an email address"):
        send_eml(edition, ["not-an-address"], dry_run=True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("smtp.example.org:587", ("smtp.example.org", 587)), ("localhost", ("localhost", 25)),
     ("[::1]:2525", ("::1", 2525))],
)  # fmt: skip
def test_parse_server(value: str, expected: tuple[str, int]) -> None:
    assert parse_server(value) == expected


@pytest.mark.parametrize("value", ["host:", "host:port", ":25", "host:70000"])
def test_parse_server_refuses_nonsense(value: str) -> None:
    with pytest.raises(SendError, match="expected HOST:PORT"):
        parse_server(value)


# -- sending publishes the edition ---------------------------------------------------------


def _made(tmp_path: Path) -> tuple[Path, list[str]]:
    from tests.test_editions import recap

    (tmp_path / "recaps").mkdir()
    recap(tmp_path / "recaps", "lyon", "Meetup OpenStack Lyon")
    (tmp_path / "feeds.toml").write_text(
        '[newsletter]\ntitle = "Veille"\nfrom = "Veille <veille@example.org>"\n'
        'to = ["clients@example.org"]\n[state]\npath = "state.sqlite3"\n'
        '[[sources]]\nname = "Recaps"\npath = "recaps"\n',
        encoding="utf-8",
    )
    args = ["-c", str(tmp_path / "feeds.toml")]
    made = CliRunner().invoke(
        app, ["digest", *args, "--offline", "--week", "2026-W48", "--out", str(tmp_path / "out")]
    )
    assert made.exit_code == 0, made.stderr
    return tmp_path / "out" / "2026-W48", args


def test_a_delivered_edition_is_published_and_not_sent_twice(
    tmp_path: Path, smtp: tuple[Sink, int]
) -> None:
    sink, port = smtp
    folder, config = _made(tmp_path)
    send = ["send", str(folder), *config, "--smtp", f"127.0.0.1:{port}", "--to", "a@example.com"]
    first = CliRunner().invoke(app, send)
    assert first.exit_code == 0, first.stderr
    assert first.stdout.rstrip().endswith("; published: its items go in no other edition")
    again = CliRunner().invoke(app, send)
    assert again.exit_code == 1 and "went out already" in again.stderr
    assert len(sink.received) == 1  # refused before connecting
    resent = CliRunner().invoke(app, [*send, "--resend"])
    assert resent.exit_code == 0, resent.stderr
    assert "published" not in resent.stdout  # recorded once, when it first went
    assert len(sink.received) == 2
    listing = CliRunner().invoke(app, ["editions", str(tmp_path / "out"), *config])
    assert "sent " in listing.stdout and "to 1 recipient" in listing.stdout


def test_a_send_no_one_received_leaves_the_edition_a_draft(
    tmp_path: Path, smtp: tuple[Sink, int]
) -> None:
    _, port = smtp
    folder, config = _made(tmp_path)
    send = ["send", str(folder), *config, "--smtp", f"127.0.0.1:{port}"]
    refused = CliRunner().invoke(app, [*send, "--to", "nobody@example.com"])
    assert refused.exit_code == 1 and "refused every recipient" in refused.stderr
    listing = CliRunner().invoke(app, ["editions", str(tmp_path / "out"), *config])
    assert "draft, made" in listing.stdout
    ok = CliRunner().invoke(app, [*send, "--to", "a@example.com"])
    assert ok.exit_code == 0, ok.stderr
