"""A model's answer -> the texts it drafted, or the reason it is refused.

A draft is used only if every number in it is one of the article's figures (or in a title it
was given), every link is the article's, every hashtag is one recapmail would write, it is in
the team's language and each line fits where it goes, as the platforms count. The checks use
the project's own readers of numbers, links, hashtags and languages, so a draft is judged as
the extractive text would be.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from recapmail.drafting.prompt import HOOK_LIMIT, INTRO_LIMIT, TAKEAWAY_LIMIT, Material
from recapmail.highlights.hashtags import hashtag
from recapmail.highlights.language import detect_language
from recapmail.highlights.numbers import NUMBER, parse_number
from recapmail.highlights.words import word_set
from recapmail.render.counting import count, mastodon_urls
from recapmail.render.shorten import clean

MAX_TAKEAWAYS = 5
_NUMBER = re.compile(rf"(?<![\w.,])(?:{NUMBER})(?!\d)")
_AFTER = re.compile(r"[ \u00a0\u202f]?(?:%|[^\W\d_][\w’'\-]*)")  # "1 500 participants", "32 %"
# Words that say nothing of what a number counts: "2025 and", "17 at" are quoted as "2025", "17".
_LINKS = word_set("and or at in on of to for the a an et ou à au aux en de des du le la les")
_HASHTAG = re.compile(r"(?<![\w&])#\w+")
_SCHEME_URL = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://[^\s<>\"]+")
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
    for tag in _HASHTAG.findall(text):
        if (hashtag(tag) or "").casefold() != tag.casefold():
            raise Refused(f'"{tag}" is not a hashtag recapmail would write')
    allowed = _allowed(m)
    plain = _HASHTAG.sub(" ", text)
    for match in _NUMBER.finditer(plain):
        raw = match.group(0)
        values = {parse_number(raw, m.language), parse_number(raw, "en"), parse_number(raw, "fr")}
        if not values & allowed:
            after = _AFTER.match(plain, match.end())
            word = after.group(0) if after else ""
            quoted = raw + ("" if word.strip().lower() in _LINKS else word)
            raise Refused(f'"{quoted}" is not in the {_source(m)}')
    return text


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def _allowed(m: Material) -> set[float | None]:
    """Every number the draft may say: the figures, and the numbers of the titles given."""
    found: set[float | None] = {f.number for f in m.figures}
    for text in (m.title, *m.titles, *(f.value for f in m.figures)):
        for match in _NUMBER.finditer(text):
            for language in (m.language, "en", "fr"):
                found.add(parse_number(match.group(0), language))
    found.discard(None)
    return found


def _source(m: Material) -> str:
    return {"post": "recap", "hook": "week's top story", "intro": "week's items"}[m.kind]


def _bare(url: str | None) -> str:
    """A link compared without its scheme, "www." or final slash: the same page."""
    value = re.sub(r"^(?:https?://)?(?:www\.)?", "", (url or "").strip(), flags=re.IGNORECASE)
    return value.rstrip("/").lower()
