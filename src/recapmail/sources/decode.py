"""Bytes from strangers -> text: BOMs, UTF-16, lying charsets, NULs and binary refused."""

from __future__ import annotations

import codecs
import logging
import re
import unicodedata

from recapmail.errors import SourceError
from recapmail.text import visible

log = logging.getLogger(__name__)

# Characters of body read from one article: ten times a long recap. Past this, extracting
# highlights costs seconds per megabyte and the newsletter only ever shows a few sentences.
MAX_BODY_CHARS = 200_000
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# More than 4 combining marks in a row only ever comes from "zalgo" floods.
_MARKS = r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
_MARK_FLOOD = re.compile(f"({_MARKS}{{4}}){_MARKS}+")


def decode(data: bytes, where: str, declared: str | None = None) -> str:
    """Decode `data`, trusting a BOM first, then UTF-8, then the declared charset, then cp1252."""
    if data.startswith(codecs.BOM_UTF8):
        text = data[3:].decode("utf-8", errors="replace")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    elif _looks_utf16(data):
        text = data.decode("utf-16-le" if data[1:2] == b"\x00" else "utf-16-be", errors="replace")
        if _mostly_controls(text):  # every other byte NUL, but not text: a binary file
            raise SourceError(
                f"{where}: looks like a binary file, not text (expected .md, .txt or .html)"
            )
    else:
        if b"\x00" in data[:8192] and data[:8192].count(b"\x00") > 8:
            raise SourceError(
                f"{where}: looks like a binary file, not text (expected .md, .txt or .html)"
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _mostly_utf8(data) or _decode_declared(data, declared)
    return clean_text(text)


def clean_text(text: str) -> str:
    """Normalise to NFC and drop the characters that only hide or reorder text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = visible(_MARK_FLOOD.sub(r"\1", text))
    return unicodedata.normalize("NFC", text)


def cap_body(body: str, where: str, limit: int = MAX_BODY_CHARS) -> str:
    """The first `limit` characters, cut at a paragraph (else a line, else a word) boundary."""
    if len(body) <= limit:
        return body
    head = body[:limit]
    for boundary in ("\n\n", "\n", " "):
        cut = head.rfind(boundary)
        if cut > limit // 2:
            head = head[:cut]
            break
    log.warning(
        "%s: %s characters of text; only the first %s were read", where, f"{len(body):,}",
        f"{len(head):,}",
    )  # fmt: skip
    return head


def _mostly_controls(text: str) -> bool:
    sample = text[:4000]
    controls = sum(1 for c in sample if c < " " and c not in "\t\n\r")
    return controls > len(sample) // 10


def _looks_utf16(data: bytes) -> bool:
    """BOM-less UTF-16: every other byte is NUL in ASCII-heavy text."""
    sample = data[:400]
    if len(sample) < 4:
        return False
    even, odd = sample[0::2], sample[1::2]
    return even.count(0) > 0.4 * len(even) or odd.count(0) > 0.4 * len(odd)


_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 text with a few broken bytes (a bad paste, a cut file) stays UTF-8: reading it all
    as cp1252 would garble every accent to fix a handful of bytes."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    if len(_UTF8_SEQUENCE.findall(data)) >= broken:
        return text.replace("\ufffd", "")
    return None


def _decode_declared(data: bytes, declared: str | None) -> str:
    if declared:
        try:
            candidate = data.decode(declared)
            if "\ufffd" not in candidate:
                return candidate
        except (LookupError, UnicodeDecodeError):
            pass
    # cp1252 reads Latin-1 text too, and maps what Latin-1 leaves as C1 controls.
    return data.decode("cp1252", errors="replace")
