"""Dates as met in feeds and front matter -> aware UTC datetimes (python-dateutil)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone

# dateutil reads English month names; French ones are mapped onto them first.
_FRENCH_MONTHS = {
    "janvier": "January", "janv": "January", "février": "February", "fevrier": "February",
    "févr": "February", "fevr": "February", "mars": "March", "avril": "April", "avr": "April",
    "mai": "May", "juin": "June", "juillet": "July", "juil": "July", "août": "August",
    "aout": "August", "septembre": "September", "sept": "September", "octobre": "October",
    "oct": "October", "novembre": "November", "nov": "November", "décembre": "December",
    "decembre": "December", "déc": "December", "dec": "December",
}  # fmt: skip
_FRENCH_DAYS = r"\b(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|le)\b"
_FRENCH_DAY_ABBR = re.compile(r"^(?:lun|mar|mer|jeu|ven|sam|dim)\.?,\s*", re.IGNORECASE)
_FRENCH_MONTH_RE = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, _FRENCH_MONTHS), key=len, reverse=True)) + r")\b\.?",
    re.IGNORECASE,
)


def _zone(hours: float) -> timezone:
    return timezone(timedelta(hours=hours))


# The zone names RFC 822 allows plus those common in real feeds; dateutil knows none of them.
_TZINFOS = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "BST": 1, "WEST": 1, "CET": 1, "MET": 1,
    "CEST": 2, "MEST": 2, "EET": 2, "EEST": 3, "MSK": 3, "IST": 5.5, "JST": 9, "AEST": 10,
    "AEDT": 11, "NZST": 12, "NZDT": 13, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7,
    "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10,
}  # fmt: skip
_TZ = {name: _zone(hours) for name, hours in _TZINFOS.items()}
_ISO_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?")
_RFC822 = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}")
_RFC822_ZONE = re.compile(r"\s(?:[+-]\d{4}|GMT|UT)$")
_EPOCH = re.compile(r"^\d{9,10}(?:\.\d+)?$")


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
    fast = _fast_path(text)
    if fast is not None:
        return fast
    if _EPOCH.match(text):
        return parse_date(float(text))
    text = _FRENCH_DAY_ABBR.sub("", text)
    text = re.sub(_FRENCH_DAYS, "", text, flags=re.IGNORECASE)
    text = re.sub(r"\b1er\b", "1", text)
    text = _FRENCH_MONTH_RE.sub(lambda m: _FRENCH_MONTHS[m.group(1).lower()], text)
    text = re.sub(r"\bà\b|\bh(?=\d)", lambda m: " " if m.group(0) == "à" else ":", text)
    from dateutil import parser as dateparser  # here: a run that parses nothing skips 25 ms

    try:
        parsed = dateparser.parse(
            text, dayfirst=not re.match(r"^\d{4}", text), fuzzy=False, tzinfos=_TZ
        )
    except (ValueError, OverflowError, TypeError):
        return None
    if not 1970 <= parsed.year <= 2100:
        return None
    return to_utc(parsed)


def _fast_path(text: str) -> datetime | None:
    """ISO 8601 and RFC 822, most of what feeds hold, without dateutil's cost (~50 µs each)."""
    try:
        if _ISO_PREFIX.match(text):
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace(",", "."))
        elif _RFC822.match(text) and _RFC822_ZONE.search(text):
            from email.utils import parsedate_to_datetime  # 12 ms, for runs that parse

            parsed = parsedate_to_datetime(text)
        else:
            return None
    except (ValueError, TypeError, IndexError):
        return None
    return to_utc(parsed) if 1970 <= parsed.year <= 2100 else None
