"""The newsletter's period: an ISO week or a range of days, in the newsletter's time zone.

Bounds are local midnights converted to UTC, so a week is [Monday 00:00, next Monday 00:00)
wherever the team is, summer time included.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from recapmail.errors import RecapmailError
from recapmail.model import Period

_WEEK = re.compile(r"^(\d{4})-?[Ww](\d{1,2})$")


class PeriodError(RecapmailError):
    """--week, --since or --until cannot be read as a period."""


def last_complete_week(now: datetime, tz: str) -> Period:
    """The ISO week before the one `now` falls in, as seen in `tz`."""
    zone = _zone(tz)
    local = (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(zone).date()
    monday = local - timedelta(days=local.weekday() + 7)
    return _days(monday, monday + timedelta(days=7), _week_label(monday), tz)


def week_period(label: str, tz: str) -> Period:
    match = _WEEK.match(label.strip())
    if not match:
        raise PeriodError(f"--week {label!r}: write the ISO week as YYYY-Www, e.g. 2026-W47")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        raise PeriodError(f"--week {label!r}: {year} has no week {week}") from None
    return _days(monday, monday + timedelta(days=7), _week_label(monday), tz)


def range_period(since: str, until: str | None, tz: str, *, today: date | None = None) -> Period:
    """Days `since` to `until` inclusive; `until` defaults to today in `tz`."""
    first = _day(since, "--since")
    last = _day(until, "--until") if until else (today or datetime.now(_zone(tz)).date())
    if last < first:
        raise PeriodError(f"--until {last} is before --since {first}: swap them")
    return _days(first, last + timedelta(days=1), f"{first}_{last}", tz)


def _days(first: date, end: date, label: str, tz: str) -> Period:
    zone = _zone(tz)
    start = datetime(first.year, first.month, first.day, tzinfo=zone).astimezone(UTC)
    stop = datetime(end.year, end.month, end.day, tzinfo=zone).astimezone(UTC)
    return Period(start=start, end=stop, label=label, timezone=tz)


def _week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PeriodError(f"{option} {text!r}: write the date as YYYY-MM-DD") from None


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise PeriodError(f"unknown time zone {tz!r}; use a name such as Europe/Paris") from None
