"""The article's title: metadata, else a heading or short first line, else built from key terms.

Never the first characters of a paragraph cut mid-word: a title that has to be made up is made
of the article's main name and topic ("OpenInfra Summit Europe 2025 : souveraineté numérique").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from recapmail.highlights.clean import Block, normalise
from recapmail.highlights.keywords import EVENT_WORDS

MAX_TITLE = 120  # for a title found in the body or built here
MAX_METADATA_TITLE = 200  # an author's own title is kept whole unless it is a paragraph
_TRAILING = re.compile(r"[\s:;,\-–—|]+$")


def pick_title(
    metadata_title: str | None,
    blocks: Sequence[Block],
    keywords: Sequence[str],
    language: str,
) -> tuple[str, bool]:
    """The title, and whether it came from the body's first block (which is then not prose)."""
    if metadata_title and normalise(metadata_title):
        return _tidy(normalise(metadata_title), MAX_METADATA_TITLE), False
    if blocks and blocks[0].kind == "heading" and 3 <= len(blocks[0].text) <= MAX_TITLE:
        return _tidy(blocks[0].text), True
    return build_title(keywords, language), False


def build_title(keywords: Sequence[str], language: str) -> str:
    if not keywords:
        return "Sans titre" if language == "fr" else "Untitled"
    names = [k for k in keywords if k[:1].isupper() or any(c.isupper() for c in k)]
    topics = [k for k in keywords if k not in names]
    events = [n for n in names if EVENT_WORDS.search(n) and (" " in n or _distinct(n))]
    head = events[0] if events else (names[0] if names else keywords[0])
    colon = " : " if language == "fr" else ": "
    and_word = " et " if language == "fr" else " and "
    rest = [t for t in topics if t.lower() not in head.lower()][:2]
    if not rest:
        rest = [n for n in names if n != head and n.lower() not in head.lower()][:2]
    if not rest:
        return _tidy(head[:1].upper() + head[1:])
    tail = and_word.join(rest) if len(rest) == 2 else rest[0]
    title = head[:1].upper() + head[1:] + colon + tail
    if len(title) > MAX_TITLE:
        title = head[:1].upper() + head[1:] + colon + rest[0]
    return _tidy(title)


def _distinct(name: str) -> bool:
    return any(c.isupper() for c in name[1:]) or any(c.isdigit() for c in name)


def _tidy(title: str, limit: int = MAX_TITLE) -> str:
    title = " ".join(title.split())
    if len(title) > limit:
        cut = title.rfind(" ", 0, limit - 1)
        title = title[: cut if cut > 0 else limit - 1] + "…"
    return _TRAILING.sub("", title)
