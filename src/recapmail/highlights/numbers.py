"""Numbers as French and English write them: "1 200", "1,200", "8,5", "1.200" (fr), "un million".

The patterns that find a figure in a sentence, and the parsing and French writing of its number.
"""

from __future__ import annotations

import re

_GROUPED = r"\d{1,3}(?:(?:[ \u00a0\u202f]\d{3}(?!\d))+|(?:,\d{3}(?!\d))+|(?:\.\d{3}(?![\d,]))+)"
_NUMBER = rf"(?:{_GROUPED}(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
NUMBER = _NUMBER  # a number as written in either language: drafting/guard.py reads drafts with it
MULTIPLIERS = {
    "k": 1e3, "thousand": 1e3, "thousands": 1e3, "mille": 1e3, "milliers": 1e3,
    "m": 1e6, "million": 1e6, "millions": 1e6, "md": 1e9, "mds": 1e9, "milliard": 1e9,
    "milliards": 1e9, "b": 1e9, "bn": 1e9, "billion": 1e9, "billions": 1e9,
    "trillion": 1e12, "trillions": 1e12, "hundred": 1e2, "hundreds": 1e2, "cent": 1e2,
    "cents": 1e2, "dozen": 12, "douzaine": 12,
}  # fmt: skip
WORD_NUMBERS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "quinze": 15, "vingt": 20,
    "trente": 30, "quarante": 40, "cinquante": 50,
}  # fmt: skip
FIGURE = re.compile(
    r"(?<![\w.,/#@\-–])"
    r"(?P<prefix>[+\-−~≈]\s?|[$€£]\s?)?"
    rf"(?P<num>{_NUMBER})"
    r"(?:(?P<ord>st|nd|rd|th|e|ème|eme|er|re)|(?P<glued>min|ms|h|s|j|GB|Go|Mo|MB|To|TB|Gbps|GHz|x))?"
    r"(?P<mult>\s?(?:k|K|M|Md|Mds|bn|B|[Bb]illions?|[Mm]illions?|[Mm]illiards?|[Tt]housands?"
    r"|[Tt]rillions?|milliers)(?![\w]))?"
    r"(?P<plus>\+)?"
    r"(?P<pct>\s?%|\s(?:percent|per cent|pour\s?cent|pts?|points?)(?!\w))?"
    r"(?P<cur>\s?(?:€|\$|euros?(?!\w)|dollars?(?!\w)|USD(?!\w)|EUR(?!\w)))?"
    r"(?P<unit>-[a-zA-Zéè]+)?"
    r"(?![\w+]|[.,]\d|\s?[-–]\s?\d)"
)
WORDS_FIGURE = re.compile(
    r"(?<![\w'])(?P<approx>(?:près|plus|moins) d'|(?:about|over|nearly|almost|more than|around|"
    r"some|environ|presque|quelque|plus de|près de) )?"
    r"(?P<words>(?:a|an|one|un|une)\s+(?:hundred|thousand|million|billion|trillion|dozen|mille|"
    r"million|milliard|centaine|douzaine)s?|" + "|".join(WORD_NUMBERS) + r")"
    r"(?P<unit>-[a-zA-Zéè]+)?(?!\w)",
    re.IGNORECASE,
)
APPROX = re.compile(
    r"(?:over|more than|above|nearly|almost|approximately|about|around|at least|some|upwards of|"
    r"plus de|près de|environ|au moins|presque|quelque|approximativement|plus d'|près d'|"
    r"moins de|moins d'|less than|fewer than|up to|jusqu'à|quasiment|pas loin de|roughly)\s*$",
    re.IGNORECASE,
)
_MONTHS = (
    r"jan(?:vier|uary)?|f[ée]v(?:rier)?|feb(?:ruary)?|mars?|march|avr(?:il)?|apr(?:il)?|mai|may|"
    r"juin|june?|juil(?:let)?|july?|ao[uû]t|aug(?:ust)?|sept(?:embre|ember)?|oct(?:obre|ober)?|"
    r"nov(?:embre|ember)?|d[ée]c(?:embre|ember)?"
)
MONTH_AFTER = re.compile(
    rf"^\s*(?:(?:et|and|to|au|[-–])\s*\d{{1,2}}(?:st|nd|rd|th|er)?\s*)?(?:{_MONTHS})\b", re.I
)
MONTH_BEFORE = re.compile(
    rf"\b(?:{_MONTHS}|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday)\s*(?:the\s*)?$",
    re.IGNORECASE,
)


def french_number(raw: str, number: float | None) -> str:
    """A number as French writes it: "1000" and "1,200" -> "1 200" (narrow no-break space),
    "8.5" -> "8,5". Groupings already French (spaces) are kept as written."""
    if number is None or not 0 <= abs(number) < 1e15 or re.search(r"\d[ \u00a0\u202f]\d", raw):
        return raw
    whole = int(abs(number))
    if whole < 1000 and "." not in raw:
        return raw
    grouped = f"{whole:,}".replace(",", "\u202f") if whole >= 1000 else str(whole)
    fraction = round(abs(number) - whole, 6)
    if fraction:
        grouped += "," + f"{fraction:.6f}".rstrip("0").split(".")[1]
    return grouped


def parse_number(raw: str, language: str) -> float | None:
    """ "1 200" and "1,200" -> 1200; "8,02" (fr) and "8.02" -> 8.02; "1.200" (fr) -> 1200."""
    text = re.sub(r"[ \u00a0\u202f]", "", raw)
    if "," in text and "." in text:
        text = (
            text.replace(",", "")
            if text.rfind(".") > text.rfind(",")
            else text.replace(".", "").replace(",", ".")
        )
    elif "," in text:
        groups = text.split(",")
        grouped = all(len(g) == 3 for g in groups[1:]) and len(groups[0]) <= 3
        text = (
            text.replace(",", "")
            if grouped and (language != "fr" or len(groups) > 2)
            else (text.replace(",", ".") if len(groups) == 2 else text.replace(",", ""))
        )
    elif "." in text:
        groups = text.split(".")
        if len(groups) > 2 or (language == "fr" and len(groups[1]) == 3 and len(groups[0]) <= 3):
            if not all(len(g) == 3 for g in groups[1:]):
                return None
            text = text.replace(".", "")
    try:
        return float(text)
    except ValueError:
        return None


def currency(prefix: str | None) -> str | None:
    return prefix.strip() if prefix and prefix.strip() in "$€£" else None
