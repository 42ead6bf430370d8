"""Text routines every stage shares: accents folded, invisible characters and markup dropped, slugs.

One place so that two stages never disagree on what "the same word" is (a title matched by
identity.py, a slug in a file name, a List-Id).
"""

from __future__ import annotations

import re
import unicodedata

import regex

# NFKD splits "é" into "e" and its accent but leaves ligatures whole: "œuvre" would lose its
# "œ" when the accents are dropped.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})
# A comment, a script or style element with its content, or any other tag.
_MARKUP = re.compile(
    r"<!--.*?(?:-->|\Z)|<(script|style)\b[^>]*>.*?(?:</\1\s*>|\Z)|</?[a-zA-Z][^<>]*>",
    re.IGNORECASE | re.DOTALL,
)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# Characters that only hide or reorder text: bidi embeddings, overrides and isolates, invisible
# separators and fillers, the soft hyphen, the BOM, variation selectors' lookalikes and tags.
# ZWJ is not among them: it joins emoji ("👩‍💻"); only a ZWJ outside an emoji sequence goes.
_INVISIBLE = regex.compile(
    r"[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200e\u200f\u202a-\u202e"
    r"\u2060-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb\U000e0000-\U000e007f]"
)
_EMOJI = r"[\p{Extended_Pictographic}\p{Emoji_Modifier}]"
_LONE_ZWJ = regex.compile(rf"(?<!{_EMOJI}\p{{M}}*)\u200d|\u200d(?!{_EMOJI})")


def fold(text: str, ligatures: bool = True) -> str:
    """Accents and ligatures off ("Œuvre à Zürich" -> "OEuvre a Zurich"); other scripts kept.
    `ligatures=False` leaves "œ" as it is (the identity keys already stored were made so)."""
    if text.isascii():  # most text: nothing to do
        return text
    text = unicodedata.normalize("NFKD", text.translate(_LIGATURES) if ligatures else text)
    return "".join(c for c in text if not unicodedata.combining(c))


def visible(text: str) -> str:
    """`text` without the characters that only hide or reorder it (see _INVISIBLE)."""
    text = _INVISIBLE.sub("", text)
    return _LONE_ZWJ.sub("", text) if "\u200d" in text else text


def slugify(text: str, max_length: int = 60, empty: str = "edition") -> str:
    """Lower-case ASCII words joined by "-": "Journées Lyon" -> "journees-lyon"."""
    # Ligatures dropped as before: a slug names folders, Atom ids and the List-Id, which must
    # not change from one version to the next.
    plain = fold(text, ligatures=False).encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", plain.lower()).strip("-")
    return slug[:max_length].rstrip("-") or empty


def strip_markup(text: str) -> str:
    """Metadata (a title, a tag, an author) is shown as text; markup in it is dropped rather
    than carried, so no output can hold a tag a stranger wrote, even a text part pasted into
    a page. Repeated because removing one tag can join the halves of another ("<scr<b>ipt>")."""
    for _ in range(5):
        if "<" not in text:
            break
        stripped = _MARKUP.sub(" ", text)
        if stripped == text:
            break
        text = stripped
    return " ".join(text.split())
