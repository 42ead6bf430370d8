"""Sentence splitting for French and English prose.

General-purpose splitters cut French after "nov." or "M." and miss "fin ! Puis" with its spaced
punctuation; a boundary here is end punctuation followed by what can start a sentence, unless the
word before the dot is a known abbreviation, an initial or part of a number.
"""

from __future__ import annotations

import re

_COMMON = {
    "etc.", "cf.", "vs.", "ex.", "fig.", "vol.", "no.", "nos.", "p.", "pp.", "env.", "approx.",
    "st.", "dr.", "prof.", "jan.", "feb.", "mar.", "apr.", "jun.", "jul.", "aug.", "sep.",
    "sept.", "oct.", "nov.", "dec.", "e.g.", "i.e.", "a.m.", "p.m.", "u.s.", "u.k.", "n.b.",
}  # fmt: skip
_ABBREVIATIONS = {
    "fr": _COMMON
    | {
        "m.", "mm.", "mme.", "mlle.", "me.", "pr.", "ste.", "janv.", "févr.", "fév.", "avr.",
        "juil.", "déc.", "art.", "chap.", "éd.", "hab.", "min.", "max.", "tél.", "av.", "apr.",
        "j.-c.", "c.-à-d.", "s.a.", "ca.", "mds.", "md.", "n°.", "resp.", "cad.",
    },
    "en": _COMMON
    | {
        "mr.", "mrs.", "ms.", "sr.", "jr.", "inc.", "ltd.", "co.", "corp.", "dept.", "est.",
        "gen.", "gov.", "sen.", "rep.", "mt.", "ft.", "al.", "ave.", "blvd.", "rd.",
    },
}  # fmt: skip
_ANY_LANGUAGE = _ABBREVIATIONS["fr"] | _ABBREVIATIONS["en"]  # text of unknown language (posts)
# Lowercase "etc." ends sentences often enough that splitting after it is the better bet.
_NOT_ABBREVIATION_WHEN_CAPITAL_FOLLOWS = {"etc."}

# Linear on any input: a mark run is only entered at its first character (the lookbehinds) and
# every repetition is possessive, so "!!!!…", "....…" or 200 KB of combining marks never rescan.
_BOUNDARY = re.compile(
    r"(?:(?<=[^\s.…])[.…]++|(?<![!?\s])\s?[!?](?:\s?[!?])*+)"  # end mark, "fin !" included
    r"(?P<close>[\"'»”)\]]*+)"  # closing quotes or brackets stay with the sentence
    r"(?P<space>\s++)"
    r"(?=[\"'«“(\[]?\s?[A-ZÀ-ÖØ-Þ0-9])"  # what a new sentence can start with
)
_WORD_TAIL = 80  # an abbreviation or a run of initials is shorter than this
_INITIAL = re.compile(r"^(?:[A-ZÀ-Þ]\.)+$|^[A-ZÀ-Þ]$")


def split_sentences(text: str, language: str | None) -> list[str]:
    """Sentences of `text` in order; a line break always ends a sentence (bullets, headings).
    With no language, the abbreviations of French and English both hold."""
    abbreviations = _abbreviations(language)
    sentences: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if line:
            sentences.extend(_split_line(line, abbreviations))
    return sentences


def _split_line(line: str, abbreviations: set[str]) -> list[str]:
    parts: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(line):
        end_mark = match.group(0)[: len(match.group(0)) - len(match.group("space"))]
        before = line[start : match.start()]
        if "." in end_mark and not match.group("close") and _is_abbreviation(before, abbreviations):
            continue
        cut = match.end() - len(match.group("space"))
        piece = line[start:cut].strip()
        if piece:
            parts.append(piece)
        start = match.end()
    rest = line[start:].strip()
    if rest:
        parts.append(rest)
    return _merge_fragments(parts)


def ends_with_abbreviation(text: str, language: str | None = None) -> bool:
    """Whether the full stop ending `text` belongs to a word ("nov.", "M.", "J."), not to it."""
    return text.endswith(".") and _is_abbreviation(text[:-1], _abbreviations(language))


def _abbreviations(language: str | None) -> set[str]:
    if language is None:
        return _ANY_LANGUAGE
    return _ABBREVIATIONS.get(language, _ABBREVIATIONS["en"])


def _is_abbreviation(before: str, abbreviations: set[str]) -> bool:
    tail = before[-_WORD_TAIL:]
    if not tail or tail[-1].isspace():
        return False
    word = tail.split()[-1].lstrip("(«\"'[")
    lowered = word.lower() + "."
    if lowered in abbreviations and lowered not in _NOT_ABBREVIATION_WHEN_CAPITAL_FOLLOWS:
        return True
    # "J. Smith", "D.C.", "U.S." -- initials, not ends of sentences.
    return bool(_INITIAL.match(word + ".")) or (len(word) == 1 and word.isupper())


def _merge_fragments(parts: list[str]) -> list[str]:
    """A piece of one or two characters ("1.", "a)") belongs to its neighbour."""
    merged: list[str] = []
    for part in parts:
        after_number = merged and len(merged[-1]) <= 3 and merged[-1][:-1].isdigit()
        if merged and (len(part) <= 2 or after_number):
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    return merged
