"""Dates as met in feeds and front matter -> aware UTC datetimes (python-dateutil)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

from dateutil import parser as dateparser

# dateutil reads English month names; French ones are mapped onto them first.
_FRENCH_MONTHS = {
    "janvier": "January", "janv": "January", "février": "February", "fevrier": "February",
    "févr": "February", "fevr": "February", "mars": "March", "avril": "April", "avr": "April",
    "mai": "May", "juin": "June", "juillet": "July", "juil": "July", "août": "August",
    "aout": "August", "septembre": "September", "sept": "September", "octobre": "October",
    "oct": "October", "novembre": "November", "nov": "November", "décembre": "December",
    "decembre": "December", "déc": "December", "dec": "December",
}  # fmt: skip
_FRENCH_DAYS = r"\b(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\b"
_FRENCH_MONTH_RE = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, _FRENCH_MONTHS), key=len, reverse=True)) + r")\b\.?",
    re.IGNORECASE,
)


def to_utc(value: datetime) -> datetime:
    """Naive datetimes are taken as UTC: feeds that omit the zone mostly mean it."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_date(value: object) -> datetime | None:
    """Any date a feed or a front matter may hold, or None when it is not one."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return to_utc(value)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(float(value), tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    text = value.strip()[:100]
    if not text:
        return None
    text = re.sub(_FRENCH_DAYS, "", text, flags=re.IGNORECASE)
    text = re.sub(r"\b1er\b", "1", text)
    text = _FRENCH_MONTH_RE.sub(lambda m: _FRENCH_MONTHS[m.group(1).lower()], text)
    text = re.sub(r"\bà\b|\bh(?=\d)", lambda m: " " if m.group(0) == "à" else ":", text)
    try:
        parsed = dateparser.parse(text, dayfirst=not re.match(r"^\d{4}", text), fuzzy=False)
    except (ValueError, OverflowError, TypeError):
        return None
    if not 1970 <= parsed.year <= 2100:
        return None
    return to_utc(parsed)
