"""Plain text for posts: outside text made clean, split into sentences, shortened readably.

Every string that reaches a post comes from an article, a feed or a config, so it is treated as
hostile: HTML tags and entities, Markdown syntax, bidi overrides, zero-width and control
characters are removed here, and Jinja syntax stays literal text because posts only ever pass
values to templates, never render them.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Callable, Iterable

import regex

from recapmail.highlights.hashtags import hashtag
from recapmail.highlights.sentences import ends_with_abbreviation, split_sentences
from recapmail.text import visible

ELLIPSIS = "…"
MAX_FIELD = 5000  # characters kept from any one field before cleaning: a post never needs more

_SCRIPT = regex.compile(
    r"<(script|style|template|iframe|object)\b.*?(?:</\1\s*>|\Z)", regex.I | regex.S
)
_COMMENT = regex.compile(r"<!--.*?(?:-->|\Z)", regex.S)
_AUTOLINK = regex.compile(r"<((?:https?|mailto):[^\s<>]+)>", regex.I)
# A tag, a declaration, or a tag with attributes cut off by the end of the text.
_TAG = regex.compile(
    r"</?[a-zA-Z][^<>]{0,2000}>|<![^<>]{0,2000}>|</?[a-zA-Z][\w-]*\s[^<>]*=[^<>]*\Z"
)
_MD_TARGET = r"\((?:[^()\n]|\([^()\n]*\))*\)"  # one level of brackets inside: wiki/Primer_(film)
_MD_IMAGE = regex.compile(rf"!\[([^\]\n]*)\]{_MD_TARGET}")
_MD_LINK = regex.compile(rf"\[([^\]\n]+)\]{_MD_TARGET}")
_MD_REF = regex.compile(r"\[([^\]\n]+)\]\[[^\]\n]*\]")
_MD_CODE = regex.compile(r"`{1,3}([^`\n]*)`{1,3}")
_MD_STRONG = regex.compile(r"(?<![\w*])(\*\*|__)(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_MD_EM = regex.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_MD_STRIKE = regex.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_MD_LINE = regex.compile(
    r"^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?|[-*+•][ \t]+|\d{1,3}[.)][ \t]+)", regex.M
)
_MD_RULE = regex.compile(r"^[ \t]*(?:[-*_][ \t]*){3,}$", regex.M)
_HEADING_CLOSE = regex.compile(r"[ \t]+#+[ \t]*$", regex.M)
_CONTROL = regex.compile(r"[\p{Cc}\p{Cs}\p{Co}\p{Cn}]")
_SPACE = regex.compile(r"\s+")
_SPACE_BEFORE_STOP = regex.compile(r"[ \t]+([.,])(?=\s|$)")
_LINE_SPACE = regex.compile(r"[^\S\n\u00a0\u202f]+")

_TRAILING = regex.compile(r"[\s\u00a0\u202f,;:(\[«“‘\-–—/&+]+$")


def clean(text: str | None, *, lines: bool = False) -> str:
    """Outside text as plain, single-spaced text ready for a post.

    With `lines`, line breaks are kept (a list in a description) but runs of them collapse.
    """
    if not text:
        return ""
    value = _strip_markup(text[: MAX_FIELD * 2])
    for _ in range(3):  # "&amp;lt;b&amp;gt;" is markup that was escaped twice
        decoded = html.unescape(value)
        if decoded == value:
            break
        value = _strip_markup(decoded)
    value = unicodedata.normalize("NFC", value)
    value = visible(value)
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    value = _CONTROL.sub(lambda m: "\n" if m.group() == "\n" else " ", value)
    value = _markdown_to_text(value)
    if lines:
        value = _LINE_SPACE.sub(" ", value)
        value = "\n".join(line.strip() for line in value.split("\n"))
        value = regex.sub(r"\n{2,}", "\n", value).strip()
    else:
        value = _SPACE.sub(_one_space, value).strip()
    value = _SPACE_BEFORE_STOP.sub(r"\1", value)  # "et ." where a tag was removed
    result: str = value[:MAX_FIELD].strip()
    return result


def _one_space(match: regex.Match[str]) -> str:
    """A run of spaces becomes one; a run of no-break spaces alone keeps its first."""
    run = match.group()
    return run[0] if run.strip(" \u00a0\u202f") == "" and " " not in run else " "


def _strip_markup(value: str) -> str:
    value = _SCRIPT.sub(" ", value)
    value = _COMMENT.sub(" ", value)
    value = _AUTOLINK.sub(r"\1", value)
    result: str = _TAG.sub(" ", value)
    return result


def _markdown_to_text(value: str) -> str:
    value = _MD_IMAGE.sub(lambda m: m.group(1), value)
    value = _MD_LINK.sub(lambda m: m.group(1), value)
    value = _MD_REF.sub(lambda m: m.group(1), value)
    value = _MD_CODE.sub(lambda m: m.group(1), value)
    value = _MD_RULE.sub("", value)
    value = _MD_LINE.sub("", value)
    value = _HEADING_CLOSE.sub("", value)
    for _ in range(2):  # nested emphasis: ***x***
        value = _MD_STRONG.sub(lambda m: m.group(2), value)
        value = _MD_EM.sub(lambda m: m.group(2), value)
    result: str = _MD_STRIKE.sub(lambda m: m.group(1), value)
    return result


def sentences(text: str) -> list[str]:
    """Split plain text into sentences, keeping each one's closing punctuation."""
    return split_sentences(text, None)


def shorten(text: str, fits: Callable[[str], bool], *, ellipsis: str = ELLIPSIS) -> str:
    """The longest readable beginning of `text` that `fits`: whole sentences, else whole words
    followed by an ellipsis; "" when not even one word fits.

    Whole sentences win unless they keep less than 40 % of what words could keep.
    Words are whitespace-separated, so a URL or a hashtag is never cut.
    """
    text = text.strip()
    if not text or fits(text):
        return text
    parts = sentences(text)
    by_sentence = _longest_prefix(parts, " ", fits) if len(parts) > 1 else ""
    by_word = shorten_words(text, fits, ellipsis=ellipsis)
    if by_sentence and len(by_sentence) * 5 >= len(by_word) * 2:
        return by_sentence
    return by_word


def shorten_words(text: str, fits: Callable[[str], bool], *, ellipsis: str = ELLIPSIS) -> str:
    words = text.split()
    low, high = 0, len(words)  # low words always fit (0 is the empty string)
    while low < high:
        mid = (low + high + 1) // 2
        if fits(_cut(words, mid, ellipsis)):
            low = mid
        else:
            high = mid - 1
    return _cut(words, low, ellipsis) if low else ""


def _cut(words: list[str], n: int, ellipsis: str) -> str:
    head: str = _TRAILING.sub("", " ".join(words[:n]))
    if not head:
        return ""
    if n == len(words) and head == " ".join(words):
        return head
    # A sentence that ends where the cut falls needs no ellipsis.
    if head[-1] in ".!?…" and not ends_with_abbreviation(head):
        return head
    return head + ellipsis


def _longest_prefix(parts: list[str], sep: str, fits: Callable[[str], bool]) -> str:
    best = ""
    for i in range(1, len(parts) + 1):
        candidate = sep.join(parts[:i])
        if not fits(candidate):
            break
        best = candidate
    return best


def first_sentence(text: str) -> str:
    parts = sentences(text)
    return parts[0] if parts else ""


# -- hashtags ---------------------------------------------------------------------------------


def hashtags(candidates: Iterable[str], *, keep: int) -> list[str]:
    """Normalised, deduplicated (ignoring case) hashtags, in order, at most `keep`."""
    out: list[str] = []
    seen: set[str] = set()
    for candidate in candidates:
        tag = hashtag(candidate)
        if tag is None or tag.casefold() in seen:
            continue
        seen.add(tag.casefold())
        out.append(tag)
        if len(out) >= keep:
            break
    return out
