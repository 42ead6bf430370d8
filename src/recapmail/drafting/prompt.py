"""What a model is asked: only what recapmail extracted, and the team's voice, as plain text.

The answer asked for is plain text (the hook on the first line, then one takeaway a line), not
JSON or Markdown: the smallest model a team runs can follow that, and recapmail adds the link
and the hashtags itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from recapmail.config import Config
from recapmail.model import Figure
from recapmail.render.social_draft import HOOK_LIMIT

Kind = Literal["post", "hook", "intro"]
INTRO_LIMIT = 300
TAKEAWAY_LIMIT = 240
_LANGUAGES = {"fr": "French", "en": "English"}


@dataclass(frozen=True, slots=True)
class Material:
    """One text to draft and every fact it may say: a draft is checked against these."""

    key: str  # "post:<source>", "week:<label>", "intro:<label>"
    what: str  # how warnings and the preview name it: "weekly post hook"
    kind: Kind
    language: str  # the language the text must be in
    title: str
    summary: str = ""
    highlights: tuple[str, ...] = ()
    figures: tuple[Figure, ...] = ()
    link: str | None = None
    titles: tuple[str, ...] = ()  # other titles it may name (the week's items)


Message = dict[str, str]


def messages(m: Material, cfg: Config) -> list[Message]:
    """The chat messages for one text: instructions, then the facts."""
    return [
        {"role": "system", "content": _instructions(m, cfg)},
        {"role": "user", "content": _facts(m)},
    ]


def _instructions(m: Material, cfg: Config) -> str:
    language = _LANGUAGES.get(m.language, m.language)
    social = cfg.social
    team = cfg.newsletter.team
    who = (
        'Speak as the team, in the first person plural ("nous", "we").'
        if social.first_person
        else f"Speak of the team in the third person, by its name: {team}."
    )
    address = {
        "vous": 'Address the reader as "vous".',
        "tu": 'Address the reader as "tu".',
    }.get(social.address, "Do not address the reader directly.")
    emoji = "One emoji at most." if social.emoji else "No emoji."
    if m.kind == "post":
        shape = (
            f"First line: a hook of at most {HOOK_LIMIT} characters. Then two to four lines, "
            f"one takeaway a line, each at most {TAKEAWAY_LIMIT} characters."
        )
    elif m.kind == "hook":
        shape = f"One line: a hook of at most {HOOK_LIMIT} characters about the week's top story."
    else:
        shape = (
            f"One line of at most {INTRO_LIMIT} characters that opens this week's newsletter "
            "and says what it covers."
        )
    return "\n".join(
        (
            f"You write for {team}, an IT-services team, about what it read or saw at events.",
            f"Write in {language}. {who} {address} {emoji}",
            shape,
            "Use only the facts given: never add a number, a date, a name or a link.",
            "Plain text only: no JSON, no Markdown, no bullets, no hashtags, no link.",
        )
    )


def _facts(m: Material) -> str:
    lines = [f"Title: {m.title}"]
    if m.summary:
        lines.append(f"Summary: {m.summary}")
    if m.highlights:
        lines.append("Highlights:")
        lines.extend(f"- {h}" for h in m.highlights)
    if m.titles:
        lines.append("Also in this issue:")
        lines.extend(f"- {t}" for t in m.titles)
    if m.figures:
        lines.append("Figures:")
        lines.extend(f"- {f.value} {f.label}".rstrip() for f in m.figures)
    if m.link:
        lines.append(f"Link: {m.link}")
    return "\n".join(lines)
