"""newsletter.eml: a standard multipart message, the same bytes for the same edition."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest

from recapmail.model import Period
from recapmail.render.email import render_newsletter
from recapmail.render.eml import edition_date
from tests.email_fixtures import config, digest

Hour = tuple[int, int, int, int]


def parse(data: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    return message


def test_multipart_alternative_text_then_html_in_utf8() -> None:
    n = render_newsletter(digest(), config())
    message = parse(n.eml)
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    # On the wire every line ends in CRLF; decoded, the parts are exactly the rendered ones.
    assert parts[0].get_content().replace("\r\n", "\n") == n.text
    assert parts[1].get_content().replace("\r\n", "\n") == n.html
    assert n.eml.isascii() and b"\r\n" in n.eml and b"\n" not in n.eml.replace(b"\r\n", b"")


def test_headers_a_mail_client_and_a_bulk_sender_need() -> None:
    n = render_newsletter(digest(), config(reply_to="equipe@example.org"))
    m = parse(n.eml)
    assert m["Subject"] == "Journées OpenInfra Lyon 2026 — La veille infra ouverte"
    assert m["From"] == "Pôle infrastructure ouverte <veille@example.org>"
    assert m["To"] == "clients@example.org"
    assert m["Reply-To"] == "equipe@example.org"
    assert m["Date"] == "Mon, 23 Nov 2026 08:00:00 +0100"
    assert m["Message-ID"].endswith("@example.org>") and m["Message-ID"].startswith("<")
    assert m["List-Unsubscribe"] == "<https://www.example.org/newsletter/unsubscribe>"
    assert m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert m["Content-Language"] == "fr"
    assert m["X-Unsent"] == "1"  # Outlook opens it as a draft to send


def test_a_mailto_unsubscribe_has_no_one_click_header() -> None:
    m = parse(render_newsletter(digest(), config(unsubscribe_url="mailto:stop@example.org")).eml)
    assert m["List-Unsubscribe"] == "<mailto:stop@example.org>"
    assert m["List-Unsubscribe-Post"] is None


def test_without_unsubscribe_url_the_sender_takes_requests() -> None:
    m = parse(render_newsletter(digest(), config(unsubscribe_url="")).eml)
    assert m["List-Unsubscribe"] == "<mailto:veille@example.org?subject=D%C3%A9sinscription>"


def test_without_recipients_the_team_sends_to_itself() -> None:
    m = parse(render_newsletter(digest(), config(to=())).eml)
    assert m["To"] == "Pôle infrastructure ouverte <veille@example.org>"


def test_same_edition_same_bytes_and_content_changes_the_ids() -> None:
    a = render_newsletter(digest(), config()).eml
    assert a == render_newsletter(digest(), config()).eml
    b = render_newsletter(digest(6), config()).eml
    ma, mb = parse(a), parse(b)
    assert ma["Message-ID"] != mb["Message-ID"]
    assert ma.get_boundary() != mb.get_boundary()
    assert ma["Date"] == mb["Date"]  # the same week


@pytest.mark.parametrize(
    ("start", "end", "label", "timezone", "expected"),
    [
        # ISO week 47 of 2026 in Paris: sent on Monday 23 November at 08:00 (UTC+1).
        ((2026, 11, 15, 23), (2026, 11, 22, 23), "2026-W47", "Europe/Paris",
         "2026-11-23T08:00+01:00"),
        # A week across the change to summer time: Monday 30 March at 08:00 (UTC+2).
        ((2026, 3, 22, 23), (2026, 3, 29, 22), "2026-W13", "Europe/Paris",
         "2026-03-30T08:00+02:00"),
        # A period ending on a Wednesday goes out the Monday after.
        ((2026, 12, 1, 5), (2026, 12, 3, 5), "2026-12-01_2026-12-02", "America/Montreal",
         "2026-12-07T08:00-05:00"),
    ],
)  # fmt: skip
def test_the_date_comes_from_the_period(
    start: Hour, end: Hour, label: str, timezone: str, expected: str
) -> None:
    period = Period(datetime(*start, tzinfo=UTC), datetime(*end, tzinfo=UTC), label, timezone)
    assert edition_date(period).isoformat(timespec="minutes") == expected


def test_a_non_ascii_subject_and_sender_are_encoded_and_read_back() -> None:
    d = replace(digest(), title="Veille « cloud » — été")
    n = render_newsletter(d, config(sender="Équipe Ærø <veille@example.org>"))
    m = parse(n.eml)
    assert m["Subject"] == n.subject and "«\u202fcloud\u202f»" in n.subject
    assert m["From"] == "Équipe Ærø <veille@example.org>"
