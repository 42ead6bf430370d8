"""The period: ISO weeks and day ranges in the newsletter's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from recapmail.period import PeriodError, last_complete_week, range_period, week_period


def test_last_complete_week_in_paris() -> None:
    # Monday 23 Nov 2026, 00:30 in Paris is still Sunday 22 in UTC: the last complete week
    # in Paris is W47 (16-22 Nov), whose bounds are Paris midnights.
    period = last_complete_week(datetime(2026, 11, 22, 23, 30, tzinfo=UTC), "Europe/Paris")
    assert period.label == "2026-W47"
    assert period.start == datetime(2026, 11, 15, 23, tzinfo=UTC)
    assert period.end == datetime(2026, 11, 22, 23, tzinfo=UTC)
    assert period.timezone == "Europe/Paris"
    # the same instant in UTC still falls in W47, so the last complete week is W46
    assert last_complete_week(datetime(2026, 11, 22, 23, 30, tzinfo=UTC), "UTC").label == "2026-W46"


def test_week_across_the_summer_time_change_is_167_hours() -> None:
    period = week_period("2026-W13", "Europe/Paris")  # 23-29 March 2026, clocks go forward
    assert (period.end - period.start).total_seconds() == 167 * 3600


def test_iso_week_years() -> None:
    assert week_period("2026-W01", "UTC").start == datetime(2025, 12, 29, tzinfo=UTC)
    assert week_period("2026w53", "UTC").label == "2026-W53"  # 2026 has 53 ISO weeks
    last = last_complete_week(datetime(2027, 1, 6, tzinfo=UTC), "UTC")
    assert last.label == "2026-W53"


@pytest.mark.parametrize(
    ("label", "message"),
    [("2026-47", "write the ISO week as YYYY-Www"), ("2025-W53", "2025 has no week 53"),
     ("W47", "write the ISO week")],
)  # fmt: skip
def test_bad_weeks(label: str, message: str) -> None:
    with pytest.raises(PeriodError, match=message):
        week_period(label, "Europe/Paris")


def test_range_is_inclusive_and_labelled() -> None:
    period = range_period("2026-11-16", "2026-11-22", "Europe/Paris")
    assert period.label == "2026-11-16_2026-11-22"
    assert period.start == datetime(2026, 11, 15, 23, tzinfo=UTC)
    assert period.end == datetime(2026, 11, 22, 23, tzinfo=UTC)
    today = range_period("2026-11-20", None, "UTC", today=date(2026, 11, 21))
    assert today.label == "2026-11-20_2026-11-21"


def test_bad_ranges() -> None:
    with pytest.raises(PeriodError, match="--since '16/11/2026': write the date as YYYY-MM-DD"):
        range_period("16/11/2026", None, "UTC")
    with pytest.raises(PeriodError, match="before --since"):
        range_period("2026-11-20", "2026-11-10", "UTC")
    with pytest.raises(PeriodError, match="unknown time zone"):
        range_period("2026-11-20", "2026-11-21", "Mars/Olympus")
