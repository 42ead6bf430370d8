"""Which sentences carry the news: the summary, then highlights that do not repeat it.

Recaps spread their facts from the first line to the last, so no position bonus outside the
summary; a sentence earns its place with figures, names, the article's keywords and news verbs,
and loses it by thanking, inviting, asking or setting the scene. Maximal marginal relevance keeps
two highlights from saying the same thing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from recapmail.highlights.cut import LIMIT as SHORTEN_LIMIT
from recapmail.highlights.cut import shorten_highlight
from recapmail.highlights.words import (
    CALL_TO_ACTION,
    GENERIC,
    NEWS_CUES,
    STOPWORDS,
    THANKS,
    word_set,
)
from recapmail.model import Figure

SUMMARY_PAIR_LIMIT = 330
SUMMARY_LIMIT = 400
SECTION_REPEAT = 1.0
ECHO_WEIGHT = 0.8
CUT_PENALTY = 0.6
FRAGMENT_PENALTY = 0.3
COMMON_SENTENCES = 6
KEY_FIGURES = 5
KEY_FIGURE_BONUS = 1.5
_CUES = re.compile("|".join(map(re.escape, NEWS_CUES)))
_ASKS = re.compile("|".join(map(re.escape, CALL_TO_ACTION)))
_THANKS = re.compile("|".join(map(re.escape, THANKS)))
_WORD = re.compile(r"[\w'’-]+")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b(?:[A-ZÀ-Þ][\w-]*[A-Z0-9][\w-]*|[A-ZÀ-Þ][a-zà-ÿ]+)")
_NAME_AFTER_COMMA = re.compile(r",\s+(?:and |et )?[A-ZÀ-Þ]")  # "…, Stéphane, Andrea and Katia"
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|my|je|j'|me|m'|moi|mon|ma|mes)\b", re.IGNORECASE)
_QUOTED = re.compile(r'^["«“]|\b(?:said|says|noted|explained|a déclaré|explique|souligne)\b')
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_ASIDE = re.compile(
    r"^(?:note|nb|n\.b\.|ps|p\.s\.|edit|update|mise à jour|disclaimer|avertissement)\b", re.I
)
_META = re.compile(
    r"^(?:in this (?:post|article|blog)|this (?:post|article) |dans cet (?:article|billet)|"
    r"cet article|ce billet|le but de cet|the goal of this (?:post|article))",
    re.IGNORECASE,
)
_PLAIN = STOPWORDS | GENERIC
_CLAUSE_START = re.compile(
    r"\s*(?:[,;:—–]|(?:which|who|while|whereas|where|as well as|including|with|qui|dont|où|"
    r"alors que|tandis que|afin de|avec|notamment|ainsi que|mais|but|and|et)\b)",
    re.IGNORECASE,
)
_OPENER = re.compile(
    r"^(?:pour|selon|d'après|comme|si|quand|lorsque|lorsqu'|alors que|bien que|après|avant|"
    r"for|according to|as|if|when|while|although|after|before|since|depuis)\b",
    re.IGNORECASE,
)
# A sentence that opens by pointing back ("C'est ce qu'a…", "Cela…", "Ils…", "This…") needs the
# one before it; it is kept only when nothing standing alone is as good.
_POINTS_BACK = re.compile(
    r"^(?:c['’]est|c['’]était|ce fut|cela|ceci|ça|ainsi|ils|elles|eux|celui-ci|celle-ci|"
    r"ceux-ci|ce dernier|cette dernière|ces derniers|de plus|en effet|du coup|"
    r"this|that|these|those|they|them|it(?! is (?:possible|time|now))|such|thus|"
    r"also|however|moreover)\b",
    re.IGNORECASE,
)
# "Elle a montré…", "He showed…": in a recap, the speaker the section just introduced
_SPEAKER = re.compile(r"^(?:il|elle|he|she)\b(?! y a| faut| existe)", re.IGNORECASE)
# "Conférence 1 : Faire du Kubernetes…", "Talk 3 - …": a section title, even inside a paragraph
_TALK_TITLE = re.compile(
    r"^(?:conférence|conf|talk|session|keynote|atelier|workshop|jour|day|partie|part|track)"
    r"\s*(?:n°\s*)?\d{1,2}\s*[:\-–—]",
    re.IGNORECASE,
)
_VERBS = word_set(
    "est sont était étaient a ont avait avaient sera seront fut peut peuvent doit doivent fait "
    "font va vont permet permettent is are was were has have had will would can could should "
    "may might must does do did gets got makes made "
    # present tense of what recaps report, whose endings say nothing ("Loïc explique…")
    "explique présente montre partage propose raconte détaille annonce rappelle souligne "
    "réunit accueille devient reste offre apporte introduit compare décrit démontre "
    "commence continue vise semble remplace gère fonctionne arrive existe "
    "utilise ajoute lance cherche travaille connaît paraît apparaît reconnaît prend "
    "expliquent présentent montrent partagent proposent racontent offrent deviennent restent "
    "commencent continuent semblent utilisent fonctionnent prennent "
    "shows explains presents shares says offers brings gives becomes remains introduces "
    "describes demonstrates announces"
)
# "Conférencier : Denis Germain", "Speakers: …": who gave the talk, not a new section
SPEAKER_HEADING = re.compile(
    r"^(?:conférencier|conférencière|intervenant|intervenante|orateur|oratrice|speaker|"
    r"présenté par|presented by|par|by)(?:\(s\)|e?s)?\s*:?\s",
    re.IGNORECASE,
)
_VERB_ENDINGS = ("ed", "é", "és", "ée", "ées", "ait", "aient", "ent", "ons", "ez", "era", "eront",
                 "ira", "iront", "ing", "'s", "'re")  # fmt: skip
_NOT_VERBS = word_set(
    "chez assez client clients agent agents talent talents argent parent parents accent présent "
    "absent récent récents différent différents excellent évident urgent souvent event "
    "content intelligent patient moment moments comment"
)
POINTS_BACK_PENALTY = 1.0
SPEAKER_PENALTY = 0.4
HEADING_LIKE_PENALTY = 2.0
VERBLESS_PENALTY = 1.0
FRAGMENT_LENGTH = 140  # a longer sentence without a verb we know is a list, not a fragment
_KEY_POINT = re.compile(r"^[A-ZÀ-Þ][^:.!?]{2,50}\s?:\s+\S.{40,}")


@dataclass(frozen=True, slots=True)
class Candidate:
    text: str
    kind: str  # "paragraph", "item", "quote", "heading", "description"
    order: int  # reading order in the article; -1 for the description
    figures: tuple[Figure, ...]
    score: float = 0.0
    section: int = 0  # which heading it falls under: recaps go talk by talk, section by section


def score_sentence(
    text: str, kind: str, figures: Sequence[Figure], keywords: Sequence[str], figure_weight: float
) -> float:
    lowered = text.lower()
    score = min(figure_weight, 6.0) * 0.45
    names = {m.group(0) for m in _NAME.finditer(text)}
    score += min(len(names), 4) * 0.35
    hits = sum(1 for k in keywords if k.lower() in lowered)
    score += min(hits, 4) * 0.45
    cues = len(set(_CUES.findall(lowered)))
    score += min(cues, 2) * 0.7
    if _ASKS.search(lowered):
        score -= 3.0
    if _THANKS.search(lowered):
        score -= 2.0
    if text.rstrip().endswith("?"):
        score -= 1.5
    if text.rstrip().endswith(":"):
        score -= 1.5
    if _QUOTED.search(text):
        score -= 0.6
    if not figures and not names:
        score -= 1.0
    if len(names) >= 5 and len(_NAME_AFTER_COMMA.findall(text)) >= 3 and not figures:
        score -= 2.0  # "I met Katia, Stéphane, Andrea…": a roll call, not news
    if _FIRST_PERSON.search(text) and not figures and len(names) < 2:
        score -= 0.6
    if _KEY_POINT.match(text) and kind in {"item", "paragraph"}:
        score += 0.8  # "Portability is a requirement: …", a point the author set out as such
    if kind == "heading":
        score -= 0.8 if len(text.split()) >= 4 else 3.0
        score -= 1.0 if _title_case(text) else 0.0
    elif kind == "quote":
        score -= 0.4
    if _META.match(text):
        score -= 1.5  # "In this post…": about the article, not about the news
    if kind != "heading":
        score -= stand_alone_penalty(text)
    return score + _length_adjustment(text)


def _has_verb(text: str) -> bool:
    """A finite verb, roughly: an auxiliary or a verb ending (word by word, in linear time)."""
    for word in _WORD.findall(text.lower()):
        if word in _VERBS:
            return True
        if len(word) > 3 and word.endswith(_VERB_ENDINGS) and not _looks_verb_only(word):
            return True
    return False


def _looks_verb_only(word: str) -> bool:
    """ "chez", "client": a verb's ending on a word that is no verb."""
    return word in _NOT_VERBS


def stand_alone_penalty(text: str) -> float:
    """How far a sentence is from standing alone: pointing back, a talk's title, no verb."""
    opening = text.lstrip("\"'«“ ")
    penalty = POINTS_BACK_PENALTY if _POINTS_BACK.match(opening) else 0.0
    if _SPEAKER.match(opening):
        penalty += SPEAKER_PENALTY
    if _TALK_TITLE.match(opening):
        penalty += HEADING_LIKE_PENALTY
    if len(text) < FRAGMENT_LENGTH and not _has_verb(text):
        penalty += VERBLESS_PENALTY
    return penalty


def heading_subject(heading: str) -> frozenset[str]:
    """The words naming what a section is about: in a recap, a heading is often a talk's title."""
    return frozenset(
        w for w in (m.lower() for m in _WORD.findall(heading)) if len(w) > 2 and w not in _PLAIN
    )


def common_words(sentences: Sequence[str], most: int = COMMON_SENTENCES) -> frozenset[str]:
    """Words found in more than `most` sentences: the article's theme, not one section's subject."""
    if len(sentences) <= most:
        return frozenset()  # a feed item: nothing to count
    counts = Counter(w for s in sentences for w in set(_WORD.findall(s.lower())))
    return frozenset(w for w, n in counts.items() if n > most)


def echo_bonus(text: str, subject: frozenset[str]) -> float:
    """A sentence that names its section's subject says what the talk or topic was about.

    `subject` leaves out the title's words and the article's common words: every section
    shares those.
    """
    if not subject:
        return 0.0
    shared = subject & {w.lower() for w in _WORD.findall(text)}
    return min(len(shared), 2) * ECHO_WEIGHT


def _length_adjustment(text: str) -> float:
    length = len(text)
    if length < 40:
        return -1.5
    if length < 70:
        return -0.5
    if length > 300:
        return -0.8
    if length > 220:
        return -0.3  # it will have to be shortened, and shortened sentences read worse
    return 0.0


def pick_summary(candidates: Sequence[Candidate], subjects: Sequence[str] = ()) -> list[Candidate]:
    """One or two sentences from the lead (or the editor's description) a reader could stop at.

    The lead wins unless it is a quote, a question, a teaser or too thin to stand alone: recaps
    open with what happened, where and when far more often than with anything else.
    """
    prose = [c for c in candidates if c.kind != "heading"]
    if not prose:
        return list(candidates[:1])
    body = [c for c in prose if c.kind != "description"]
    lead = [c for c in prose if c.kind == "description"] + body[:4]
    bonus = {id(c): b for c, b in zip(body[:4], (2.5, 0.6, 0.2, 0.0), strict=False)}

    def value(c: Candidate) -> float:
        # A summary is not shortened below SUMMARY_LIMIT: length only counts beyond it.
        score = c.score - _length_adjustment(c.text) + (-1.0 if len(c.text) > SUMMARY_LIMIT else 0)
        if c.kind == "description":  # the author's own summary, unless it is a Title Case tagline
            return score + 3.0 - (3.0 if _title_case(c.text) else 0.0)
        subject = 0.5 if any(k.lower() in c.text.lower() for k in subjects) else 0.0
        return score + bonus[id(c)] + subject

    usable = [c for c in lead if _can_summarise(c)] or lead
    best = max(usable, key=value)
    chosen = [best]
    following = _next_prose(prose, best)
    if (
        following is not None
        and len(best.text) + len(following.text) <= SUMMARY_PAIR_LIMIT
        and _can_summarise(following)
        and following.score >= 1.0
    ):
        chosen.append(following)
    return chosen


def _can_summarise(c: Candidate) -> bool:
    text = c.text.rstrip()
    return (
        c.kind not in {"quote", "heading"}
        and len(text) >= 50
        and not text.endswith(("?", ":"))
        and not _ASIDE.match(text)
        and c.score > -1.0
    )


def _title_case(text: str) -> bool:
    words = [w for w in text.split() if w[:1].isalpha() and len(w) > 3]
    return len(words) >= 5 and sum(w[:1].isupper() for w in words) >= 0.85 * len(words)


def pick_highlights(
    candidates: Sequence[Candidate],
    summary: Sequence[Candidate],
    count: int,
    figures: Sequence[Figure] = (),
) -> list[str]:
    """The `count` best remaining sentences, each shortened, none repeating another.

    A sentence telling one of the article's first `figures` (its key figures) counts more:
    an editor keeps those first.
    """
    key_figures = frozenset(figures[:KEY_FIGURES])
    chosen_sets = [_content(c.text) for c in summary]
    chosen_figures = [_figure_keys(c) for c in summary]
    sections = Counter(c.section for c in summary)
    pool = [
        c
        for c in candidates
        if all(c is not s for s in summary) and c.score > -1.5 and c.kind != "heading"
    ]
    words_of = {id(c): _content(c.text) for c in pool}
    keys_of = {id(c): _figure_keys(c) for c in pool}
    cost_of = {id(c): _cut_cost(c.text) for c in pool if len(c.text) > SHORTEN_LIMIT}
    # the overlap with what is already chosen, kept up to date one pick at a time
    overlap_of = {id(c): 0.0 for c in pool}
    for words, keys in zip(chosen_sets, chosen_figures, strict=True):
        _add_overlap(pool, overlap_of, words_of, keys_of, words, keys)
    picked: list[str] = []
    while pool and len(picked) < count:
        best, best_value = None, float("-inf")
        for candidate in pool:
            overlap = overlap_of[id(candidate)]
            if overlap > 0.6:
                continue
            value = candidate.score - 3.0 * overlap - SECTION_REPEAT * sections[candidate.section]
            value -= cost_of.get(id(candidate), 0.0)
            if key_figures.intersection(candidate.figures):
                value += KEY_FIGURE_BONUS
            if value > best_value:
                best, best_value = candidate, value
        if best is None:
            break
        pool.remove(best)
        _add_overlap(pool, overlap_of, words_of, keys_of, words_of[id(best)], keys_of[id(best)])
        sections[best.section] += 1
        picked.append(tidy_quotes(shorten_highlight(best.text)))
    return picked


def _add_overlap(
    pool: Sequence[Candidate],
    overlap_of: dict[int, float],
    words_of: dict[int, set[str]],
    keys_of: dict[int, set[float]],
    words: set[str],
    keys: set[float],
) -> None:
    """Each candidate's overlap with one more chosen sentence: its words, or a shared figure."""
    for candidate in pool:
        key = id(candidate)
        overlap = _similarity(words_of[key], words)
        if keys and keys_of[key] & keys:
            overlap = max(overlap, 0.7)
        if overlap > overlap_of[key]:
            overlap_of[key] = overlap


def _cut_cost(text: str) -> float:
    """What a highlight loses by being cut: a whole shorter sentence reads better than a head.

    A head is worse still when it reads as a fragment: cut inside a clause rather than at a
    boundary, or opened by a subordinate phrase ("Pour X, qui…", "As the event…") whose main
    clause, and with it the news, comes after the cut.
    """
    short = shorten_highlight(text)
    if not short.endswith("…"):
        return 0.0
    cost = CUT_PENALTY
    head = short[:-1]
    rest = text[len(head) :] if text.startswith(head) else ""
    if rest and not _CLAUSE_START.match(rest):
        cost += FRAGMENT_PENALTY
    if _OPENER.match(text):
        cost += FRAGMENT_PENALTY
    return cost


def summary_text(summary: Sequence[Candidate]) -> str:
    text = " ".join(tidy_quotes(c.text) for c in summary)
    return shorten_highlight(text, 300) if len(text) > SUMMARY_LIMIT else text


def tidy_quotes(text: str) -> str:
    """An unpaired quote left by sentence splitting is dropped ("We had the chance…)."""
    if text.count('"') % 2:
        if text.startswith('"'):
            text = text[1:]
        elif text.endswith('"'):
            text = text[:-1]
    if text.count("«") != text.count("»"):
        text = text.replace("«", "").replace("»", "")
    return " ".join(text.split())


def _next_prose(prose: Sequence[Candidate], current: Candidate) -> Candidate | None:
    if current.kind == "description":
        return None
    later = [c for c in prose if c.order == current.order + 1 and c.kind == current.kind]
    return later[0] if later else None


def _content(text: str) -> set[str]:
    return {w.lower()[:6] for w in _WORD.findall(text) if w.lower() not in STOPWORDS and len(w) > 2}


def _similarity(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b)) if min(len(a), len(b)) >= 4 else 0.0


def _figure_keys(candidate: Candidate) -> set[float]:
    return {
        f.number
        for f in candidate.figures
        if abs(f.number) >= 10 and not _YEAR.match(f.value) and "%" not in f.value
    }
