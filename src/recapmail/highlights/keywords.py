"""Keywords (the named things and the topics of an article) and the hashtags made from them.

Names are runs of capitalised or CamelCase words ("Open Infrastructure Foundation", "OVHcloud");
topics are lowercase word pairs and triples that recur ("souveraineté numérique", "VMware
migration"). Both are ranked by how often they occur, with the title, description and tags
counting extra because an editor chose them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise

from recapmail.highlights.words import (
    DEMONYMS,
    DEMONYMS_FR,
    FIRST_NAMES,
    GENERIC,
    STOPWORDS,
    word_set,
)
from recapmail.text import fold

_TOKEN = re.compile(r"[\w][\w'’\-.&+]*[\w+]|[\w]|[^\w\s]")
_ELIDED = re.compile(r"^(?:l|d|j|qu|n|s|c)['’](?=\w)", re.IGNORECASE)
_YEARISH = re.compile(r"^(?:19|20)\d\d$|^\d+(?:\.\d+)*$")
_NAME_CONNECTORS = {"&", "+"}
_VERSION_TAIL = re.compile(r"(?<=\w)\s+v?\d+(?:\.\d+)+$")
_ROLE_ACRONYMS = {
    "ceo", "cto", "coo", "cfo", "vp", "gm", "tc", "ptl", "i", "ok", "q&a", "faq", "fyi", "url",
    "pdg", "dsi", "rex", "nb", "ps", "lol", "mdr", "etc", "vs", "mr", "mrs", "dr", "pm", "am",
}  # fmt: skip
_MONTHS_AND_DAYS = word_set(
    "january february march april may june july august september october november december "
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre "
    "monday tuesday wednesday thursday friday saturday sunday lundi mardi mercredi jeudi "
    "vendredi samedi dimanche"
)
EVENT_WORDS = re.compile(
    r"\b(?:summit|sommet|conf\w*|\w+con|fosdem|days?|journées?|week|forum|meetup|festival|"
    r"\w+fest|expo|salon|gathering|ptg|kcd|experience|in action|hackathon|rencontres?)\b",
    re.IGNORECASE,
)
# -ing words that name a field rather than an action: "edge computing", "GPU scheduling".
_ING_NOUNS = word_set(
    "computing hosting monitoring scheduling networking engineering learning training testing "
    "logging tracing billing pricing building meeting offering tooling caching routing "
    "clustering sharding scaling streaming serving"
)
MAX_KEYWORDS = 10
MAX_HASHTAGS = 6


def find_keywords(
    sentences: Sequence[str],
    title: str,
    description: str | None = None,
    tags: Sequence[str] = (),
    limit: int = MAX_KEYWORDS,
    headings: Sequence[str] = (),
    min_score: float = 2.0,
) -> tuple[str, ...]:
    """Named things and topics, most telling first."""
    terms = ranked_terms(sentences, title, description, tags, headings)
    return keep_terms(terms, limit, min_score)


def ranked_terms(
    sentences: Sequence[str],
    title: str,
    description: str | None = None,
    tags: Sequence[str] = (),
    headings: Sequence[str] = (),
) -> list[tuple[str, float]]:
    """Every candidate keyword as written, with its score, best first."""
    names = Counter[str]()
    surface: dict[str, str] = {}
    topics = Counter[str]()
    tokenised = [_tokens(sentence) for sentence in [*sentences, description or ""]]
    capitalised_elsewhere = _capitalised_words(tokenised)
    lowercase = {t for tokens in tokenised for t in tokens if t[:1].islower()}
    editor_text = " ".join([title, description or "", *tags])
    for tokens in tokenised:
        for found in _names(tokens, capitalised_elsewhere):
            name = _VERSION_TAIL.sub("", found)  # "Kubernetes 1.35" is Kubernetes
            key = name.lower()
            names[key] += 1
            surface.setdefault(key, name)
        for topic in _topics(tokens):
            key = topic.lower()
            topics[key] += 1
            surface.setdefault(key, topic)
    # Titles and headings are often in Title Case: there only distinctive words or names seen in
    # the prose count as names.
    for heading in [title, *headings]:
        for name in _names(_tokens(heading), capitalised_elsewhere):
            key = name.lower()
            if key in names or all(_distinctive(w) or w.isdigit() for w in name.split()):
                names[key] += 1
                surface.setdefault(key, name)
    scores: dict[str, float] = {}
    editor = _fold(editor_text)
    for key, count in names.items():
        words = key.split()
        if len(words) == 1 and not _distinctive(surface[key]) and key in lowercase:
            continue  # "Keynote", "Infrastructure": a common noun that opened a sentence
        if len(key) <= 2 and count < 2 and key not in editor.split():
            continue  # "RS" once in passing: an abbreviation, not a subject
        weight = 1.0 if len(words) > 1 or _distinctive(surface[key]) else 0.8
        bonus = 2.0 if _fold(key) in editor else 0.0
        if len(words) > 1 and EVENT_WORDS.search(key):
            bonus += 1.5  # the event a recap is about is its first keyword
        scores[key] = count * weight + bonus + 0.3 * (len(words) - 1)
    for key, count in topics.items():
        in_editor = _fold(key) in editor
        if count >= 2 or in_editor:
            scores[key] = max(scores.get(key, 0.0), count * 0.9 + (2.0 if in_editor else 0.0))
    for tag in tags:
        key = tag.lower()
        if not _YEARISH.match(key) and len(key) > 1:
            scores[key] = scores.get(key, 0.0) + 1.5
            surface.setdefault(key, tag)
    ranked = sorted(scores, key=lambda k: (-scores[k], k))
    return [(surface[key], scores[key]) for key in ranked]


def keep_terms(
    terms: Sequence[tuple[str, float]], limit: int = MAX_KEYWORDS, min_score: float = 2.0
) -> tuple[str, ...]:
    """The best terms, none inside another, the weak ones only to reach three."""
    kept: list[str] = []
    for term, score in terms:
        key = term.lower()
        if score < min_score and len(kept) >= 3:
            break
        if any(_contains(other.lower(), key) or _contains(key, other.lower()) for other in kept):
            continue
        kept.append(term)
        if len(kept) == limit:
            break
    return tuple(kept)


def names_in(text: str) -> list[str]:
    """Runs of capitalised words in `text`, as written ("OpenInfra Summit Europe 2025")."""
    return _names(_tokens(text), None)


def _tokens(text: str) -> list[str]:
    """Words and punctuation marks, elided articles dropped ("l'OpenInfra" -> "OpenInfra")."""
    return [_ELIDED.sub("", t) if "'" in t or "’" in t else t for t in _TOKEN.findall(text)]


def _names(tokens: list[str], capitalised_elsewhere: set[str] | None) -> list[str]:
    """Runs of capitalised tokens; a sentence's first word counts only if it is capitalised
    where capitals are not required too (or CamelCase), unless `capitalised_elsewhere` is None."""
    names: list[str] = []
    run: list[str] = []

    def flush() -> None:
        while run and (run[-1].lower() in _NAME_CONNECTORS):
            run.pop()
        if run:
            name = " ".join(run)
            if _is_name(name):
                names.append(name)
            run.clear()

    for index, token in enumerate(tokens):
        lowered = token.lower()  # once: this loop sees every token of the article
        capital = token[:1].isupper() and lowered not in _ROLE_ACRONYMS  # _is_capitalised
        if capital and index == 0 and not _distinctive(token):
            followed = len(tokens) > 1 and _is_capitalised(tokens[1])  # "Spotlight Sponsors"
            if lowered in STOPWORDS or (
                capitalised_elsewhere is not None
                and token not in capitalised_elsewhere
                and not followed
            ):
                capital = False
        if capital and lowered in DEMONYMS_FR:
            capital = False  # "le Français eNovance": a nationality, then the name
        connector = bool(run) and token in _NAME_CONNECTORS and len(run) < 4
        if (capital and lowered not in _MONTHS_AND_DAYS) or connector:
            run.append(token)
        elif run and _YEARISH.match(token) and len(token) == 4:
            run.append(token)
            flush()
        else:
            flush()
    flush()
    return names


def _is_capitalised(token: str) -> bool:
    return token[:1].isupper() and token.lower() not in _ROLE_ACRONYMS


def _distinctive(token: str) -> bool:
    """CamelCase or acronym: a name wherever it stands ("OpenStack", "CNCF", "VMware")."""
    return any(c.isupper() for c in token[1:]) or any(c.isdigit() for c in token)


def _is_name(name: str) -> bool:
    words = name.split()
    if len(words) > 6 or len(name) < 2:
        return False
    if len(words) == 1 and (
        (low := name.lower()) in STOPWORDS
        or low in GENERIC
        or low in DEMONYMS
        or _fold(name) in FIRST_NAMES
    ):
        return False
    return not all(w.lower() in STOPWORDS for w in words)


def _topics(words: list[str]) -> list[str]:
    found: list[str] = []
    # Each word is judged once (not once per pair it belongs to): this runs on every sentence.
    usable = [
        len(w) >= 2
        and w[:1].isalnum()
        and (low := w.lower()) not in STOPWORDS
        and low not in GENERIC
        and not _YEARISH.match(low)
        for w in words
    ]
    for index, (first, second) in enumerate(pairwise(words)):
        if not (usable[index] and usable[index + 1]):
            continue
        lowered = (first.lower(), second.lower())
        if first[:1].isupper() and second[:1].isupper():
            continue  # a name, counted as such
        capital = first if first[:1].isupper() else second if second[:1].isupper() else ""
        if capital and not _distinctive(capital):
            continue  # "Flux intègre", "newest Platinum": a name and a stray word
        if lowered[0].endswith(("ly", "ing")) and lowered[0] not in _ING_NOUNS:
            continue  # "increasingly deploy", "helping connect"
        if lowered[1].endswith(("ing", "ed")) and lowered[1] not in _ING_NOUNS:
            continue
        found.append(f"{first} {second}")
    return found


def _capitalised_words(tokenised: Sequence[list[str]]) -> set[str]:
    """Words written with a capital where grammar does not ask for one."""
    return {
        token
        for tokens in tokenised
        for before, token in pairwise(tokens)
        if token[:1].isupper() and before not in {".", ":", "!", "?", "«", '"', "(", "-"}
    }


def _contains(longer: str, shorter: str) -> bool:
    return (
        longer != shorter and re.search(rf"(?<!\w){re.escape(shorter)}(?!\w)", longer) is not None
    )


def _fold(text: str) -> str:
    return fold(text.lower()).encode("ascii", "ignore").decode("ascii")
