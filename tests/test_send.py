"""`send` against a real SMTP server (aiosmtpd) on 127.0.0.1: one message per recipient,
suppression, the send log and resuming, TLS and login, and what SpamAssassin thinks of it."""

from __future__ import annotations

import base64
import re
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from typer.testing import CliRunner

from recapmail.cli import app
from recapmail.errors import SendError
from recapmail.personalize import reader_id, token
from recapmail.render.email import render_newsletter
from recapmail.send import PASSWORD_ENV, Session, SmtpSettings, parse_server
from tests.email_fixtures import config, digest

SECRET = "a-secret-of-the-team-0123456789"


@dataclass
class Sink:
    """An SMTP handler that keeps what it receives and refuses "nobody@" recipients. `die_after`
    messages, it drops every connection at MAIL (the server is gone); `lose` names a
    recipient whose message it keeps but whose DATA it never answers (the connection drops)."""

    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    die_after: int | None = None
    lose: str | None = None

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.die_after is not None and len(self.received) >= self.die_after:
            server.transport.close()
            return "421 4.3.2 going away"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        if self.lose is not None and self.lose in envelope.rcpt_tos:
            server.transport.close()  # taken, but the client never hears so
        return "250 Message accepted"

    def to(self) -> list[str]:
        return [rcpts[0] for _, rcpts, _ in self.received]

    def messages(self) -> list[EmailMessage]:
        parsed = [BytesParser(policy=policy.default).parsebytes(c) for _, _, c in self.received]
        return [m for m in parsed if isinstance(m, EmailMessage)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def check_password(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"veille", b"s3cret")
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535


def start(sink: Sink, **options: Any) -> tuple[Controller, int]:
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, **options)
    controller.start()
    return controller, port


@pytest.fixture
def smtp() -> Iterator[tuple[Sink, int]]:
    sink = Sink()
    controller, port = start(sink)
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
    controller, port = start(
        sink, tls_context=context, require_starttls=True, authenticator=check_password,
        auth_require_tls=True,
    )  # fmt: skip
    try:
        yield sink, port
    finally:
        controller.stop()


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config with one recap, a recipient list of four, and its 2026-W48 edition made."""
    from tests.test_editions import recap

    monkeypatch.setenv("RECAPMAIL_UNSUBSCRIBE_SECRET", SECRET)
    (tmp_path / "recaps").mkdir()
    recap(tmp_path / "recaps", "lyon", "Meetup OpenStack Lyon")
    (tmp_path / "clients.csv").write_text(
        "email,name\nana@example.com,Ana Martin\nbob@example.com,\n"
        "Chloe@Example.com,Chloé\ndan@example.com,Dan\n",
        encoding="utf-8",
    )
    (tmp_path / "unsubscribed.txt").write_text("chloe@example.com\n", encoding="utf-8")
    (tmp_path / "feeds.toml").write_text(
        '[newsletter]\ntitle = "Veille"\nfrom = "Veille <veille@example.org>"\n'
        'to = ["equipe@example.org"]\nrecipients = "clients.csv"\n'
        'unsubscribe_url = "https://www.example.org/unsubscribe"\n'
        'address = "12 rue de la République, 69002 Lyon"\n'
        '[state]\npath = "state.sqlite3"\n[[sources]]\nname = "Recaps"\npath = "recaps"\n',
        encoding="utf-8",
    )
    made = cli(
        tmp_path, "digest", "--offline", "--week", "2026-W48", "--out", str(tmp_path / "out")
    )
    assert made.exit_code == 0, made.stderr
    return tmp_path


def cli(folder: Path, *args: str) -> Any:
    return CliRunner().invoke(app, [*args, *(["-c", str(folder / "feeds.toml")])])


def send(team: Path, port: int, *extra: str) -> Any:
    return cli(team, "send", str(team / "out" / "2026-W48"), "--smtp", f"127.0.0.1:{port}", *extra)


def test_one_message_per_recipient_each_its_own(team: Path, smtp: tuple[Sink, int]) -> None:
    sink, port = smtp
    started = datetime.now(UTC)
    done = send(team, port)
    assert done.exit_code == 0, done.stderr
    assert done.stdout.startswith("Sent 'Meetup OpenStack Lyon — Veille' to 3 recipients")
    assert "1 unsubscribed left out" in done.stdout and "published" in done.stdout
    assert sink.to() == ["ana@example.com", "bob@example.com", "dan@example.com"]
    messages = sink.messages()
    assert [m["To"] for m in messages] == ["Ana Martin <ana@example.com>", "bob@example.com",
                                          "Dan <dan@example.com>"]  # fmt: skip
    assert len({m["Message-ID"] for m in messages}) == 3
    for message, address in zip(messages, sink.to(), strict=True):
        sent_at = parsedate_to_datetime(str(message["Date"]))
        assert abs((sent_at - started).total_seconds()) < 600  # dated when sent
        assert message["X-Unsent"] is None and message["List-Id"] == "veille.example.org"
        personal = (
            f"https://www.example.org/unsubscribe?id={reader_id(address)}"
            f"&token={token(SECRET, address)}"
        )
        assert base64.urlsafe_b64decode(reader_id(address) + "==").decode() == address
        unsubscribe = str(message["List-Unsubscribe"])
        assert (
            f"<{personal}>" in unsubscribe and f"body={address.replace('@', '%40')}" in unsubscribe
        )
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        body = message.get_body(("html",))
        text = message.get_body(("plain",))
        assert body is not None and text is not None
        assert personal.replace("&", "&amp;") in body.get_content()  # the footer's link too
        assert personal in text.get_content()
        assert "12 rue de la République" in body.get_content()
    draft = (team / "out" / "2026-W48" / "newsletter.eml").read_bytes()
    assert b"X-Unsent: 1" in draft  # the folder keeps the deterministic draft


@pytest.mark.slow
def test_a_second_send_goes_to_no_one_twice(team: Path, smtp: tuple[Sink, int]) -> None:
    sink, port = smtp
    assert send(team, port).exit_code == 0
    again = send(team, port)
    assert again.exit_code == 0, again.stderr
    assert "nothing to send; already sent to 3, 0 left" in again.stdout
    assert len(sink.received) == 3
    forced = send(team, port, "--resend")
    assert forced.exit_code == 0 and len(sink.received) == 6
    listing = cli(team, "editions", str(team / "out"))
    assert "sent " in listing.stdout and "to 3 recipients" in listing.stdout


@pytest.mark.slow
def test_a_send_resumes_after_the_server_dies_mid_list(team: Path) -> None:
    dying = Sink(die_after=2)
    controller, port = start(dying)
    try:
        first = send(team, port)
    finally:
        controller.stop()
    assert first.exit_code == 1
    assert "stopped: " in first.stdout and "1 left: run the same command again" in first.stdout
    assert dying.to() == ["ana@example.com", "bob@example.com"]
    healthy = Sink()
    controller, port = start(healthy)
    try:
        second = send(team, port)
    finally:
        controller.stop()
    assert second.exit_code == 0, second.stderr
    assert "already sent to 2, 0 left" in second.stdout
    assert healthy.to() == ["dan@example.com"]  # exactly one message each, in all


@pytest.mark.slow
def test_an_ambiguous_failure_is_unknown_and_not_sent_again(team: Path) -> None:
    losing = Sink(lose="bob@example.com")
    controller, port = start(losing)
    try:
        first = send(team, port)
        assert first.exit_code == 1
        assert "unknown whether it reached bob@example.com" in first.stdout
        second = send(team, port)
        assert second.exit_code == 0, second.stderr
        assert "may have reached bob@example.com: --resend sends again" in second.stdout
        assert losing.to() == ["ana@example.com", "bob@example.com", "dan@example.com"]
    finally:
        controller.stop()


def test_a_test_send_records_nothing(team: Path, smtp: tuple[Sink, int]) -> None:
    sink, port = smtp
    done = send(team, port, "--test", "me@example.org")
    assert done.exit_code == 0, done.stderr
    assert "test copy" in done.stdout and "nothing recorded" in done.stdout
    (message,) = sink.messages()
    assert str(message["Subject"]) == "[Test] Meetup OpenStack Lyon — Veille"
    assert "draft, made" in cli(team, "editions", str(team / "out")).stdout
    assert send(team, port).exit_code == 0
    assert len(sink.received) == 4  # the real send still goes to all three


def test_dry_run_lists_who_would_get_it_and_connects_to_nothing(team: Path) -> None:
    done = send(team, free_port(), "--dry-run")
    assert done.exit_code == 0, done.stderr
    assert "Would send 'Meetup OpenStack Lyon — Veille' to 3 recipients" in done.stdout
    assert "ana@example.com, bob@example.com, dan@example.com" in done.stdout
    assert "chloe" not in done.stdout.casefold().split("left out")[0]


def test_an_empty_edition_is_refused(team: Path, smtp: tuple[Sink, int]) -> None:
    sink, port = smtp
    assert cli(team, "publish", str(team / "out" / "2026-W48")).exit_code == 0
    empty = cli(team, "digest", "--offline", "--week", "2026-W49", "--out", str(team / "out"),
                "--allow-empty")  # fmt: skip
    assert empty.exit_code == 0, empty.stderr
    done = cli(team, "send", str(team / "out" / "2026-W49"), "--smtp", f"127.0.0.1:{port}")
    assert done.exit_code == 1 and "holds no item; nothing sent" in done.stderr
    assert sink.received == []


def test_an_edition_published_another_way_is_not_sent(team: Path, smtp: tuple[Sink, int]) -> None:
    sink, port = smtp
    assert cli(team, "publish", str(team / "out" / "2026-W48")).exit_code == 0
    done = send(team, port)
    assert done.exit_code == 1 and "went out already another way" in done.stderr
    assert sink.received == []


def test_a_send_no_one_received_leaves_the_edition_a_draft(
    team: Path, smtp: tuple[Sink, int]
) -> None:
    _, port = smtp
    refused = send(team, port, "--to", "nobody@example.com")
    assert (
        refused.exit_code == 1 and "refused every recipient: nobody@example.com" in refused.stderr
    )
    assert "draft, made" in cli(team, "editions", str(team / "out")).stdout
    assert send(team, port, "--to", "ana@example.com").exit_code == 0


def test_bad_addresses_are_named_with_their_line(team: Path, smtp: tuple[Sink, int]) -> None:
    _, port = smtp
    (team / "clients.csv").write_text("email,name\nana@example.com,Ana\nnot-an-address,X\n")
    done = send(team, port)
    assert done.exit_code == 1
    assert "clients.csv:3: 'not-an-address' is not an email address" in done.stderr
    assert "is not an email address" in send(team, port, "--to", "bad@").stderr


def test_an_https_unsubscribe_needs_the_secret(
    team: Path, smtp: tuple[Sink, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    sink, port = smtp
    monkeypatch.delenv("RECAPMAIL_UNSUBSCRIBE_SECRET")
    done = send(team, port)
    assert done.exit_code == 1 and "set RECAPMAIL_UNSUBSCRIBE_SECRET" in done.stderr
    assert sink.received == []


def test_unsubscribe_adds_to_the_suppression_list(team: Path, smtp: tuple[Sink, int]) -> None:
    sink, port = smtp
    done = cli(team, "unsubscribe", "BOB@example.com", "chloe@example.com")
    assert done.exit_code == 0, done.stderr
    assert "Unsubscribed 1 address (1 already there)" in done.stdout
    assert (team / "unsubscribed.txt").read_text().splitlines() == [
        "chloe@example.com",
        "BOB@example.com",
    ]
    assert send(team, port).exit_code == 0
    assert sink.to() == ["ana@example.com", "dan@example.com"]


@pytest.mark.slow
def test_a_sent_message_scores_low_with_spamassassin(team: Path, smtp: tuple[Sink, int]) -> None:
    if shutil.which("spamassassin") is None:
        pytest.skip("Debian's spamassassin is not installed (.ci/run installs it)")
    sink, port = smtp
    assert send(team, port, "--to", "ana@example.com").exit_code == 0
    _, _, content = sink.received[0]
    run = subprocess.run(
        ["spamassassin", "-L", "-t"], input=content, capture_output=True, timeout=120, check=True
    )
    found = re.search(rb"X-Spam-Status: \w+, score=(-?[\d.]+)", run.stdout)
    assert found is not None, run.stdout[-2000:]
    assert float(found.group(1)) < 1.0, run.stdout.decode(errors="replace")[-3000:]


# -- the connection -------------------------------------------------------------------------


def session(port: int, **options: Any) -> Session:
    return Session(SmtpSettings(server=f"127.0.0.1:{port}", timeout=5, **options))


def draft_bytes() -> bytes:
    return render_newsletter(digest(), config()).eml


def test_starttls_and_login_with_the_password_from_the_environment(
    tls_smtp: tuple[Sink, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    sink, port = tls_smtp
    monkeypatch.setenv(PASSWORD_ENV, "s3cret")
    with session(port, starttls=True, user="veille") as s:
        assert s.hand("veille@example.org", "a@example.com", draft_bytes()).accepted
        assert s.hand("veille@example.org", "b@example.com", draft_bytes()).accepted
    assert sink.to() == ["a@example.com", "b@example.com"]


def test_a_wrong_password_is_one_clear_error(
    tls_smtp: tuple[Sink, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, port = tls_smtp
    monkeypatch.setenv(PASSWORD_ENV, "wrong")
    with (
        pytest.raises(SendError, match=rf"^127.0.0.1:{port}: login refused for veille \(535"),
        session(port, starttls=True, user="veille") as s,
    ):
        s.hand("veille@example.org", "a@example.com", draft_bytes())


def test_a_server_requiring_starttls_says_so(tls_smtp: tuple[Sink, int]) -> None:
    _, port = tls_smtp
    with pytest.raises(SendError, match=r"said 530 .*; add --starttls"), session(port) as s:
        s.hand("veille@example.org", "a@example.com", draft_bytes())


def test_starttls_asked_of_a_server_without_it(smtp: tuple[Sink, int]) -> None:
    _, port = smtp
    with (
        pytest.raises(SendError, match="does not offer STARTTLS; drop --starttls"),
        session(port, starttls=True) as s,
    ):
        s.hand("veille@example.org", "a@example.com", draft_bytes())


def test_user_without_password_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    with pytest.raises(SendError, match=f"set {PASSWORD_ENV}"):
        session(2525, user="veille")


def test_a_password_never_travels_unencrypted_to_a_remote_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "s3cret")
    with pytest.raises(SendError, match="unencrypted; add --starttls"):
        Session(SmtpSettings(server="smtp.example.org:587", user="veille"))


def test_refused_recipients_are_reported(team: Path, smtp: tuple[Sink, int]) -> None:
    sink, port = smtp
    done = send(team, port, "--to", "ana@example.com", "--to", "nobody@example.com")
    assert done.exit_code == 0, done.stderr
    assert "refused by the server: nobody@example.com (550 5.1.1 no such mailbox)" in done.stdout
    assert sink.to() == ["ana@example.com"]


def test_no_server_listening(team: Path) -> None:
    port = free_port()
    done = send(team, port)
    assert done.exit_code == 1
    assert f"127.0.0.1:{port}: cannot reach the SMTP server" in done.stderr
    assert "draft, made" in cli(team, "editions", str(team / "out")).stdout  # nothing claimed


def test_missing_message(tmp_path: Path) -> None:
    done = CliRunner().invoke(app, ["send", str(tmp_path / "nowhere"), "--to", "a@example.com"])
    assert done.exit_code == 1 and "cannot read the message" in done.stderr


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
