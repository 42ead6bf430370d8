"""The team's voice in a recap post: who went where and when, the key figure, the takeaways.

A recap is the team's own writing, so its post speaks as the team, in the team's language:
"Claire était aux Journées OpenInfra Lyon 2026, les 13 et 14 novembre." Names come from the
front matter (`author`, `authors`); the event, the place and the dates from the recap itself, and
only when it says them. The recap's own sentences (in its own language) give the figure and the
takeaways, whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import regex

from recapmail.model import Figure, Highlights
from recapmail.render.shorten import clean, sentences
from recapmail.render.social_text import as_sentence, clause_cuts

FOLD = 140  # LinkedIn shows about 140 characters on a phone before "…see more"
MAX_TAKEAWAYS = 4
HOOK_SENTENCE = 200

_WORD = r"[\p{Lu}\p{N}][\p{L}\p{N}+&.'’-]*"
_LINK_WORD = r"(?:de|du|des|of|on|the|\+|&)"
# An event's name: capitalised words (a few small words between) ending with its year.
_EVENT = regex.compile(
    rf"(?<![\p{{L}}\p{{N}}])({_WORD}(?:\s+(?:{_WORD}|{_LINK_WORD})){{0,8}}?\s+20\d\d)\b"
)
_NOT_NAME = {
    "nos", "notre", "nous", "our", "we", "les", "le", "la", "retour", "retours", "compte",
    "notes", "bilan", "recap", "what", "ce", "cette", "this", "at", "à", "au", "aux", "en", "in",
}  # fmt: skip
_MONTHS_FR = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
_MONTHS_EN = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = {
    "fr": regex.compile(
        rf"(?i)\b(?:(?:les?|du)\s+)?\d{{1,2}}(?:er)?(?:\s+(?:et|au)\s+\d{{1,2}}(?:er)?)?"
        rf"\s+(?:{_MONTHS_FR})(?:\s+20\d\d)?\b"
    ),
    "en": regex.compile(
        rf"\b(?:(?:on|from)\s+)?(?:{_MONTHS_EN})\s+\d{{1,2}}(?:\s*(?:[–-]|to|and)\s*\d{{1,2}})?"
        rf"(?:,\s*20\d\d)?\b"
    ),
}
_PLACE = {
    "fr": regex.compile(r"\bà\s+(\p{Lu}[\p{L}'’-]+(?:[\s-]\p{Lu}[\p{L}'’-]+){0,3})"),
    "en": regex.compile(r"\bin\s+(\p{Lu}[\p{L}'’-]+(?:[\s-]\p{Lu}[\p{L}'’-]+){0,3})"),
}
_TEAM = regex.compile(r"(?i)\b(?:nous|notre|nos|l['’]équipe|we|our|us)\b")
# Sentences that speak about the recap or ask to get in touch: no takeaway.
_META = regex.compile(
    r"(?i)compte[- ]rendu|\brecap\b|écrivez-nous|contactez|get in touch|contact us|"
    r"\bmerci\b|\bthanks?\b|prochaine étape|next step"
)
_FEMININE = ("con", "conf", "conférence", "conference", "journée", "semaine", "nuit", "rencontre")
_MASCULINE = ("salon", "sommet", "summit", "forum", "festival", "congrès", "symposium", "meetup")


@dataclass(frozen=True, slots=True)
class Lead:
    """The opening of a recap post, and the sentences it already says."""

    hook: str
    figure: str = ""
    used: tuple[str, ...] = ()


def event_name(texts: Sequence[str]) -> str | None:
    """The first event name with its year in `texts` (a title first): "KubeCon North America
    2026" from "Nos notes de KubeCon North America 2026"."""
    for text in texts:
        for match in _EVENT.finditer(clean(text)[:1000]):
            words = match.group(1).split()
            while words and words[0].casefold() in _NOT_NAME:
                words = words[1:]
            if len(words) >= 2:
                return " ".join(words)
    return None


def first_names(authors: Sequence[str]) -> list[str]:
    names: list[str] = []
    for raw in authors:
        for name in regex.split(r"\s*(?:,|;|\bet\b|\band\b|&)\s*", raw):
            first = name.split()[0] if name.split() else ""
            if regex.fullmatch(r"\p{Lu}[\p{L}'’-]{1,30}", first) and first not in names:
                names.append(first)
    return names[:3]


def _joined(names: Sequence[str], language: str) -> str:
    conj = " et " if language == "fr" else " and "
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + conj + names[-1]


def _at(event: str, language: str) -> str:
    """ "aux Journées…", "à la KubeCon…", "à l’OpenInfra Summit…", "au Salon…"."""
    if language != "fr":
        return f"at {event}"
    head = event.split()[0].casefold()
    second = event.split()[1].casefold() if len(event.split()) > 1 else ""
    plural = {"journées", "rencontres", "assises", "days"}
    if head in plural or second in plural:
        return f"aux {event}"
    if regex.match(r"(?i)[aeiouyéèêh]", event):
        return f"à l’{event}"
    # The first word that is a kind of event gives the gender: "la KubeCon", "le Cloud Summit".
    for word in (w.casefold() for w in event.split()):
        if word.endswith(_FEMININE):
            return f"à la {event}"
        if word in _MASCULINE:
            return f"au {event}"
    return f"à {event}"


def _presence(
    who: Sequence[str], event: str, place: str, when: str, language: str, team: str = ""
) -> str:
    """ "Claire et Tom étaient aux…"; with no author "Nous étions…", or "<team> était…" when
    the team does not speak in the first person ([social] first_person = false)."""
    if not who and team:
        who = (team,)
    if language == "fr":
        subject = _joined(who, "fr") if who else "Nous"
        verb = "étions" if not who else "étaient" if len(who) > 1 else "était"
        where = f", à {place}" if place else ""
    else:
        subject = _joined(who, "en") if who else "We"
        verb = "were" if not who or len(who) > 1 else "was"
        where = f", in {place}" if place else ""
    return as_sentence(
        f"{subject} {verb} {_at(event, language)}{where}{', ' + when if when else ''}"
    )


def recap_lead(
    members: Sequence[Highlights],
    title: str,
    figures: Sequence[Figure],
    language: str,
    *,
    team: str = "",
) -> Lead:
    """Who went where and when, then the key figure within the fold, in `language`."""
    said = _all_sentences(members)
    event = event_name([title, *[h.title for h in members], *said])
    used: list[str] = []
    generated = event is not None
    if event is not None:
        same = [s for s, lang in _sentences_with_language(members) if lang == language]
        dated = [s for s in same if _DATE.get(language, _DATE["en"]).search(s)]
        when = ""
        if dated:
            found = _DATE.get(language, _DATE["en"]).search(dated[0])
            when = found.group(0) if found else ""
            when = when[0].lower() + when[1:] if language == "fr" and when else when
        place = ""
        for sentence in [*dated, title, *(h.title for h in members)]:
            found = _PLACE.get(language, _PLACE["en"]).search(sentence)
            if found and found.group(1) not in event:
                place = found.group(1)
                break
        mine = sorted(members, key=lambda h: h.language != language)
        authors = [h.article.author or "" for h in mine]
        hook = _presence(first_names(authors), event, place, when, language, team)
        used += [s for s in said if event in s and _TEAM.search(s)]
    else:
        # The team's own sentence, in the frame's language if one is, else in the recap's.
        ranked = sorted(
            (
                (s, lang) for s, lang in _sentences_with_language(members)
                if _TEAM.search(s) and len(s) <= HOOK_SENTENCE and not _META.search(s)
            ),
            key=lambda pair: pair[1] != language,
        )  # fmt: skip
        own = [s for s, _ in ranked]
        if not own:
            return Lead(hook="")
        hook = own[0]
        used.append(hook)
    languages = dict(_sentences_with_language(members))
    # The figure a reader of the team's language can read first, then the others.
    # Digits before words ("1 200" before "trois").
    ordered = sorted(
        figures,
        key=lambda f: (
            languages.get(clean(f.sentence), language) != language,
            not regex.search(r"\d", f.value),
        ),
    )
    top = ordered[0] if ordered else None
    if top is not None and event and event in clean(top.sentence):
        # Its sentence names the event again and would repeat the hook: the figure alone.
        figure = "" if _holds(hook, clean(top.value)) else _figure_phrase(top, language)
        return Lead(hook=hook, figure=figure, used=(*used, clean(top.sentence)))
    figure = _figure_sentence(hook, ordered, used)
    if figure:
        used.append(figure)
    else:
        fresh = [f for f in ordered if clean(f.value) and not _holds(hook, clean(f.value))]
        if fresh and (generated or len(fresh) == len(ordered)):
            figure = _figure_phrase(fresh[0], language)
    return Lead(hook=hook, figure=figure, used=tuple(used))


def _holds(text: str, value: str) -> bool:
    """Whether `value` stands in `text` as a number of its own (not "12" inside "2012")."""
    return bool(regex.search(rf"(?<![\d.,]){regex.escape(value)}(?![\d]|[.,]\d)", text))


def _figure_phrase(figure: Figure, language: str) -> str:
    from recapmail.highlights.figures import phrase

    lead = "Le chiffre à retenir\u202f:" if language == "fr" else "The figure to remember:"
    return as_sentence(f"{lead} {clean(phrase(figure))}")


def _figure_sentence(hook: str, figures: Sequence[Figure], used: Sequence[str]) -> str:
    """The sentence of the key figure, cut at a clause so the figure falls within the fold."""
    for figure in figures:
        value = clean(figure.value)
        if not value or _holds(hook, value):
            continue
        sentence = clean(figure.sentence)
        if not sentence or sentence in used or _META.search(sentence):
            continue
        for candidate in [sentence, *reversed([as_sentence(c) for c in clause_cuts(sentence)])]:
            if value not in candidate:
                break
            if len(hook) + 1 + candidate.index(value) + len(value) <= FOLD:
                return candidate
    return ""


def takeaways(
    members: Sequence[Highlights],
    highlights: Sequence[str],
    used: Sequence[str],
    language: str,
    limit: int = MAX_TAKEAWAYS,
) -> list[tuple[str, str]]:
    """Up to `limit` highlights as (sentence, its language): whole sentences, not already said
    (nor their figures), no calls to write to us; those in the team's language first."""
    languages = dict(_sentences_with_language(members))
    fallback = members[0].language if members else language
    candidates = sorted(
        (clean(raw) for raw in highlights),
        key=lambda t: languages.get(t, fallback) != language,
    )
    out: list[tuple[str, str]] = []
    seen = {clean(s).casefold() for s in used}
    numbers = {n for s in used for n in _numbers(s)}
    for text in candidates:
        if not text or text.casefold() in seen or _META.search(text) or text.endswith("?"):
            continue
        if not text.endswith((".", "!", "»", ")")) or _numbers(text) & numbers:
            continue
        seen.add(text.casefold())
        numbers |= _numbers(text)
        out.append((text, languages.get(text, fallback)))
        if len(out) >= limit:
            break
    return out


_NUMBER = regex.compile(r"\d+(?:[ \u00a0\u202f.,]\d{3})*")


def _numbers(text: str) -> set[str]:
    """The numbers of a sentence, written alike ("1 800", "1,800" -> "1800"); years aside."""
    found = {regex.sub(r"\D", "", m.group(0)) for m in _NUMBER.finditer(text)}
    return {n for n in found if not regex.fullmatch(r"20\d\d", n) and len(n) > 1}


def _sentences_with_language(members: Sequence[Highlights]) -> list[tuple[str, str]]:
    return [(s, h.language) for h in members for s in _sentences_of(h)]


def _all_sentences(members: Sequence[Highlights]) -> list[str]:
    return [s for h in members for s in _sentences_of(h)]


def _sentences_of(h: Highlights) -> list[str]:
    lines = [clean(line) for line in h.article.body[:6000].splitlines()]
    body = [s for line in lines if line for s in sentences(line)][:12]
    seen: list[str] = []
    for s in [*sentences(clean(h.summary)), *map(clean, h.highlights), *body]:
        if s and s not in seen:
            seen.append(s)
    return seen
