"""Which of a week's items get the full highlight extraction, and light Highlights for the rest.

A week can hold 10,000 feed items while the newsletter shows `max_items`: extraction costs
~1 ms an item, so it is kept for the items that may be shown. Every feed item gets a cheap
score from what its feed already says (microseconds an item):
- figures in the title or description (a count, a percentage, an amount), +0.6;
- news cue words in the title (release, security fix, acquisition, sortie, faille...), +0.5;
- substance: the length of its text, up to +1 for 1,500 characters or more (a one-line
  item has nothing for the newsletter to show, whatever its title promises);
- recency: up to +0.5 for the end of the period, as fresher news reads better on Monday;
- the team's events: +1.5 (a cluster of two in the final order) when its title shares two
  distinctive words (a name, a year) with the title of one of the team's own recaps, which
  it may then join in a cluster;
- source diversity: each better item already taken from the same feed costs 0.8, so one
  prolific feed cannot fill the newsletter.
Ties go to the newer item, then to the smaller `source`, so the order never depends on input
order. Items that are not extracted get their feed title, a language from function words
(else the feed's or the source's hint), and the first one or two sentences of their
description as summary; no highlights, figures or keywords.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from recapmail.highlights.words import word_set
from recapmail.model import Article, Highlights, Period

SUMMARY_CHARS = 300
_BODY_SAMPLE = SUMMARY_CHARS * 3  # a body's start, for a summary when there is no description
_FEED_PENALTY = 0.8
_FIGURE = re.compile(
    r"(?<![\w.])(?!(?:19|20)\d\d\b)\d[\d\u00a0\u202f ,.]*\s?"
    r"(?:%|\s?[kKMG]?[€$£]|\s?(?:millions?|milliards?|billions?|thousand|mille)\b|\s?[a-zA-Zé]{3,})"
)
_CUES = re.compile(
    r"\b(?:releas\w*|launch\w*|announc\w*|availab\w*|GA|general availability|security|"
    r"vulnerabilit\w*|CVE-\d+|exploit\w*|breach\w*|outage\w*|acqui\w*|funding|raises|"
    r"deprecat\w*|end of life|EOL|benchmark\w*|migrat\w*|sortie|sort|disponible|annonc\w*|"
    r"lance\w*|faille\w*|vulnérabilit\w*|sécurité|rach[aè]t\w*|levée|panne\w*|fin de vie)\b",
    re.IGNORECASE,
)


_TITLE_WORD = re.compile(r"\b(?:[A-ZÀ-Þ][\w-]{2,}|\d+(?:[.,]\d+)+|\d{2,})\b")
_COMMON_CAPITALS = word_set(
    "the and for with how why what new our this notre nos les des une retour retours compte "
    "rendu recap notes day days journée journées summit sommet update release version"
)
_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKDOWN_MARK = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+|>\s*|\d+[.)]\s+)|[*_`]{1,3}", re.M)


def cheap_score(article: Article, period: Period) -> float:
    """How promising a feed item looks from its own metadata, without extraction."""
    head = f"{article.title or ''}\n{article.description or ''}"
    score = 0.6 if _FIGURE.search(head) else 0.0
    score += 0.5 if article.title and _CUES.search(article.title) else 0.0
    score += min(len(article.body) / 1500, 1.0)
    if article.published is not None and period.start <= article.published < period.end:
        span = (period.end - period.start).total_seconds() or 1.0
        score += 0.5 * (article.published - period.start).total_seconds() / span
    return score


def shortlist(
    articles: Sequence[Article], period: Period, anchors: Sequence[Article] = ()
) -> list[int]:
    """Indexes of `articles`, most promising first, with the per-feed diversity penalty;
    `anchors` are the team's own recaps."""
    events = [words for a in anchors if len(words := title_words(a.title)) >= 2]
    base = [
        cheap_score(a, period) + (1.5 if _shares_event(title_words(a.title), events) else 0.0)
        for a in articles
    ]
    stamps = [_timestamp(a) for a in articles]
    by_base = sorted(range(len(articles)), key=lambda i: (-base[i], -stamps[i], articles[i].source))
    taken: dict[str, int] = {}
    effective = [0.0] * len(articles)
    for i in by_base:
        feed = articles[i].feed or articles[i].source
        effective[i] = base[i] - _FEED_PENALTY * taken.get(feed, 0)
        taken[feed] = taken.get(feed, 0) + 1
    return sorted(
        range(len(articles)), key=lambda i: (-effective[i], -stamps[i], articles[i].source)
    )


def light_highlights(article: Article, default_language: str) -> Highlights:
    """What digest.json says of an item the newsletter does not show: no extraction."""
    from recapmail.highlights import split_sentences

    text = article.description or _plain(article.body[:_BODY_SAMPLE])
    language = guess_language(
        f"{article.title or ''} {text[:400]}", article.language, default_language
    )
    title = " ".join((article.title or "").split()) or _first_line(text) or article.source
    summary = ""
    # A line break ends a sentence, and one that fits in the summary ends inside the sample.
    sample = "\n".join(
        [line for line in text[: SUMMARY_CHARS + 60].split("\n") if line.strip()][:2]
    )
    for sentence in split_sentences(sample, language)[:2]:
        if summary and len(summary) + len(sentence) >= SUMMARY_CHARS:
            break
        summary = f"{summary} {sentence}".strip()
    if len(summary) > SUMMARY_CHARS:
        summary = summary[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
    return Highlights(article=article, title=title, language=language, summary=summary,
                      highlights=())  # fmt: skip


def guess_language(text: str, hint: str | None, default: str) -> str:
    """French or English by function words when they are clear, else the hint, else default
    (no statistical model: this runs for every item of the week)."""
    from recapmail.highlights.language import by_function_words

    clear, _ = by_function_words(text[:600].lower())
    return clear or (hint or default).lower()[:2]


def title_words(title: str | None) -> frozenset[str]:
    """The distinctive words of a title: capitalised names and numbers (years, versions)."""
    words = _TITLE_WORD.findall(title or "")
    return frozenset(w.casefold() for w in words if w.casefold() not in _COMMON_CAPITALS)


def _shares_event(words: frozenset[str], events: list[frozenset[str]]) -> bool:
    return len(words) >= 2 and any(len(words & event) >= 2 for event in events)


def _plain(markdown: str) -> str:
    """Prose lines of Markdown as text: headings left out (they are not a summary)."""
    prose = "\n".join(line for line in markdown.splitlines() if not line.lstrip().startswith("#"))
    if "](" in prose:  # most feed items have no link in their first lines: no substitution
        prose = _MARKDOWN_LINK.sub(_link_text, prose)
    return _MARKDOWN_MARK.sub("", prose)


def _link_text(match: re.Match[str]) -> str:
    return match.group(1)


def _first_line(text: str) -> str:
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= 120 else line[:119].rsplit(" ", 1)[0] + "…"


def _timestamp(article: Article) -> float:
    when = article.published or article.first_seen
    return when.timestamp() if when else 0.0
