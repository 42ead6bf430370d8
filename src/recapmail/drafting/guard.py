"""A model's answer -> the texts it drafted, or the reason it is refused.

A draft is used only if every number in it is one of the article's figures (or in a title it
was given), every link is the article's, every hashtag is one recapmail would write, it is in
the team's language and each line fits where it goes, as the platforms count. The checks use
the project's own readers of numbers, links, hashtags and languages, so a draft is judged as
the extractive text would be.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from recapmail.drafting.prompt import INTRO_LIMIT, TAKEAWAY_LIMIT, Material
from recapmail.highlights.hashtags import KNOWN_TAGS, hashtag
from recapmail.highlights.language import detect_language
from recapmail.highlights.numbers import MULTIPLIERS, NUMBER, WORD_NUMBERS, parse_number
from recapmail.highlights.words import word_set
from recapmail.render.counting import count, mastodon_urls
from recapmail.render.shorten import clean
from recapmail.render.social_draft import HOOK_LIMIT

MAX_TAKEAWAYS = 5
_NUMBER = re.compile(rf"(?<![\w.,])(?:{NUMBER})(?!\d)")
# A number and its scale word, or "pour cent": read as numbers, not as numbers in words.
_SCALES = "|".join(sorted(MULTIPLIERS, key=len, reverse=True))
_NUMBER_PERCENT = re.compile(
    rf"(?<![\w.,])(?:{NUMBER})[ \u00a0\u202f]?(?:pour ?cent|per ?cent)", re.I
)
_NUMBER_WITH_SCALE = re.compile(
    rf"(?<![\w.,])(?:{NUMBER})[ \u00a0\u202f]?(?:{_SCALES})\b", re.IGNORECASE
)
_AFTER = re.compile(r"[ \u00a0\u202f]?(?:%|[^\W\d_][\w’'\-]*)")  # "1 500 participants", "32 %"
# Words that say nothing of what a number counts: "2025 and", "17 at" are quoted as "2025", "17".
_LINKS = word_set("and or at in on of to for the a an et ou à au aux en de des du le la les")
_HASHTAG = re.compile(r"(?<![\w&])[#＃]\w+")
_SCHEME_URL = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://[^\s<>\"]+")
# Whom a post could notify or send to: a mention (@user, @user@server), an address, mailto:.
# (Mastodon's own rule for a mention: an "@" not after a word character, "=" or "/".)
_CONTACT = re.compile(r"(?i)(?<![\w=/])[@＠][a-z0-9_]|[\w.+-]+@[\w-]+\.[\w.-]+|\b(?:mailto|tel):")
# "1,800" and "1.800": a group of three digits, a thousands separator in either language.
_GROUPED_ONCE = re.compile(r"[1-9]\d{0,2}[.,]\d{3}")  # ("0,650" is a decimal)
_SCALE = re.compile(r"[ \u00a0\u202f]?([^\W\d_]+)")  # "1,2 million", "3k"
_PERCENT = re.compile(r"[ \u00a0\u202f]?(?:%|pour ?cent|percent|per cent)", re.IGNORECASE)
# What a check of figures cannot read, said only as the material writes it: counts, scales,
# fractions and multiples in words ("deux tiers", "mille"), and words holding digits ("top10",
# "v5", "3e", "x3", "×2").
_SPELLED = re.compile(
    r"(?i)\b(?:" + "|".join(sorted(WORD_NUMBERS, key=len, reverse=True))
    + r"|cents?|mille|milliers?|millions?|milliards?|centaines?|douzaines?|hundreds?|"
    r"thousands?|billions?|trillions?|dozens?|moitié|tiers|quarts?|half|halves|thirds?|"
    r"quarters?|double[sd]?|triple[sd]?|quadruple[sd]?|twice|thrice|fois|times)\b"
    r"|(?<![\w×])[\w×]*(?:[^\W\d_]\d|\d[^\W\d_]|×\d)[\w×]*"
)  # fmt: skip
_BULLET = re.compile(r"^\s*(?:[-*•·–—>]+|\d{1,2}[.)])\s+")
_LABEL = re.compile(r"^\s*(?:hook|accroche|takeaways?|à retenir)\s*:\s*", re.IGNORECASE)


class Refused(Exception):
    """The draft breaks a rule; the message says which, for the warning."""


@dataclass(frozen=True, slots=True)
class Written:
    """What a model drafted and recapmail accepted."""

    hook: str
    takeaways: tuple[str, ...] = ()


def accept(answer: str, m: Material) -> Written:
    """The answer's texts when every check passes; Refused(reason) otherwise."""
    lines = _lines(answer)
    if not lines:
        raise Refused("the answer is empty")
    hook, takeaways = lines[0], tuple(lines[1 : 1 + MAX_TAKEAWAYS]) if m.kind == "post" else ()
    hook_limit = INTRO_LIMIT if m.kind == "intro" else HOOK_LIMIT
    _fits(hook, hook_limit, "the intro" if m.kind == "intro" else "the hook")
    for text in takeaways:
        _fits(text, TAKEAWAY_LIMIT, "a takeaway")
    kept = tuple(_check(text, m) for text in (hook, *takeaways))
    # No hint: with one, a short Spanish or German draft would pass for the team's language.
    language = detect_language(" ".join(kept))
    if language != m.language:
        raise Refused(f"it is written in {language!r}, not in {m.language!r}")
    return Written(hook=kept[0], takeaways=kept[1:])


def _lines(answer: str) -> list[str]:
    text = answer.strip()
    if text.startswith(("{", "[", "```")):
        raise Refused("the answer is not plain text")
    out = []
    for raw in text.splitlines():
        line = clean(_LABEL.sub("", _BULLET.sub("", raw)))
        if line:
            out.append(line)
    return out


def _fits(text: str, most: int, name: str) -> None:
    # LinkedIn's count (UTF-16) is the strictest of the three platforms' for plain prose.
    length = count(text, "linkedin")
    if length > most:
        raise Refused(f"{name} is {length} characters, more than {most}")


def _check(text: str, m: Material) -> str:
    """The line with the article's own link taken out (recapmail adds it), once its links,
    hashtags and numbers are checked."""
    # Mastodon's reading of links (bare domains too), and anything with a scheme.
    spans = mastodon_urls(text, bare_domains=True)
    spans += [match.span() for match in _SCHEME_URL.finditer(text)]
    own = {_bare(m.link)} if m.link else set()
    for start, end in spans:
        url = text[start:end].rstrip(".,;:!?)")
        if _bare(url) not in own:
            raise Refused(f'the link "{url}" is not the article\'s')
    for start, end in reversed(_merged(spans)):  # the article's own link: recapmail adds it
        text = f"{text[:start].rstrip(' :—-')} {text[end:].lstrip()}".strip()
        text = re.sub(r"\s+([.,])", r"\1", text)
    contact = _CONTACT.search(text)
    if contact:
        raise Refused(f'"{_word_at(text, contact.start())}" names someone to notify or write to')
    for tag in _HASHTAG.findall(text):
        known = tag[1:].lower() in KNOWN_TAGS
        if (hashtag(tag) or "").casefold() != tag.casefold() or (
            re.search(r"\d", tag) and not known
        ):
            raise Refused(f'"{tag}" is not a hashtag recapmail would write')
    allowed = _allowed(m)
    plain = unicodedata.normalize("NFKC", _HASHTAG.sub(" ", text))  # "⑫", "６５０" -> "12", "650"
    odd = next(
        (c for c in plain if not c.isascii() and unicodedata.numeric(c, None) is not None), None
    )
    if odd is not None:  # "½", "Ⅻ", "٦": a number no check reads
        raise Refused(f'"{odd}" is a number that cannot be checked against the {_source(m)}')
    said = _material_words(m)
    # A number with its scale or "pour cent" is read below, as a number.
    for found in _SPELLED.finditer(_NUMBER_WITH_SCALE.sub(" ", _NUMBER_PERCENT.sub(" ", plain))):
        if found.group(0).lower() not in said:
            raise Refused(f'"{found.group(0)}" is not in the {_source(m)}')
    for match in _NUMBER.finditer(plain):
        value, percent, end = _said(match, plain, m.language)
        if (value, percent) not in allowed:
            after = _AFTER.match(plain, match.end())
            word = after.group(0) if after else ""
            quoted = plain[match.start() : end] if end > match.end() else match.group(0)
            quoted += "" if end > match.end() or word.strip().lower() in _LINKS else word
            raise Refused(f'"{quoted.strip()}" is not in the {_source(m)}')
    return text


def _said(match: re.Match[str], text: str, language: str) -> tuple[float | None, bool, int]:
    """The value a number of the draft says (its scale word applied: "1,2 million"), whether
    it is a percentage, and where what was read ends."""
    raw, end = match.group(0), match.end()
    # A single group of three digits is a thousands separator in either language; otherwise
    # the number is read as the draft's language writes it ("1,8" is 1.8 in French).
    value = (
        float(re.sub(r"[.,]", "", raw))
        if _GROUPED_ONCE.fullmatch(raw)
        else parse_number(raw, language)
    )
    scale = _SCALE.match(text, end)
    if value is not None and scale and scale.group(1).lower() in MULTIPLIERS:
        value, end = value * MULTIPLIERS[scale.group(1).lower()], scale.end()
    percent = _PERCENT.match(text, end)
    if percent:
        end = percent.end()
    return (None if value is None else _rounded(value)), bool(percent), end


def _material_words(m: Material) -> set[str]:
    """The words of what the model was given, lower-cased: a count in words, "x3" or "top10"
    may be said only as they are written there."""
    texts = (m.title, *m.titles, m.summary, *m.highlights, *(f.value for f in m.figures))
    return {w.lower() for text in texts for w in re.findall(r"[\w×]+", text)}


def _rounded(value: float) -> float:
    return float(f"{value:.6g}")


def _word_at(text: str, start: int) -> str:
    return text[start:].split()[0].rstrip(".,;:!?)") if text[start:].strip() else text[start:]


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def _allowed(m: Material) -> set[tuple[float | None, bool | None]]:
    """Every number the draft may say: each figure as the recap says it (its value, and
    whether it is a percentage), and the numbers of the titles given, said in any way."""
    found: set[tuple[float | None, bool | None]] = {
        (_rounded(f.number), "%" in f.value) for f in m.figures
    }
    for text in (m.title, *m.titles):
        for match in _NUMBER.finditer(text):
            value, percent, _ = _said(match, text, m.language)
            found.add((value, percent))
    return found


def _source(m: Material) -> str:
    return {"post": "recap", "hook": "week's top story", "intro": "week's items"}[m.kind]


def _bare(url: str | None) -> str:
    """A link compared without its scheme, "www." or final slash: the same page."""
    value = re.sub(r"^(?:https?://)?(?:www\.)?", "", (url or "").strip(), flags=re.IGNORECASE)
    return value.rstrip("/").lower()
