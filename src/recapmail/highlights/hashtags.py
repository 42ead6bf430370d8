"""Hashtags in the order an editor would post them: the event, the projects and companies, the
topics; places and acronyms the article spells out in passing come last.

The event keeps its full name when that makes a readable tag (#CloudLibreSummit2025); a long one
is tagged by its brand, the way people tag it (#KubeCon, not #KubeConCloudNativeConNorthAmerica).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from recapmail.highlights.keywords import EVENT_WORDS, MAX_HASHTAGS, hashtag
from recapmail.highlights.words import FIRST_NAMES

MAX_EVENT_TAG = 24
_EXTRA_SCORE = 0.8  # a project named once or twice, outside the keywords, can still be tagged
MAX_EXTRAS = 3
_PLACE_BEFORE = re.compile(r"(?:\b(?:à|au|in|at|near|près de)\s+)$", re.IGNORECASE)
_INSIDE_NAME = re.compile(r"\b[A-ZÀ-Þ][\w-]*\s+$")
_NAME_AFTER = re.compile(r"\s+[A-ZÀ-Þ]")
EVENT, NAME, TOPIC, ASIDE = range(4)


def pick_hashtags(
    keywords: Sequence[str],
    terms: Sequence[tuple[str, float]] = (),
    prose: Sequence[str] = (),
) -> tuple[str, ...]:
    """Hashtags for the keywords (and for names among `terms` the keywords left out)."""
    text = " ".join(prose)
    scores = dict(terms)
    candidates: list[tuple[int, float, int, str]] = []
    for position, keyword in enumerate(keywords):
        score = scores.get(keyword, float(len(keywords) - position))
        candidates.append((_kind(keyword, text), -score, position, keyword))
    extras = 0
    for position, (term, score) in enumerate(terms, start=len(keywords)):
        if extras == MAX_EXTRAS or score < _EXTRA_SCORE or term in keywords:
            continue
        if len(term.split()) == 1 and term[:1].isupper() and _kind(term, text) == NAME:
            candidates.append((NAME, -score, position, term))
            extras += 1
    by_kind: dict[int, list[str]] = {kind: [] for kind in (EVENT, NAME, TOPIC, ASIDE)}
    for kind, _score, _position, term in sorted(candidates):
        tag = _event_tag(term) if kind == EVENT else hashtag(term)
        if tag and len(tag) > 2 and not _is_person(term) and not _looks_constant(term):
            by_kind[kind].append(tag)
    events, names, topics = by_kind[EVENT], by_kind[NAME], by_kind[TOPIC]
    # A few names, then room for the topics before the remaining names.
    ordered = [*events[:1], *names[:3], *topics[:2], *events[1:], *names[3:], *topics[2:]]
    kept: list[str] = []
    for tag in [*ordered, *by_kind[ASIDE]]:
        folded = tag.lower()
        # "#Proxmox" after "#ProxmoxVE" says nothing new
        if not any(folded.startswith(k.lower()) or k.lower().startswith(folded) for k in kept):
            kept.append(tag)
    return tuple(kept[:MAX_HASHTAGS])


def _looks_constant(term: str) -> bool:
    """UUID_OF_SECRET or MY_VAR escaped from a code block: capitals too long for an acronym
    (CNCF, OCI, KCD are short), or joined by underscores."""
    letters = term.replace("_", "")
    return "_" in term or (letters.isupper() and len(letters) > 6)


def _kind(term: str, text: str) -> int:
    if term[:1].islower():
        return TOPIC
    if EVENT_WORDS.search(term):
        return EVENT
    if term.isupper() and f"({term})" in text:
        return ASIDE  # "la gestion dynamique des ressources (DRA)": explained, not a subject
    if text and _only_as_place(term, text):
        return ASIDE
    return NAME


def _only_as_place(term: str, text: str) -> bool:
    """Every mention reads "à Lyon", "in Salt Lake City" (or sits inside a longer name, as in
    "Journées OpenInfra Lyon"): a place."""
    if term not in text:
        return False
    alone = [
        m.start()
        for m in re.finditer(rf"(?<!\w){re.escape(term)}(?!\w)", text)
        if not _INSIDE_NAME.search(text[max(0, m.start() - 30) : m.start()])
        and not _NAME_AFTER.match(text, m.end())
    ]
    return bool(alone) and all(_PLACE_BEFORE.search(text[max(0, i - 12) : i]) for i in alone)


def _event_tag(name: str) -> str | None:
    tag = hashtag(name)
    if tag and len(tag) <= MAX_EVENT_TAG:
        return tag
    brands = [w for w in re.findall(r"[\w-]+", name) if any(c.isupper() for c in w[1:])]
    if brands:
        return hashtag(brands[0])
    without_year = hashtag(re.sub(r"\b(?:19|20)\d\d\b", "", name))
    return without_year if without_year and len(without_year) <= MAX_EVENT_TAG else None


def _is_person(term: str) -> bool:
    words = term.split()
    first = unicodedata.normalize("NFKD", words[0].lower()).encode("ascii", "ignore").decode()
    return len(words) in {2, 3} and first in FIRST_NAMES
