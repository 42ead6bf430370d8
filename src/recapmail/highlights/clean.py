"""Article body (Markdown or plain text) -> clean blocks of prose, with the link targets kept aside.

Recaps arrive copy-pasted from LinkedIn, exported from static sites or extracted from HTML: the
reader must see sentences, never markup, share buttons, bylines or reference lists.
"""

from __future__ import annotations

import html as htmllib
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urljoin

import regex

BlockKind = Literal["heading", "paragraph", "item", "quote"]


@dataclass(frozen=True, slots=True)
class Block:
    kind: BlockKind
    text: str


@dataclass(frozen=True, slots=True)
class Document:
    blocks: tuple[Block, ...]
    links: tuple[str, ...]
    code: tuple[str, ...] = ()  # the inline code spans of the prose, which never make keywords

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)


_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^(\s*)(?:[*+\-•▪◦●·‣→➜►]|\d{1,3}[.)])\s+(.*)$")
_QUOTE = re.compile(r"^\s*>\s?(.*)$")
_RULE = re.compile(r"^\s*(?:[-*_=]\s*){3,}$|^\s*\\?\*\\?\*\\?\*?\s*$")
_TABLE = re.compile(r"^\s*\|.*\|\s*$")
_HTML_ONLY = re.compile(r"^\s*</?[a-zA-Z][^<>]{0,2000}>\s*$")
# Raw HTML whose content is never prose: dropped with what it holds.
_RAW_OPEN = re.compile(r"<(script|style|noscript|template|textarea|iframe|object|svg|math)\b|<!--")

_IMAGE = re.compile(r"!\[[^\]]{0,500}\]\([^)]{0,2000}\)")
# Bounded lengths: "[[[[…](((((" would otherwise cost quadratic time; no label or URL is that long.
# The URL is possessive: what may follow it (">", a space, ")") is never in it, so giving back
# characters cannot help, and "[x](" * 10,000 costs one scan per bracket, not 2,000 tries.
_LINK = re.compile(
    r"\[([^\]\[]{0,500}(?:\[[^\]\[]{0,200}\][^\]\[]{0,500}){0,4})\]"
    r"\(\s*<?([^)\s>]{0,2000}+)>?(?:\s+[\"'][^)]{0,300}[\"'])?\s*\)"
)
_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^>\s]+)>")
_BARE_URL = re.compile(r"(?<![\w(\[])https?://[^\s)<>\]]+")
_FOOTNOTE_SUP = re.compile(r"<sup>.*?</sup>|\[\^[^\]]+\]", re.DOTALL)
_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,2000}>")  # bounded: "<a<a<a…" stays linear
_SHORTCODE = re.compile(r"\{\{[<%].*?[%>]\}\}")
_STRONG = re.compile(r"\*\*|__(?=\S)|(?<=\S)__")
_EM_STAR = re.compile(r"(?<![\w*\\])\*(?=\S)([^*\n]{1,500}?)(?<=\S)\*(?![\w*])")
_EM_UNDER = re.compile(r"(?<![\w\\])_(?=\S)([^_\n]{1,500}?)(?<=\S)_(?!\w)")
_CODE = re.compile(r"`+([^`]*)`+")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!~|<>\"'&])")
_EMOJI = regex.compile(r"[\p{Extended_Pictographic}\u200d\ufe0f\U0001F1E6-\U0001F1FF]+")
_ALNUM = re.compile(r"\w")
_SPACES = re.compile(r"[ \t\u00a0\u202f\u2007\u2008\u2009\u200a\u3000]+")
_LEADING_MARK = re.compile(r"^[\s→➜►▶•·*:\-–—|]+")

_QUOTES = str.maketrans(
    {"‘": "'", "’": "'", "ʼ": "'", "‛": "'", "`": "'", "“": '"', "”": '"', "„": '"', "‟": '"'}
)

# Copy-paste leftovers: whole blocks that are chrome, not prose.
_CHROME = re.compile(
    r"^(?:image content|image|photo|video|vidéo|share|partager|partagez|tweet|like|j'aime|follow|"
    r"suivre|s'abonner|subscribe|copy link|copier le lien|comment|commenter|reply|répondre|repost|"
    r"read more|lire la suite|lire aussi|voir aussi|see also|related posts?|articles? similaires?|"
    r"table of contents|sommaire|contents|table des matières|advertisement|publicité|"
    r"\d+ (?:likes?|comments?|reposts?|commentaires?|partages?)|click to .*|cliquez .*)\W*$",
    re.IGNORECASE,
)
_BYLINE = re.compile(
    r"^(?:(?:[\w.'-]+ ){0,4}[\w.'-]+ (?:writes|wrote|says|a écrit|écrit|nous écrit)\s*:"
    r"|(?:by|par|posted by|publié par|written by|écrit par)\s+[A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,3}"
    r"(?:\s*[,|-]\s*.{0,40})?)$"
)
# Sections after which only boilerplate follows: press-release "About X", reference lists.
_TAIL = re.compile(
    r"^(?:about|à propos)\b.{0,80}$|^(?:references?|références?|sources?|liens?|links|"
    r"further reading|pour aller plus loin|bibliographie|notes?|footnotes?|crédits?|credits)\W*$",
    re.IGNORECASE,
)
_END_PUNCT = re.compile(r"[.!?…:;»\"')\]]\s*$")
_PROMPT = re.compile(
    r"^\s*(?:\$|>>>|PS [A-Z]:\\[^>\s]{0,200}>|[A-Z]:\\[^>\s]{0,200}>"
    r"|[\w.-]{1,64}@[\w.-]{1,64}:[^\s$#]{0,200}[$#]|\[[^\]\n]{1,100}\][$#])[ \t]+\S"
)
_SETTING = re.compile(r"^\s*(?:export\s+)?[A-Za-z_][\w.\-]{0,100}\s?=\s?\S*\s*$")
_IP = re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w.]|\.\d)")
_PROSE_WORD = re.compile(r"(?<![\w.\-=/])[A-Za-zÀ-ÖØ-öø-ÿ]{2,}(?![\w\-=/.])")
_INDENTED = re.compile(r"^(?: {4}|\t)")


def clean_document(body: str, body_format: str, base_url: str | None = None) -> Document:
    """Blocks of prose in reading order, and the http(s)/mailto link targets found on the way."""
    links: list[str] = []
    code: list[str] = []
    text = unicodedata.normalize("NFC", body).replace("\r\n", "\n").replace("\r", "\n")
    text = _drop_raw_html(text)
    raw = _markdown_blocks(text) if body_format == "markdown" else _text_blocks(text)
    blocks: list[Block] = []
    in_tail = False
    for kind, chunk in raw:
        line, only_link = _inline(chunk, links, base_url, code)
        if "=" in line:  # after the tags are gone: what is left of one is text, not a tag
            line = " ".join(_STRAY_LINK.sub(" ", line).split())
        if in_tail or not line or (only_link and kind != "heading"):
            continue  # the tail's links are still the article's links
        if _CHROME.match(line) or (len(line) < 90 and _BYLINE.match(line)):
            continue
        if kind == "paragraph" and _looks_heading(line):
            kind = "heading"
        if kind == "heading" and _TAIL.match(line) and blocks:
            in_tail = True
            continue
        if kind != "heading" and _looks_code(line):
            continue
        blocks.append(Block(kind, line))
    while blocks and blocks[-1].kind == "heading":  # signatures and dangling section titles
        blocks.pop()
    return Document(tuple(blocks), tuple(dict.fromkeys(links)), tuple(dict.fromkeys(code)))


def clean_inline(text: str) -> str:
    """Metadata text (description, title) that may hold Markdown links or emphasis -> text."""
    return _inline(text, [], None)[0]


def normalise(text: str) -> str:
    """Quotes, typographic spaces and emoji of outside text, made plain (titles, descriptions)."""
    text = _CODE.sub(r"\1", text)  # a `code span` in a title reads as its words
    text = _EMOJI.sub("", unicodedata.normalize("NFC", text).translate(_QUOTES))
    return _SPACES.sub(" ", text).strip()


def _looks_code(line: str) -> bool:
    """Command lines and config that escaped their fences: symbols where prose has letters."""
    symbols = sum(line.count(c) for c in "{}[]=<>|\\$;/_")
    return (len(line) > 20 and symbols > 0.12 * len(line)) or is_code_line(line)


def is_code_line(line: str) -> bool:
    """A shell prompt ("$ kvm -m 2048"), a key=value setting, a line of addresses and ports."""
    if ("=" in line and _SETTING.match(line)) or _PROMPT.match(line):
        return True
    if line.count(".") >= 3 and _IP.search(line):
        words = _PROSE_WORD.findall(line)
        return len(words) < 4 or len(words) < 0.5 * len(line.split())
    return False


def _looks_heading(line: str) -> bool:
    return len(line) <= 110 and not _END_PUNCT.search(line) and len(line.split()) <= 16


def _text_blocks(text: str) -> list[tuple[BlockKind, str]]:
    """Plain text: a line is a paragraph unless the next one visibly continues it (hard wrap)."""
    blocks: list[tuple[BlockKind, str]] = []
    current: list[str] = []
    kind: BlockKind = "paragraph"

    def flush() -> None:
        if current:
            blocks.append((kind, " ".join(current)))
            current.clear()

    for raw_line in text.split("\n"):
        line = raw_line.strip()
        if not line:
            flush()
            continue
        if is_code_line(line):
            flush()
            continue
        item = _ITEM.match(raw_line)
        if item:
            flush()
            kind = "item"
            current.append(item.group(2))
            continue
        continues = bool(current) and not _END_PUNCT.search(current[-1]) and line[:1].islower()
        if not continues:
            flush()
            kind = "paragraph"
        current.append(line)
    flush()
    return blocks


def _markdown_blocks(text: str) -> list[tuple[BlockKind, str]]:
    blocks: list[tuple[BlockKind, str]] = []
    current: list[str] = []
    kind: BlockKind = "paragraph"
    fence: str | None = None

    def flush() -> None:
        if current:
            blocks.append((kind, " ".join(current)))
            current.clear()

    blank = True
    indented = False
    for raw_line in _unglue_fences(text).split("\n"):
        fenced = _FENCE.match(raw_line)
        if fence is not None:
            if fenced and fenced.group(1) == fence:
                fence = None
            continue
        if fenced:
            flush()
            fence = fenced.group(1)
            continue
        # an indented code block: after a blank line, outside a list; it ends at prose
        if (
            raw_line.strip()
            and _INDENTED.match(raw_line)
            and (indented or (blank and kind != "item"))
        ):
            flush()
            indented = True
            continue
        blank = not raw_line.strip()
        indented = indented and blank
        if raw_line.strip() and is_code_line(raw_line):
            flush()
            continue
        line = raw_line.rstrip()
        if line.endswith("\\"):  # a hard line break written as a trailing backslash
            line = line[:-1].rstrip()
        if not line.strip() or _RULE.match(line) or _TABLE.match(line) or _HTML_ONLY.match(line):
            flush()
            continue
        heading = _HEADING.match(line)
        if heading:
            flush()
            blocks.append(("heading", heading.group(2)))
            continue
        quote = _QUOTE.match(line)
        if quote:
            if kind != "quote":
                flush()
                kind = "quote"
            if quote.group(1).strip():
                current.append(quote.group(1).strip())
            continue
        item = _ITEM.match(line)
        if item:
            flush()
            kind = "item"
            current.append(item.group(2))
            continue
        if kind == "quote" or (kind == "item" and not line.startswith((" ", "\t"))):
            flush()
            kind = "paragraph"
        current.append(line.strip())
    flush()
    return blocks


def _unglue_fences(text: str) -> str:
    """Extractors sometimes glue a fence to prose ("comme suit ```"): give it a line of its own."""
    if "```" not in text and "~~~" not in text:
        return text
    lines = []
    for line in text.split("\n"):
        stripped = line.rstrip()
        for fence in ("```", "~~~"):
            if stripped.endswith(fence) and stripped[: -len(fence)].strip(" `~"):
                lines.append(stripped[: -len(fence)].rstrip())
                line = fence
                break
        lines.append(line)
    return "\n".join(lines)


def _inline(
    chunk: str, links: list[str], base_url: str | None, code: list[str] | None = None
) -> tuple[str, bool]:
    """Markdown inline markup -> text; returns the text and whether it was nothing but links."""
    text = _SHORTCODE.sub(" ", chunk)
    text = _FOOTNOTE_SUP.sub("", text)
    text = _IMAGE.sub(" ", text)
    link_chars = 0

    def link(match: re.Match[str]) -> str:
        nonlocal link_chars
        _keep(match.group(2), links, base_url)
        label = match.group(1)
        link_chars += len(_ALNUM.findall(label))  # counted like the text: spaces do not count
        return label

    text = _LINK.sub(link, text)
    text = _AUTOLINK.sub(lambda m: _keep(m.group(1), links, base_url) or " ", text)
    for url in _BARE_URL.findall(text):
        _keep(url.rstrip(".,;:!?"), links, base_url)
    text = _TAG.sub(" ", text)
    if code is not None and "`" in text:
        code.extend(m.group(1).strip() for m in _CODE.finditer(text) if m.group(1).strip())
    text = _CODE.sub(r"\1", text)
    text = _STRONG.sub("", text)
    text = _EM_STAR.sub(r"\1", text)
    text = _EM_UNDER.sub(r"\1", text)
    text = _ESCAPE.sub(r"\1", text)
    if "&" in text:  # "&lt;b&gt;" is a tag once unescaped: drop it like the others
        text = _TAG.sub(" ", htmllib.unescape(text))
    text = normalise(text)
    text = _LEADING_MARK.sub("", text).strip()
    only_link = link_chars > 0 and link_chars >= 0.85 * max(len(_ALNUM.findall(text)), 1)
    return text, only_link


# What an element cut short leaves as text: ` href="javascript:…">` (a script closed early, as
# a browser closes it). Never prose, and a hostile link target once pasted into HTML.
_STRAY_LINK = re.compile(
    r"""[\w:-]{1,40}\s{0,3}=\s{0,3}["']?\s{0,3}(?:javascript|vbscript|livescript|data)\s{0,3}:"""
    r"""[^\s>"']{0,2000}["']?\s{0,3}/?>?""",
    re.IGNORECASE,
)


def _drop_raw_html(text: str) -> str:
    """Remove <script>, <style>… elements and comments with their content, in one pass (a
    DOTALL regex would rescan the rest of the text for every unclosed opener)."""
    if "<" not in text:
        return text
    lower = text.lower()
    kept: list[str] = []
    position = 0
    while (match := _RAW_OPEN.search(lower, position)) is not None:
        kept.append(text[position : match.start()])
        closer = "-->" if match.group(0) == "<!--" else f"</{match.group(1)}"
        end = lower.find(closer, match.end())
        if end == -1:
            return "".join(kept)  # never closed: the rest is inside it, as a browser reads it
        after = end + len(closer)
        if closer != "-->":
            after = lower.find(">", after)
            after = len(text) if after == -1 else after + 1
        position = after
    kept.append(text[position:])
    return "".join(kept)


def _keep(url: str, links: list[str], base_url: str | None) -> str:
    url = url.strip()
    if url.startswith(("http://", "https://", "mailto:")):
        links.append(url)
    elif base_url and url and not url.startswith("#"):
        links.append(urljoin(base_url, url))
    return ""
