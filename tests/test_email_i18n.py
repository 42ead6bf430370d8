"""Dates, numbers and colours as the newsletter shows them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from recapmail.model import Period
from recapmail.render import i18n
from recapmail.render.palette import contrast, palette

Hour = tuple[int, int, int, int]


def period(start: Hour, end: Hour, label: str) -> Period:
    return Period(datetime(*start, tzinfo=UTC), datetime(*end, tzinfo=UTC), label, "Europe/Paris")


@pytest.mark.parametrize(
    ("p", "fr", "en"),
    [
        (period((2026, 11, 15, 23), (2026, 11, 22, 23), "2026-W47"),
         "semaine du 16 au 22 novembre 2026", "week of November 16–22, 2026"),
        (period((2026, 10, 25, 23), (2026, 11, 1, 23), "2026-W44"),
         "semaine du 26 octobre au 1er novembre 2026", "week of October 26 – November 1, 2026"),
        (period((2025, 12, 28, 23), (2026, 1, 4, 23), "2026-W01"),
         "semaine du 29 décembre 2025 au 4 janvier 2026",
         "week of December 29, 2025 – January 4, 2026"),
        (period((2026, 11, 30, 23), (2026, 12, 5, 23), "2026-12-01_2026-12-05"),
         "du 1er au 5 décembre 2026", "December 1–5, 2026"),
        (period((2026, 12, 1, 23), (2026, 12, 2, 23), "2026-12-02_2026-12-02"),
         "le 2 décembre 2026", "December 2, 2026"),
    ],
)  # fmt: skip
def test_period_phrases(p: Period, fr: str, en: str) -> None:
    assert i18n.format_period(p, "fr") == fr
    assert i18n.format_period(p, "en") == en


def test_other_languages_get_their_locale_and_english_strings() -> None:
    p = period((2026, 11, 15, 23), (2026, 11, 22, 23), "2026-W47")
    assert i18n.format_period(p, "de") == "16.–22. Nov. 2026"
    assert i18n.text("top_story", "de") == "Top story"
    assert i18n.format_number(1200, "zz") == "1,200"  # no such locale: English


def test_days_and_numbers() -> None:
    assert i18n.format_day(date(2026, 12, 1), "fr") == "1er décembre 2026"
    assert i18n.format_day(date(2026, 11, 21), "fr", year=False) == "21 novembre"
    assert i18n.format_day(date(2026, 11, 21), "en", year=False) == "21 November"
    assert i18n.format_number(1200, "fr") == "1\u202f200"
    assert i18n.format_number(1234.5, "en") == "1,234.5"


def test_every_string_exists_in_both_languages() -> None:
    assert i18n.STRINGS["fr"].keys() == i18n.STRINGS["en"].keys()


@pytest.mark.parametrize("brand", ["#0b5cad", "#ffcc00", "#777777", "#e30613", "#00ff00", "#fff"])
def test_any_brand_colour_gives_readable_text(brand: str) -> None:
    p = palette(brand)
    assert contrast(p.color, p.on_color) >= 4.5
    assert contrast(p.link, "#ffffff") >= 4.5 and contrast(p.link, p.tint) >= 4.5
    assert contrast(p.link_dark, p.tint_dark) >= 4.5 and contrast(p.link_dark, "#1b2129") >= 4.5


def test_a_readable_brand_colour_is_kept_as_it_is() -> None:
    p = palette("#0B5CAD")
    assert (p.color, p.on_color, p.link) == ("#0b5cad", "#ffffff", "#0b5cad")
