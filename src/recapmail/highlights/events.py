"""Articles about one event grouped into a cluster, their highlights merged, their figures checked.

Two articles are about the same event when the same event name ("OpenInfra Summit Europe 2025")
is central to both (in the title, the summary or the top keywords) for the same year; the type
word counts in either language ("Journées X" is "X Days", "Sommet X" is "X Summit"), and a name
under another type word ("Rencontres X" and "X Days") needs the articles to give the same
figures. Only items sharing a word of an event name are compared, so a week of 10,000 items
costs little more than reading their titles. Figures that count the same thing (countries,
attendees…) but disagree are listed as conflicts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from recapmail.highlights.figures import is_duration
from recapmail.highlights.hashtags import pick_hashtags
from recapmail.highlights.keywords import EVENT_WORDS, names_in
from recapmail.highlights.words import word_set
from recapmail.model import Cluster, Conflict, Figure, Highlights
from recapmail.text import fold

_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_CONCEPTS = {
    "countries": ("countr", "pays", "nation"),
    "attendees": ("participant", "attendee", "people", "personne", "visit", "inscrit", "registr"),
    "members": ("member", "membre"),
    "sessions": ("session", "talk", "conference", "breakout"),
    "sponsors": ("sponsor",),
    "contributors": ("contributor", "contributeur"),
    "contributions": ("contribution",),
    "projects": ("project", "projet"),
    "organizations": ("organi", "compan", "entreprise"),
    "teams": ("team", "equipe"),
}
MAX_MERGED_HIGHLIGHTS = 8
MAX_MERGED_FIGURES = 10


def cluster(
    items: Sequence[Highlights], *, language: str | None = None
) -> tuple[tuple[Cluster, ...], dict[str, str]]:
    """Groups of two or more articles about one event, and each grouped article's cluster id.

    With `language` (the newsletter's), a cluster leads with what its members say in that
    language: a French newsletter opens a French and English pair with the French summary.
    """
    keys = [_event_keys(item) for item in items]
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    numbers: dict[int, frozenset[float]] = {}

    def shared_numbers(i: int, j: int) -> frozenset[float]:
        for k in (i, j):
            if k not in numbers:
                numbers[k] = _figures_named(items[k])
        return numbers[i] & numbers[j]

    for i, j in _candidate_pairs(keys):
        if root(i) != root(j) and _same_event(keys[i], keys[j], partial(shared_numbers, i, j)):
            parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(root(i), []).append(i)
    clusters: list[Cluster] = []
    membership: dict[str, str] = {}
    used_ids: set[str] = set()
    for members in groups.values():
        if len(members) < 2:
            continue
        made = _make_cluster(
            [items[i] for i in members], [keys[i] for i in members], used_ids, language
        )
        used_ids.add(made.id)
        clusters.append(made)
        for source in made.members:
            membership[source] = made.id
    return tuple(clusters), membership


@dataclass(frozen=True, slots=True)
class EventKey:
    """One event an article names: "Journées OpenInfra Lyon 2026" -> core {openinfra, lyon},
    kinds {days}, year 2026. The kind is the event's type word in one language for both."""

    core: frozenset[str]
    kinds: frozenset[str]
    year: str | None
    month: str | None
    name: str

    @property
    def words(self) -> frozenset[str]:
        return self.core | self.kinds


_MONTH = re.compile(
    r"\b(january|february|march|april|may|june|july|august|september|october|november|december|"
    r"janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre)\b"
)
# French and English type words of an event, folded: "Journées X" and "X Days" are one event.
_KINDS = {
    "day": "days", "days": "days", "journee": "days", "journees": "days", "summit": "summit",
    "sommet": "summit", "conference": "conference", "conferences": "conference",
    "conf": "conference", "forum": "forum", "meetup": "meetup", "rencontre": "meetup",
    "rencontres": "meetup", "expo": "expo", "salon": "expo", "week": "week", "semaine": "week",
    "hackathon": "hackathon", "festival": "festival",
}  # fmt: skip
# Words around an event name that say nothing about which event it is.
_FILLER = word_set("de des du la le les the of en et and a l d recap recaps summary")
# A word shared by this many distinct event names is too common to pair items on by itself.
_BLOCK_LIMIT = 50


def _event_keys(item: Highlights) -> list[EventKey]:
    """The events an article is about: named in its title or summary, or its first keyword."""
    found = [n for n in names_in(item.title) if EVENT_WORDS.search(n)]
    if not found:  # a title that names no event: the lead may
        found = names_in(item.summary)
    if item.keywords and EVENT_WORDS.search(item.keywords[0]) and item.keywords[0][:1].isupper():
        found.append(item.keywords[0])
    year_hint = _first_year(item.title) or (
        str(item.article.published.year) if item.article.published else None
    )
    month_match = _MONTH.search(_fold(item.title))
    month = month_match.group(1) if month_match else None
    keys: list[EventKey] = []
    for name in dict.fromkeys(found):
        if not EVENT_WORDS.search(name):
            continue
        words = re.findall(r"[a-z0-9]+", _YEAR.sub(" ", _fold(name)))
        kinds = frozenset(_KINDS[w] for w in words if w in _KINDS)
        core = frozenset(w for w in words if w not in _KINDS and w not in _FILLER)
        # "PTG" or "KubeCon" alone recur every year: one word is an event only with its year.
        if len(core | kinds) >= 2 or (core and _first_year(name)):
            keys.append(EventKey(core, kinds, _first_year(name) or year_hint, month, name))
    return keys


def _candidate_pairs(keys: Sequence[list[EventKey]]) -> list[tuple[int, int]]:
    """Pairs of items worth comparing, without comparing every pair (a week may hold 10,000).

    Items naming the very same event are paired along a chain; the others only with items
    sharing a word of the event's name: its rarest word always (a name inside a longer name
    shares it), and any word that few event names hold.
    """
    pairs: set[tuple[int, int]] = set()
    first_of: dict[tuple[frozenset[str], str | None, str | None], int] = {}
    representatives: list[tuple[int, EventKey]] = []
    for i, item_keys in enumerate(keys):
        for key in item_keys:
            exact = (key.words, key.year, key.month)
            if exact in first_of:
                pairs.add((first_of[exact], i))
            else:
                first_of[exact] = i
                representatives.append((i, key))
    block: dict[str, list[int]] = {}
    for position, (_i, key) in enumerate(representatives):
        for word in key.words:
            block.setdefault(word, []).append(position)
    for i, key in representatives:
        if not key.words:
            continue
        rarest = min(key.words, key=lambda w: (len(block[w]), w))
        others: set[int] = set(block[rarest])
        for word in key.core:
            if len(block[word]) <= _BLOCK_LIMIT:
                others.update(block[word])
        for other in others:
            j = representatives[other][0]
            if j != i:
                pairs.add((min(i, j), max(i, j)))
    return sorted(pairs)


def _same_event(
    a: list[EventKey], b: list[EventKey], shared_numbers: Callable[[], frozenset[float]]
) -> bool:
    """The same name (type words in either language), or one name inside the other; or the
    same core name under another type word when the articles give the same figures."""
    for key_a in a:
        for key_b in b:
            if (key_a.year and key_b.year and key_a.year != key_b.year) or (
                key_a.month and key_b.month and key_a.month != key_b.month
            ):
                continue
            small, large = sorted((key_a.words, key_b.words), key=len)
            if small == large or (len(small) >= 2 and small <= large):
                return True
            core_small, core_large = sorted((key_a.core, key_b.core), key=len)
            if not core_small & core_large or not (key_a.year or key_b.year):
                continue
            # "Rencontres OpenInfra Lyon" and "OpenInfra Days Lyon": recaps of one event repeat
            # its figures (1 800 VMs, 14 countries, 48 talks); two events rarely share three.
            needed = 2 if core_small <= core_large else 3
            if len(shared_numbers()) >= needed:
                return True
    return False


def _make_cluster(
    items: list[Highlights],
    keys: list[list[EventKey]],
    used_ids: set[str],
    language: str | None = None,
) -> Cluster:
    order = sorted(
        range(len(items)),
        key=lambda i: (
            language is not None and items[i].language != language,
            -(len(items[i].figures) + len(items[i].highlights) + len(items[i].summary) / 200),
        ),
    )
    ranked = [items[i] for i in order]
    names = Counter(key.name for item_keys in keys for key in item_keys)
    title = max(names, key=lambda n: (names[n], len(n)))
    if not _YEAR.search(title):
        years = [key.year for item_keys in keys for key in item_keys if key.year]
        title = f"{title} {Counter(years).most_common(1)[0][0]}" if years else title
    # Ligatures dropped as they always were: the id names the event in files already made.
    plain = fold(title.lower(), ligatures=False).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-") or "event"
    cluster_id, n = slug, 2
    while cluster_id in used_ids:
        cluster_id, n = f"{slug}-{n}", n + 1
    keywords: dict[str, float] = {}
    for rank, item in enumerate(ranked):
        for position, keyword in enumerate(item.keywords):
            keywords[keyword] = keywords.get(keyword, 0.0) + 10 - position - rank * 0.5
    merged_keywords = tuple(sorted(keywords, key=lambda k: -keywords[k])[:10])
    return Cluster(
        id=cluster_id,
        title=title,
        summary=ranked[0].summary,
        highlights=_merge_highlights(ranked, language),
        figures=_merge_figures(ranked),
        keywords=merged_keywords,
        hashtags=pick_hashtags(merged_keywords),
        members=tuple(item.article.source for item in ranked),
        conflicts=_conflicts(ranked),
    )


def _merge_highlights(ranked: list[Highlights], language: str | None = None) -> tuple[str, ...]:
    """Round robin over the members, best first, skipping what was already said. With
    `language` (the newsletter's), the members written in it speak first: the others only
    fill what they leave empty, so a French reader gets the French recap's sentences."""
    merged: list[str] = []
    seen_words: list[set[str]] = [_words(item.summary) for item in ranked[:1]]
    seen_numbers: set[float] = set(_numbers(ranked[0].summary))
    if language is not None:
        own = [item for item in ranked if item.language == language]
        others = [item for item in ranked if item.language != language]
        groups = [own, others] if own else [others]
    else:
        groups = [ranked]
    for group in groups:
        _round_robin(group, merged, seen_words, seen_numbers)
    return tuple(merged)


def _round_robin(
    ranked: list[Highlights],
    merged: list[str],
    seen_words: list[set[str]],
    seen_numbers: set[float],
) -> None:
    queues = [list(item.highlights) for item in ranked]
    while any(queues) and len(merged) < MAX_MERGED_HIGHLIGHTS:
        for queue in queues:
            if not queue or len(merged) == MAX_MERGED_HIGHLIGHTS:
                continue
            text = queue.pop(0)
            words, numbers = _words(text), _numbers(text)
            if any(_overlap(words, other) > 0.6 for other in seen_words) or numbers & seen_numbers:
                continue
            merged.append(text)
            seen_words.append(words)
            seen_numbers |= numbers


def _merge_figures(ranked: list[Highlights]) -> tuple[Figure, ...]:
    merged: list[Figure] = []
    seen: set[tuple[str, float]] = set()
    for item in ranked:
        for figure in item.figures:
            key = (_concept(figure.label), figure.number)
            if key not in seen:
                seen.add(key)
                merged.append(figure)
    return tuple(merged[:MAX_MERGED_FIGURES])


def _conflicts(ranked: list[Highlights]) -> tuple[Conflict, ...]:
    """Per thing counted, each source's figure; a conflict when the numbers differ."""
    by_concept: dict[str, list[tuple[Figure, str]]] = {}
    for item in ranked:
        seen_here: set[str] = set()
        for figure in item.figures:
            concept = _concept(figure.label)
            if "%" in figure.value or "percent" in figure.value or is_duration(figure):
                continue  # a share or a duration is not a count: "deux jours de conférences"
            if concept in _CONCEPTS and concept not in seen_here:
                seen_here.add(concept)
                by_concept.setdefault(concept, []).append((figure, item.article.source))
    conflicts = []
    for entries in by_concept.values():
        if len({figure.number for figure, _ in entries}) > 1:
            label = entries[0][0].label
            values = tuple((f"{figure.value} {figure.label}", source) for figure, source in entries)
            conflicts.append(Conflict(label=label, values=values))
    return tuple(conflicts)


def _concept(label: str) -> str:
    folded = _fold(label)
    for concept, stems in _CONCEPTS.items():
        if any(word.startswith(stems) for word in folded.split()):
            return concept
    words = folded.split()
    return words[-1].rstrip("s") if words else ""


def _figures_named(item: Highlights) -> frozenset[float]:
    """The numbers an article gives as figures or in what it says first (years left out)."""
    found = {f.number for f in item.figures if abs(f.number) >= 10 and "%" not in f.value}
    for text in (item.summary, *item.highlights):
        found |= _numbers(text)
    return frozenset(found)


def _first_year(text: str) -> str | None:
    match = _YEAR.search(text)
    return match.group(0) if match else None


def _words(text: str) -> set[str]:
    return {w[:6] for w in re.findall(r"\w{4,}", _fold(text))}


def _numbers(text: str) -> set[float]:
    found = set()
    for raw in re.findall(r"\d{1,3}(?:[ ,\u202f\u00a0]\d{3})+|\d+", text):
        number = float(re.sub(r"\D", "", raw))
        if number >= 10 and not 1900 <= number <= 2100:
            found.add(number)
    return found


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b and min(len(a), len(b)) >= 4 else 0.0


def _fold(text: str) -> str:
    return fold(text.lower()).encode("ascii", "ignore").decode("ascii")
