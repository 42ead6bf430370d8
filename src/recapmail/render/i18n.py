"""Fixed strings in French and English, and dates and numbers as a reader of that language expects.

Babel does the locale work; this module only chooses phrasings ("semaine du 16 au 22 novembre
2026", "1er décembre") that Babel's skeletons do not give. Languages other than French and English
get the English strings with their own locale's date and number formats.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from recapmail.model import Period

FALLBACK = "en"

STRINGS: dict[str, dict[str, str]] = {
    "fr": {
        "top_story": "À la une",
        "this_week": "Cette semaine",
        "other": "Autres sujets",
        "read_more": "Lire l’article",
        "read_recaps": "Les comptes rendus",
        "key_figures": "Chiffres clés",
        "highlights": "À retenir",
        "sources": "Sources",
        "source": "Source",
        "view_online": "Voir en ligne",
        "view_in_browser": "Voir dans le navigateur",
        "special_edition": "Édition spéciale : {event}",
        "special_intro": "Une édition spéciale consacrée à {event}.",
        "archive_intro": "Toutes les éditions publiées",
        "archive_feed": "Flux Atom",
        "archive_empty": "Aucune édition publiée pour l'instant.",
        "unsubscribe": "Se désinscrire",
        "you_receive": "Vous recevez cette lettre parce que vous suivez la veille de {team}.",
        "items": "{count} articles",
        "item": "1 article",
        "more": "et {count} autres articles",
        "one_more": "et un autre article",
        "intro": "Au sommaire : {count} articles choisis pour vous.",
        "intro_one": "Au sommaire : un article choisi pour vous.",
        "empty": "Pas de nouvelles cette semaine : rien n’a été publié sur la période.",
        "links": "Liens",
        "website": "Site web",
        "colon": "\u202f:",
    },
    "en": {
        "top_story": "Top story",
        "this_week": "This week",
        "other": "Other news",
        "read_more": "Read the article",
        "read_recaps": "The recaps",
        "key_figures": "Key figures",
        "highlights": "Highlights",
        "sources": "Sources",
        "source": "Source",
        "view_online": "View online",
        "view_in_browser": "View in browser",
        "special_edition": "Special edition: {event}",
        "special_intro": "A special edition about {event}.",
        "archive_intro": "Every published edition",
        "archive_feed": "Atom feed",
        "archive_empty": "No edition published yet.",
        "unsubscribe": "Unsubscribe",
        "you_receive": "You receive this newsletter because you follow {team}'s news digest.",
        "items": "{count} articles",
        "item": "1 article",
        "more": "and {count} more articles",
        "one_more": "and one more article",
        "intro": "In this issue: {count} articles picked for you.",
        "intro_one": "In this issue: one article picked for you.",
        "empty": "No news this week: nothing was published during the period.",
        "links": "Links",
        "website": "Website",
        "colon": ":",
    },
}


def strings(language: str) -> dict[str, str]:
    """Every fixed string in `language`, English for a language without its own table."""
    return STRINGS.get(language, STRINGS[FALLBACK])


def text(key: str, language: str, **values: object) -> str:
    return strings(language)[key].format(**values)


def locale_for(language: str) -> str:
    """A Babel locale for a two-letter language; unknown ones fall back to English."""
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return FALLBACK
    return language


def format_number(value: float, language: str) -> str:
    """1200 -> "1 200" (U+202F) in French, "1,200" in English."""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=locale_for(language))


def format_day(value: date | datetime, language: str, *, year: bool = True) -> str:
    """ "16 novembre 2026", "1er décembre", "November 16, 2026"."""
    from babel.dates import format_date

    day = value.date() if isinstance(value, datetime) else value
    locale = locale_for(language)
    if locale == "fr":
        number = "1er" if day.day == 1 else str(day.day)
        rest = format_date(day, "MMMM y" if year else "MMMM", locale="fr")
        return f"{number} {rest}"
    return format_date(day, "long" if year else "d MMMM", locale=locale)


def local_days(period: Period) -> tuple[date, date]:
    """The first and last calendar day of a half-open period, in the period's time zone."""
    tz = ZoneInfo(period.timezone)
    first = period.start.astimezone(tz).date()
    last = (period.end - timedelta(microseconds=1)).astimezone(tz).date()
    return first, max(first, last)


def format_period(period: Period, language: str) -> str:
    """ "semaine du 16 au 22 novembre 2026" for an ISO week, "du 3 au 9 mars 2026" otherwise."""
    first, last = local_days(period)
    week = bool(re.fullmatch(r"\d{4}-W\d{2}", period.label))
    if locale_for(language) == "fr":
        if first == last:
            return f"le {format_day(first, 'fr')}"
        if first.year != last.year:
            start = format_day(first, "fr")
        elif first.month != last.month:
            start = format_day(first, "fr", year=False)
        else:
            start = "1er" if first.day == 1 else str(first.day)
        span = f"du {start} au {format_day(last, 'fr')}"
        return f"semaine {span}" if week else span
    locale = locale_for(language)
    if first == last:
        return format_day(first, locale)
    if locale == "en":
        span = _english_span(first, last)
        return f"week of {span}" if week else span
    from babel.dates import format_interval

    # Babel puts thin spaces around the dash; plain-text readers expect none.
    return format_interval(first, last, "yMMMMd", locale=locale).replace("\u2009", "")


def _english_span(first: date, last: date) -> str:
    """ "November 16–22, 2026", "October 28 – November 3, 2026" (Babel abbreviates the months)."""
    from babel.dates import format_date

    if first.year != last.year:
        return f"{format_day(first, 'en')} – {format_day(last, 'en')}"
    start = format_date(first, "MMMM d", locale="en")
    if first.month == last.month:
        return f"{start}–{last.day}, {last.year}"
    return f"{start} – {format_date(last, 'MMMM d', locale='en')}, {last.year}"


def capitalize(value: str) -> str:
    """First letter upper-cased, the rest left alone ("semaine du…" -> "Semaine du…")."""
    return value[:1].upper() + value[1:]


POST_STRINGS: dict[str, dict[str, str]] = {  # the posts' own words
    "fr": {
        "read_recap": "Lire le compte rendu",
        "read_article": "Lire l’article",
        "read_recap_vous": "Lisez notre compte rendu",
        "read_article_vous": "Lisez l’article",
        "read_recap_tu": "Lis notre compte rendu",
        "read_article_tu": "Lis l’article",
        "read_digest": "Toute la lettre",
        "top_story": "À la une",
        "top_week": "À la une cette semaine",
        "other_recaps": "Autres comptes rendus",
        "in_digest": "Au sommaire",
        "more": "… et {n} autres sujets dans la lettre.",
        "more_one": "… et 1 autre sujet dans la lettre.",
        "all": "{n} sujets cette semaine dans la lettre.",
    },
    "en": {
        "read_recap": "Read the recap",
        "read_article": "Read the article",
        "read_digest": "The full newsletter",
        "top_story": "Top story",
        "top_week": "New this week",
        "other_recaps": "More recaps",
        "in_digest": "In this issue",
        "more": "…and {n} more in the newsletter.",
        "more_one": "…and 1 more in the newsletter.",
        "all": "{n} stories this week in the newsletter.",
    },
}


def post_strings(language: str) -> dict[str, str]:
    return POST_STRINGS.get(language, POST_STRINGS[FALLBACK])
