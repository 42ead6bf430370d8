"""Dates met in feeds and front matter -> aware UTC datetimes."""

from __future__ import annotations

import warnings
from datetime import UTC, date, datetime

import pytest

from recapmail.dates import parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fri, 20 Nov 2026 10:00:00 +0100", datetime(2026, 11, 20, 9, tzinfo=UTC)),
        ("Fri, 20 Nov 2026 10:00:00 GMT", datetime(2026, 11, 20, 10, tzinfo=UTC)),
        ("Fri, 20 Nov 2026 10:00:00 EST", datetime(2026, 11, 20, 15, tzinfo=UTC)),
        ("Fri, 20 Nov 2026 10:00 PDT", datetime(2026, 11, 20, 17, tzinfo=UTC)),
        ("Fri, 20 Nov 2026 10:00:00 CEST", datetime(2026, 11, 20, 8, tzinfo=UTC)),
        ("Thu, 20 Nov 2026 10:00:00 +01:00", datetime(2026, 11, 20, 9, tzinfo=UTC)),
        ("2026-11-20T10:00:00Z", datetime(2026, 11, 20, 10, tzinfo=UTC)),
        ("2026-11-20T10:00:00.250+01:00", datetime(2026, 11, 20, 9, 0, 0, 250000, tzinfo=UTC)),
        ("2026-11-20T10:00:00+0100", datetime(2026, 11, 20, 9, tzinfo=UTC)),
        ("2026-11-20", datetime(2026, 11, 20, tzinfo=UTC)),
        ("2026/11/20", datetime(2026, 11, 20, tzinfo=UTC)),
        ("20/11/2026", datetime(2026, 11, 20, tzinfo=UTC)),
        ("03/04/2026", datetime(2026, 4, 3, tzinfo=UTC)),  # day first, as written in France
        ("20 novembre 2026", datetime(2026, 11, 20, tzinfo=UTC)),
        ("le 20 novembre 2026 à 14h30", datetime(2026, 11, 20, 14, 30, tzinfo=UTC)),
        ("1er décembre 2026", datetime(2026, 12, 1, tzinfo=UTC)),
        ("lundi 3 févr. 2026", datetime(2026, 2, 3, tzinfo=UTC)),
        ("mardi 1er avril 2025, 9h00", datetime(2025, 4, 1, 9, tzinfo=UTC)),
        ("mar., 17 nov. 2026 18:00:00 +0100", datetime(2026, 11, 17, 17, tzinfo=UTC)),
        ("2 août 2025", datetime(2025, 8, 2, tzinfo=UTC)),
        ("November 20th, 2026", datetime(2026, 11, 20, tzinfo=UTC)),
        ("Nov 20, 2026 10:00 PM", datetime(2026, 11, 20, 22, tzinfo=UTC)),
        ("1763600000", datetime(2025, 11, 20, 0, 53, 20, tzinfo=UTC)),
    ],
)
def test_formats(text: str, expected: datetime) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "unknown time zone" warning from dateutil
        assert parse_date(text) == expected


@pytest.mark.parametrize(
    "value",
    ["", "   ", "garbage", "2026-W47", "Sat, 31 Feb 2026 10:00:00 GMT", "1850-01-01", None, True],
)  # fmt: skip
def test_not_dates(value: object) -> None:
    assert parse_date(value) is None


def test_values_from_yaml_and_numbers() -> None:
    assert parse_date(date(2026, 11, 20)) == datetime(2026, 11, 20, tzinfo=UTC)
    assert parse_date(datetime(2026, 11, 20, 10)) == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert parse_date(0) == datetime(1970, 1, 1, tzinfo=UTC)
