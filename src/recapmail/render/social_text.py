"""Sentences and clauses for posts: shortening that never stops inside a clause.

A post that does not fit loses whole takeaways first, then whole sentences, then the last
clauses of a sentence (cut at a comma, a semicolon, a colon or a dash, outside brackets), and the
shortened sentence is closed with a full stop: a reader never meets "…" in the middle of a thought.
"""

from __future__ import annotations

from collections.abc import Callable

import regex

from recapmail.render.shorten import sentences

# A clause ends before ", ", " ; ", " : " (French spacing too), " — " or " – ".
_CLAUSE_END = regex.compile(r"[ \u00a0\u202f]*(?:[,;]|[ \u00a0\u202f][:—–]|:(?=\s))(?=\s)")
_CLOSERS = "»”\"')]"
_STOPS = ".!?"
_DANGLING = regex.compile(r"[\s\u00a0\u202f,;:(\[«“‘\-–—/&+]+$")
# Words a clause may not end on: it would leave the sentence hanging ("… et.", "… with.").
_HANGING = regex.compile(
    r"(?i)(?:^|\s)(?:et|ou|mais|donc|car|avec|de|des|du|la|le|les|un|une|à|au|aux|en|par|pour"
    r"|sur|dont|qui|que|soit|and|or|but|with|of|the|a|an|to|in|on|for|by|which|that)$"
)


def ends_sentence(text: str) -> bool:
    """Whether `text` ends where a sentence ends (a full stop, "!" or "?", maybe quoted)."""
    tail = text.rstrip().rstrip(_CLOSERS)
    return bool(tail) and tail[-1] in _STOPS and not tail.endswith("…")


def as_sentence(text: str) -> str:
    """`text` closed as a sentence: dangling punctuation dropped, a full stop added if needed."""
    text = _DANGLING.sub("", text.strip())
    if not text or ends_sentence(text):
        return text
    return text.rstrip(".…") + "."


def clause_cuts(sentence: str) -> list[str]:
    """The beginnings of `sentence` that end on a clause boundary, shortest first, outside
    brackets and quotes, never on a word that leaves the clause hanging."""
    out: list[str] = []
    for match in _CLAUSE_END.finditer(sentence):
        head = sentence[: match.start()].rstrip()
        if not head or head.count("(") > head.count(")") or head.count("«") > head.count("»"):
            continue
        if _HANGING.search(head) or len(head.split()) < 3:
            continue
        out.append(head)
    return out


def shorten_sentences(
    text: str, fits: Callable[[str], bool], *, clauses: bool = True, close: bool = True
) -> str:
    """The longest beginning of `text` that `fits` made of whole sentences, or of whole
    sentences and the first clauses of the next one; "" when not even one clause fits.

    With `close`, a beginning cut inside a sentence is closed with a full stop; without it (a
    title), it is left as it stands, without an ellipsis.
    """
    text = text.strip()
    if not text or fits(text):
        return text
    parts = sentences(text) or [text]
    best = ""
    for i in range(len(parts)):
        kept = " ".join(parts[:i])
        if i and not fits(kept):
            break
        if i:
            best = kept
        if not clauses:
            continue
        for head in reversed(clause_cuts(parts[i])):
            cut = as_sentence(head) if close else _DANGLING.sub("", head)
            candidate = f"{kept} {cut}".strip()
            if len(candidate) > len(best) and fits(candidate):
                best = candidate
                break
    return best


_SEPARATORS = ("\n\n", "\n", " ")


def pack(text: str, ok: Callable[[str], bool], level: int = 0) -> list[str]:
    """`text` in consecutive parts that each pass `ok`, cut between paragraphs, else lines,
    else sentences. A sentence too long for a part of its own keeps its first clauses, closed
    with a full stop, or is left out when not even one clause fits: no part stops inside one.
    """
    sep = _SEPARATORS[level]
    if level == 0:
        pieces = [p for p in text.split("\n\n") if p.strip()]
    elif level == 1:
        pieces = [p for p in text.split("\n") if p.strip()]
    else:
        pieces = sentences(text) or [text]
    out: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{sep}{piece}" if current else piece
        if ok(candidate):
            current = candidate
            continue
        if current:
            out.append(current)
            current = ""
        if ok(piece):
            current = piece
        elif level < 2:
            inner = pack(piece, ok, level + 1)
            out.extend(inner[:-1])
            current = inner[-1] if inner else ""
        else:
            current = shorten_sentences(piece, ok)
    if current:
        out.append(current)
    return out
