"""French typography: the spaces a French reader expects, applied to plain text.

Narrow no-break space (U+202F) before ; : ! ? and inside « », no-break spaces inside numbers
("1 200") and before %, so a line never breaks between a number and its unit; the typographic
apostrophe in "l’équipe". URLs, times
(14:30) and code-like text ("std::vector") are left alone.
"""

from __future__ import annotations

import re

NNBSP = "\u202f"
NBSP = "\u00a0"

_URL = re.compile(r"(?:https?://|mailto:|www\.)\S+", re.IGNORECASE)
_SPACES = "[ \u00a0\u202f]"
# A mark that ends a word and is followed by a space, a closing sign or the end of the text.
_HIGH_PUNCT = re.compile(rf"(?<=[\w)\]»\"'’%…*]){_SPACES}?([;:!?]+)(?=\s|$|[)\]»\"’])")
_OPEN_GUILLEMET = re.compile(rf"«{_SPACES}*")
_CLOSE_GUILLEMET = re.compile(rf"{_SPACES}*»")
_GROUPED_NUMBER = re.compile(rf"(?<![\d.,])\d{{1,3}}(?:{_SPACES}\d{{3}})+(?![\d])")
_PERCENT = re.compile(rf"(?<=\d){_SPACES}?%")
_APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")


def french(text: str) -> str:
    """Apply French spacing rules to `text`, outside of URLs."""
    parts = []
    last = 0
    for match in _URL.finditer(text):
        parts.append(_french_prose(text[last : match.start()]))
        parts.append(match.group(0))
        last = match.end()
    parts.append(_french_prose(text[last:]))
    return "".join(parts)


def apply(text: str, language: str) -> str:
    """Typography for `language`; only French has rules of its own here."""
    return french(text) if language == "fr" else text


def _french_prose(text: str) -> str:
    if not text:
        return text
    text = _HIGH_PUNCT.sub(lambda m: NNBSP + m.group(1), text)
    text = _OPEN_GUILLEMET.sub("«" + NNBSP, text)
    text = _CLOSE_GUILLEMET.sub(NNBSP + "»", text)
    text = _GROUPED_NUMBER.sub(lambda m: re.sub(_SPACES, NNBSP, m.group(0)), text)
    text = _APOSTROPHE.sub("’", text)  # l'open -> l’open
    return _PERCENT.sub(NBSP + "%", text)
