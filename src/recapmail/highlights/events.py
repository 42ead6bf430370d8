"""Articles about one event grouped into a cluster, their highlights merged, their figures checked.

Two articles are about the same event when the same event name ("OpenInfra Summit Europe 2025")
is central to both (in the title, the summary or the top keywords) for the same year. Figures
that count the same thing (countries, attendees…) but disagree are listed as conflicts.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

from recapmail.highlights.keywords import EVENT_WORDS, hashtags_for, names_in
from recapmail.model import Cluster, Conflict, Figure, Highlights

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


def cluster(items: Sequence[Highlights]) -> tuple[tuple[Cluster, ...], dict[str, str]]:
    """Groups of two or more articles about one event, and each grouped article's cluster id."""
    keys = [_event_keys(item) for item in items]
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            if _same_event(keys[i], keys[j]):
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
        made = _make_cluster([items[i] for i in members], [keys[i] for i in members], used_ids)
        used_ids.add(made.id)
        clusters.append(made)
        for source in made.members:
            membership[source] = made.id
    return tuple(clusters), membership


# Words of the event's name, its year and month when known, and the name as written.
EventKey = tuple[frozenset[str], str | None, str | None, str]
_MONTH = re.compile(
    r"\b(january|february|march|april|may|june|july|august|september|october|november|december|"
    r"janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre)\b"
)


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
        words = frozenset(re.findall(r"[a-z0-9]+", _YEAR.sub(" ", _fold(name))))
        # "PTG" or "KubeCon" alone recur every year: one word is an event only with its year.
        if len(words) >= 2 or (words and _first_year(name)):
            keys.append((words, _first_year(name) or year_hint, month, name))
    return keys


def _same_event(a: list[EventKey], b: list[EventKey]) -> bool:
    for words_a, year_a, month_a, _ in a:
        for words_b, year_b, month_b, _ in b:
            if (year_a and year_b and year_a != year_b) or (
                month_a and month_b and month_a != month_b
            ):
                continue
            small, large = sorted((words_a, words_b), key=len)
            if small == large or (len(small) >= 2 and small <= large):
                return True
    return False


def _make_cluster(
    items: list[Highlights], keys: list[list[EventKey]], used_ids: set[str]
) -> Cluster:
    order = sorted(
        range(len(items)),
        key=lambda i: (
            -(len(items[i].figures) + len(items[i].highlights) + len(items[i].summary) / 200)
        ),
    )
    ranked = [items[i] for i in order]
    names = Counter(name for item_keys in keys for _w, _y, _m, name in item_keys)
    title = max(names, key=lambda n: (names[n], len(n)))
    if not _YEAR.search(title):
        years = [y for item_keys in keys for _w, y, _m, _n in item_keys if y]
        title = f"{title} {Counter(years).most_common(1)[0][0]}" if years else title
    slug = re.sub(r"[^a-z0-9]+", "-", _fold(title)).strip("-") or "event"
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
        highlights=_merge_highlights(ranked),
        figures=_merge_figures(ranked),
        keywords=merged_keywords,
        hashtags=hashtags_for(merged_keywords),
        members=tuple(item.article.source for item in ranked),
        conflicts=_conflicts(ranked),
    )


def _merge_highlights(ranked: list[Highlights]) -> tuple[str, ...]:
    """Round robin over the members, best first, skipping what was already said."""
    merged: list[str] = []
    seen_words: list[set[str]] = [_words(item.summary) for item in ranked[:1]]
    seen_numbers: set[float] = set(_numbers(ranked[0].summary))
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
    return tuple(merged)


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
            if "%" in figure.value or "percent" in figure.value:
                continue  # a share is not a count: "58 % of attendees" vs "10,000 attendees"
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
    return unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode("ascii")
