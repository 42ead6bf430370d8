"""Fitting a post to its platform: what a draft could say, and the shorter versions of it.

A draft is reduced step by step, least loss first: takeaways, entries' sentences, entries,
content hashtags; then the summary loses whole sentences and the figure's sentence and the hook
lose clauses at their end. No step stops inside a clause. A thread keeps part 1 whole (hook,
figure, link) and packs the rest between paragraphs, lines or sentences.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, Literal

from recapmail.model import Platform
from recapmail.render.shorten import shorten_words
from recapmail.render.social_text import ends_sentence, pack, shorten_sentences

log = logging.getLogger(__name__)

Kind = Literal["article", "cluster", "digest"]
# (most hashtags, fewest before the summary is shortened)
TAGS: dict[Platform, tuple[int, int]] = {"linkedin": (5, 3), "mastodon": (4, 2), "bluesky": (3, 1)}


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of a digest or cluster post: a title, maybe a sentence, maybe a link."""

    title: str
    text: str = ""
    link: str | None = None


@dataclass(frozen=True, slots=True)
class Draft:
    """Everything a post could say; reductions take from the end of each list."""

    kind: Kind
    source: str
    language: str
    hook: str
    figure: str = ""  # the sentence of the key figure, right after the hook
    summary: str = ""
    bullets: tuple[str, ...] = ()
    entries: tuple[Entry, ...] = ()
    more: int = 0
    link: str | None = None
    link_label: str = ""
    entries_label: str = ""
    hashtags: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


def reductions(d: Draft, fewest_tags: int, standing: frozenset[str]) -> Iterator[Draft]:
    """The draft, then ever shorter versions of it, least loss first.

    Content hashtags go before the config's standing ones, which stay to the end. An event's
    other recaps go before its takeaways: the post says what the team learnt, and links the
    recap in the team's language.
    """
    yield d
    while d.kind == "cluster" and d.bullets and d.entries:
        d = replace(d, entries=d.entries[:-1])
        yield d
    while d.bullets:
        d = replace(d, bullets=d.bullets[:-1])
        yield d
    for i in reversed(range(len(d.entries))):
        if d.entries[i].text:
            entries = list(d.entries)
            entries[i] = replace(entries[i], text="")
            d = replace(d, entries=tuple(entries))
            yield d
    while d.entries:
        # A digest says how many items the post leaves out; other recaps of an event are no items.
        d = replace(d, entries=d.entries[:-1], more=d.more + (d.kind == "digest"))
        yield d
    while len(d.hashtags) > fewest_tags:
        content = [i for i, tag in enumerate(d.hashtags) if tag.casefold() not in standing]
        drop = content[-1] if content else len(d.hashtags) - 1
        d = replace(d, hashtags=d.hashtags[:drop] + d.hashtags[drop + 1 :])
        yield d


def fit(
    draft: Draft,
    render: Callable[[Draft], str],
    ok: Callable[[str], bool],
    platform: Platform,
    standing: frozenset[str] = frozenset(),
) -> str:
    """The most complete rendering of `draft` that `ok` accepts, never cut inside a clause.

    Takeaways, entries and content hashtags go first (reductions); then the summary loses
    sentences, the figure's sentence and the hook lose clauses at their end.
    """
    fewest = max(TAGS[platform][1], sum(t.casefold() in standing for t in draft.hashtags))
    last = draft
    # In order, first fit wins: the reductions are not always shorter one after the other (a
    # digest that drops an entry gains the line "… and N more"), so no halving.
    for candidate in reductions(draft, fewest, standing):
        text = render(candidate)
        if ok(text):
            return text
        last = candidate
    d = last
    for step in ("summary", "figure", "tags", "hook", "figure"):
        if step == "tags":
            d = replace(d, hashtags=(), more=0)
        elif getattr(d, step):
            d = _with(d, step, _shorter(d, step, render, ok))
        if ok(render(d)):
            return render(d)
    log.warning("%s post for %s cut to fit %s", platform, draft.source, platform)
    return shorten_words(render(d), ok)


def _with(d: Draft, name: str, value: str) -> Draft:
    changes: dict[str, Any] = {name: value}
    return replace(d, **changes)


def _shorter(d: Draft, name: str, render: Callable[[Draft], str], ok: Callable[[str], bool]) -> str:
    """Draft field `name` cut at a sentence or clause boundary so the post fits, or ""."""
    value: str = getattr(d, name)
    return shorten_sentences(
        value,
        lambda s: ok(render(_with(d, name, s))),
        clauses=name != "summary",
        close=ends_sentence(value),
    )


def thread_posts(
    draft: Draft,
    render: Callable[[Draft], str],
    ok: Callable[[str], bool],
    platform: Platform,
    standing: frozenset[str] = frozenset(),
) -> list[str]:
    """The post whole when it fits, else numbered parts: part 1 stands alone (hook, figure,
    link), the others carry the takeaways, entries and hashtags, cut between paragraphs, lines
    or sentences."""
    full = render(draft)
    if ok(full):
        return [full]
    lead = replace(draft, bullets=(), entries=(), more=0, hashtags=())
    lead_paragraphs = render(lead).split("\n\n")
    rest: list[str] = []
    for paragraph in full.split("\n\n"):
        if paragraph in lead_paragraphs:
            lead_paragraphs.remove(paragraph)
        elif rest and rest[-1].rstrip().endswith(":"):
            rest[-1] += "\n" + paragraph  # a label ("Au sommaire :") stays with what it heads
        else:
            rest.append(paragraph)
    total = 2
    parts: list[str] = []
    for _ in range(4):  # the marker's width depends on the number of parts
        marker = f"\n\n{total}/{total}"

        def fits(body: str, marker: str = marker) -> bool:
            return ok(body + marker)

        first = fit(lead, render, fits, platform, standing)
        parts = [first, *pack("\n\n".join(rest), fits)] if rest else [first]
        if len(parts) <= total:
            break
        total = len(parts)
    if len(parts) == 1:
        return parts
    n = len(parts)
    return [f"{body}\n\n{i}/{n}" for i, body in enumerate(parts, 1)]
