"""Key numbers and what they count, in French and English formats.

"1 200 participants", "1,200+ attendees", "+32 %", "$24.81 billion", "15th anniversary", "3-day",
"près d'un million de contributions": the value as written, the number as a float and the label
taken around it. Dates, years, times, versions and identifiers (H100, Qwen3-8B) are not figures.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

from recapmail.highlights.changes import change_label, is_bare_change
from recapmail.highlights.figure_labels import (
    MEASURES,
    TIME_UNITS,
    counted_before,
    counts,
    head,
    is_time,
    label_after,
    label_before,
    percent_label,
)
from recapmail.highlights.numbers import (
    APPROX,
    FIGURE,
    MONTH_AFTER,
    MONTH_BEFORE,
    MULTIPLIERS,
    WORD_NUMBERS,
    WORDS_FIGURE,
    currency,
    french_number,
    parse_number,
)
from recapmail.highlights.releases import DOTTED, VERSION_BEFORE, versions
from recapmail.model import Figure

__all__ = [
    "figures_in",
    "find_figures",
    "french_number",
    "is_duration",
    "is_release",
    "parse_number",
    "phrase",
    "select_figures",
]

MAX_FIGURES = 8
# The figure that leads is about the article's subject: this edition, this event, its result...
_ABOUT_SUBJECT = re.compile(
    r"\b(?:cette (?:édition|année|conférence|rencontre|journée)|l['’]événement|le sommet|"
    r"(?:a|ont|avait) (?:réuni|rassemblé|accueilli|attiré)|this (?:year|edition|event|"
    r"conference|summit)|the (?:event|summit|conference)|this year['’]s|gathered|welcomed|"
    r"attracted|brought together|came together|attendance|fréquentation|"
    r"se sont (?:réunis|retrouvés|rassemblés))\b",
    re.IGNORECASE,
)
# ...not the background it recalls: a community's size, a project's count since its start.
_BACKGROUND = re.compile(
    r"\b(?:depuis (?:19|20)\d\d|since (?:19|20)\d\d|depuis (?:sa|son|leur) (?:création|"
    r"lancement|début)|since (?:its|their) (?:creation|founding|inception|launch|start)|"
    r"au total|in total|to date|à ce jour|dans la communauté|in the community|worldwide|"
    r"dans le monde|across the globe|around the world)\b",
    re.IGNORECASE,
)
SUBJECT_WEIGHT = 1.5
_NOUN_BEFORE = re.compile(r"([A-Za-zÀ-ÖØ-öø-ÿ][\w-]*s)\s*,\s*$")  # a plural noun, then a comma
_CONTEXT = 200  # characters of a sentence read on each side of a number
MAX_RELEASES = 3  # a release note names many versions; the reader needs the new and the next


def phrase(figure: Figure) -> str:
    """The figure in words, as its sentence puts it when it can: "près d'un million de
    contributions", "a million of them", not "près d'un million contributions"."""
    if figure.label:
        linked = re.search(
            rf"{_loose(figure.value)}(\s+(?:de|d'|d’|of)\s*){re.escape(figure.label)}\b",
            figure.sentence,
            re.IGNORECASE,
        )
        if linked:
            link = linked.group(1).strip()
            space = "" if link.endswith(("'", "’")) else " "
            return f"{figure.value} {link}{space}{figure.label}"
    return f"{figure.value} {figure.label}".strip()


def _loose(value: str) -> str:
    """A pattern for the value as the sentence wrote it ("1 000" was "1000", "8,5" was "8.5")."""
    parts = re.split(r"[ \u00a0\u202f,.]", value)
    return r"[ \u00a0\u202f,.]?".join(re.escape(part) for part in parts)


def find_figures(sentences: Sequence[str], language: str) -> tuple[Figure, ...]:
    """The figures a reader should see, most telling first (at most MAX_FIGURES)."""
    return select_figures([figures_in(sentence, language) for sentence in sentences])


def select_figures(per_sentence: Sequence[Sequence[tuple[float, Figure]]]) -> tuple[Figure, ...]:
    """Figures found sentence by sentence -> the best ones, each (number, label) once."""
    scored = [
        (score, index, figure)
        for index, found in enumerate(per_sentence)
        for score, figure in found
    ]
    scored.sort(key=lambda item: (-item[0], item[1]))
    kept: list[Figure] = []
    seen: set[tuple[float, str]] = set()
    releases = 0
    for score, _index, figure in scored:
        release = is_release(figure)
        key = (figure.number, "version" if release else head(figure.label))
        if score < 1.5 or key in seen or (release and releases == MAX_RELEASES):
            continue
        releases += release
        seen.add(key)
        kept.append(figure)
        if len(kept) == MAX_FIGURES:
            break
    return tuple(kept)


def is_release(figure: Figure) -> bool:
    return figure.label.startswith("version") or figure.label.endswith("release")


def is_duration(figure: Figure) -> bool:
    """ "6 mois", "deux jours de conférences": how long, not how many."""
    return is_time(figure.label)


def figures_in(sentence: str, language: str) -> list[tuple[float, Figure]]:
    """Every figure of one sentence with how telling it is."""
    return list(_figures_in(sentence, language))


def _figures_in(sentence: str, language: str) -> Iterable[tuple[float, Figure]]:
    found: list[tuple[int, Figure, str]] = []
    for match in FIGURE.finditer(sentence):
        figure = _digit_figure(sentence, match, language)
        if figure is not None:
            found.append(
                (match.start(), figure, sentence[max(0, match.start() - 20) : match.start()])
            )
    for match in WORDS_FIGURE.finditer(sentence):
        figure = _word_figure(sentence, match)
        if figure is not None:
            found.append((match.start(), figure, match.group("approx") or ""))
    found.sort(key=lambda item: item[0])
    # "réuni 650 participants venus de 14 pays": the sentence's first count is its subject
    lead = next((f for _, f, _ in found if counts(f.label) or "%" in f.value), None)
    for _start, figure, context in found:
        yield _score(figure, context, figure is lead), figure
    if DOTTED.search(sentence):
        yield from versions(sentence, language)


def _digit_figure(sentence: str, match: re.Match[str], language: str) -> Figure | None:
    raw = match.group("num")
    number = parse_number(raw, language)
    if number is None:
        return None
    # bounded context: a 200 KB "sentence" of numbers must not copy itself for every figure
    before = sentence[max(0, match.start() - _CONTEXT) : match.start()]
    after = sentence[match.end() : match.end() + _CONTEXT]
    pct, cur = match.group("pct"), match.group("cur") or currency(match.group("prefix"))
    ordinal, unit = match.group("ord"), match.group("unit")
    mult = (match.group("mult") or "").strip().lower()
    if mult:
        number *= MULTIPLIERS.get(mult, 1.0)
    if match.group("prefix") and match.group("prefix").strip() in "-−":
        number = -number
    if MONTH_AFTER.match(after) or (not pct and not cur and MONTH_BEFORE.search(before[-14:])):
        return None
    if not pct and not cur and not mult and VERSION_BEFORE.search(before[-12:]):
        return None
    value = match.group(0).strip()
    glued = match.group("glued")
    if language == "fr":
        value = value.replace(raw, french_number(raw, parse_number(raw, language)), 1)
    if glued:
        # "5min", "24GB": the unit is the label, the value the number ("5 min", "24 GB")
        value = value[: value.rindex(glued)]
        noun = label_after(after)[0]
        label = glued if not noun or is_time(glued) else f"{glued} {noun}"
        figure = Figure(value=value, number=float(number), label=label, sentence=sentence)
        return _with_qualifier(figure, before)
    if unit:
        # "3-day event": the span stays in the value; "256-GPU cluster": 256 of GPU cluster.
        word = unit[1:]
        noun = label_after(after)[0]
        if word.lower().rstrip("s") in TIME_UNITS:
            # a Title Case heading ("the 3-Day Event") capitalises common nouns too
            label = (noun.lower() if word[:1].isupper() else noun) or word.lower()
        else:
            value = value[: -len(unit)]
            label = f"{word} {noun}".strip() if noun else word
    elif pct:
        counted = counted_before(before)
        label = change_label(before, after, language, counted) or percent_label(before, after)
    elif cur or mult:
        label = label_after(re.sub(r"^\s*(?:in|en|of)\s", " ", after))[0] or label_before(before)
    else:
        label, _ = label_after(after)
        plural = _NOUN_BEFORE.search(before)
        if not label and plural and counts(plural.group(1)):
            label = plural.group(1)  # "un nombre de projets, 40 à l'heure où…": 40 projets
    if not label and not (pct or cur):
        return None
    is_year = 1900 <= abs(number) <= 2100 and raw.isdigit() and not (pct or cur or mult)
    if is_year and (not counts(label) or label[:1].isupper()):
        return None
    if abs(number) < 2 and not (pct or cur or mult or ordinal):
        return None
    return _with_qualifier(
        Figure(value=value, number=float(number), label=label, sentence=sentence), before
    )


def _with_qualifier(figure: Figure, before: str) -> Figure:
    """ "plus de 1 200", "over 300": the qualifier is part of the figure ("1 200+" has its own)."""
    qualifier = APPROX.search(before[-24:])
    if not qualifier or figure.value.endswith("+") or figure.value[:1] in "+-−~≈":
        return figure
    words = qualifier.group(0).strip().lower()
    joiner = "" if words.endswith("'") else " "
    return Figure(
        value=f"{words}{joiner}{figure.value}",
        number=figure.number,
        label=figure.label,
        sentence=figure.sentence,
    )


def _word_figure(sentence: str, match: re.Match[str]) -> Figure | None:
    words = match.group("words").lower().split()
    if len(words) == 2:
        number = MULTIPLIERS.get(words[1].rstrip("s"), MULTIPLIERS.get(words[1], 0.0))
        if words[1].startswith("centaine"):
            number = 100
    else:
        number = WORD_NUMBERS[words[0]]
    if match.group("unit"):
        label = match.group("unit")[1:]
    else:
        label, _ = label_after(sentence[match.end() :])
    if not label or not number or (len(words) == 1 and not (counts(label) or is_time(label))):
        return None
    value = (match.group("approx") or "") + match.group("words")
    return Figure(value=value, number=float(number), label=label, sentence=sentence)


def _score(figure: Figure, context: str, lead: bool = False) -> float:
    value = figure.value.lower()
    score = 0.0
    if "%" in value or "percent" in value or "pour" in value:
        # "30 % de participants en plus" tells more than "30 % de hausse"
        score += 1.5 if is_bare_change(figure.label) or is_time(figure.label) else 3.0
    if any(sign in value for sign in "$€£") or "euro" in value or "dollar" in value:
        score += 3.0
    if any(word in value for word in ("million", "milliard", "billion", "thousand", "mille")):
        score += 1.5
    if counts(figure.label) and not is_time(figure.label):
        score += 2.5  # "deux jours de conférences" says how long, not how many conferences
    if value.endswith("+") or APPROX.search(context):
        score += 1.0
    measured = len(figure.label.split()) == 3 and figure.label.split()[1] in {"of", "de", "d'"}
    if is_time(figure.label):
        # durations are key figures of this field: "207 jours pour détecter", "en 6 mois"
        score += 1.5 + (0.5 if measured else 0.0)
        anniversary = "anniv" in figure.sentence.lower() or re.search(
            r"\b(?:ans|years?) (?:de|d'|of)\b", figure.sentence.lower()
        )
        score += 1.0 if anniversary else 0.0
    elif figure.label.split(" ")[0] in MEASURES:
        score += 1.5
    if re.search(r"\d(?:st|nd|rd|th|e|ème|er)\b", value) and not counts(figure.label):
        score -= 1.0
    if figure.label[:1].isupper() and not counts(figure.label):
        score -= 0.5
    if abs(figure.number) >= 10:
        score += min(1.5, math.log10(abs(figure.number)) / 3)
    if re.search(r"\d-[a-zA-Zéè]+$", value):  # "3-day", "two-day": how long the event ran
        score += 1.0
    if _BACKGROUND.search(figure.sentence):
        score -= SUBJECT_WEIGHT
    elif lead and _ABOUT_SUBJECT.search(figure.sentence):
        score += SUBJECT_WEIGHT
    return score + (0.5 if figure.label else -0.5)
