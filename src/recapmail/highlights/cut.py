"""Long sentences cut to a readable highlight at clause boundaries, never inside a word.

Asides go first (parentheses and dash asides without a figure), then a leading adverbial phrase
without names or numbers, then trailing clauses; only when no clause boundary fits is the text cut
at a word boundary. A cut is marked with an ellipsis so no one reads it as a full quote.
"""

from __future__ import annotations

import re

LIMIT = 220
# Lookaheads bounded by the aside's own length: "((((…" must not rescan the rest of the text.
_PAREN = re.compile(r"\s?\((?![^)]{0,121}\d)[^()]{2,120}\)")
_DASH_ASIDE = re.compile(r"\s[—–-]\s(?![^—–]{0,121}\d)[^—–]{2,120}\s[—–-](?=\s)")
_LEAD = re.compile(
    r"^(?P<lead>[^,;:]{8,80}),\s+(?P<rest>.+)$"
)  # "Dans un contexte de pressions économiques, l'ouverture…"
_CLAUSE = re.compile(
    r"(?:[;:]\s|,\s(?!\d{3}\b)|\s[—–]\s|\s(?=(?:which|who|while|whereas|where|as well as|including|"
    r"with|qui|dont|où|alors que|tandis que|afin de|avec|notamment|ainsi que|mais|but)\s))"
)
_NAME_OR_NUMBER = re.compile(r"\d|(?<!^)(?<![.!?]\s)\b[A-ZÀ-Þ]\w+")
_END = re.compile(r"[\s,;:—–-]+$")


def shorten_highlight(sentence: str, limit: int = LIMIT) -> str:
    """`sentence` if it fits in `limit` characters, else its most informative head that does."""
    text = " ".join(sentence.split())
    if len(text) <= limit:
        return text
    text = _PAREN.sub(_gap, text)
    text = " ".join(_DASH_ASIDE.sub(_gap, text).split())
    if len(text) <= limit:
        return text
    lead = _LEAD.match(text)
    if lead and not _NAME_OR_NUMBER.search(lead.group("lead")) and len(lead.group("rest")) > 60:
        rest = lead.group("rest")
        text = rest[:1].upper() + rest[1:]
        if len(text) <= limit:
            return text
    return _cut(text, limit)


def _gap(match: re.Match[str]) -> str:
    """What an aside leaves behind: a space when it sat between two words, else nothing."""
    after = match.string[match.end() : match.end() + 1]
    return " " if after.isalnum() else ""


def _cut(text: str, limit: int) -> str:
    room = limit - 1  # the ellipsis
    best = 0
    for match in _CLAUSE.finditer(text):
        if match.start() > room:
            break
        if match.start() >= limit * 0.45:
            best = match.start()
    if not best:
        space = text.rfind(" ", 0, room)
        best = space if space > 0 else room
    head = _END.sub("", text[:best])
    head = _balance(head).rstrip(" ,;:")
    if head.endswith((".", "!", "?")) and len(head) > limit * 0.6:
        return head  # the sentence itself ended there: nothing was cut but a stray mark
    return head + "…"


def _balance(text: str) -> str:
    """Drop an opened and never closed bracket or quote, with what follows it."""
    for opening, closing in (("(", ")"), ("«", "»"), ("[", "]")):
        if text.count(opening) > text.count(closing):
            text = text[: text.rfind(opening)].rstrip()
    if text.count('"') % 2:
        text = text[: text.rfind('"')].rstrip()
    return text
