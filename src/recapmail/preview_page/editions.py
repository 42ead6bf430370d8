"""Read digest folders back from the output folder: what the index and the digest page show.

A folder is read from its files only (digest.json, newsletter.eml, newsletter.html, social/):
the preview must show exactly what would go out, not a second rendering of it.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from recapmail.model import PLATFORMS, Platform

# The padding MJML previews carry so the inbox shows no body text after the preheader.
_PREVIEW_PADDING = re.compile(r"[\u034f\u00a0\u200b\u200c\u200d\u2007\u00ad\ufeff\s]+")
# render/social.py's post_files() puts this line before each post when a file holds several:
# "───── 1/3 · 312/500 ─────" (a thread) or "───── <source> · 312/500 ─────".
_SEPARATOR = re.compile(r"^─{3,} (.*?) · \d[\d,]*/\d[\d,]* ─{3,}\n", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class PostView:
    platform: Platform
    text: str
    count: int
    limit: int
    part: int = 1
    parts: int = 1
    label: str = ""  # the separator's name for it: "2/3" or the source it was made from

    @property
    def over(self) -> bool:
        return self.count > self.limit


@dataclass(frozen=True, slots=True)
class Edition:
    """One digest folder as the preview shows it."""

    name: str  # the folder's name, also its URL segment
    path: Path
    title: str
    label: str  # digest.json's period label; differs from `name` for a special edition
    start: datetime | None
    end: datetime | None
    timezone: str
    generated_at: str
    items: int
    shown: int
    warnings: tuple[tuple[str, str], ...]
    conflicts: tuple[str, ...]  # "Event: label: 650 (a.md) · 700+ (b.md)", for the editor to check
    subject: str
    preheader: str
    sender: str
    files: tuple[str, ...]
    # (text, who wrote it): "model" or "recapmail", when a model drafts ([llm])
    drafting: tuple[tuple[str, str], ...] = ()

    @property
    def weekly(self) -> bool:
        """A --week or --since/--until folder, which the pipeline can render again."""
        return self.name == self.label and self.start is not None and self.end is not None


def list_editions(out_dir: Path) -> list[Edition]:
    """Every digest folder in `out_dir`, newest period first; hidden temporary folders skipped."""
    if not out_dir.is_dir():
        return []
    found = []
    for entry in out_dir.iterdir():
        if entry.name.startswith(".") or not entry.is_dir() or entry.is_symlink():
            continue
        if (entry / "digest.json").is_file() or (entry / "newsletter.html").is_file():
            found.append(read_edition(entry))
    return sorted(found, key=_newest_first, reverse=True)


def _conflicts(data: dict[str, Any]) -> tuple[str, ...]:
    lines = []
    for c in data.get("clusters") or []:
        if not isinstance(c, dict):
            continue
        for conflict in c.get("conflicts") or []:
            values = " · ".join(
                f"{v.get('value', '')} ({Path(str(v.get('source', ''))).name})"
                for v in conflict.get("values") or []
                if isinstance(v, dict)
            )
            lines.append(f"{c.get('title', '')}: {conflict.get('label', '')}: {values}")
    return tuple(lines)


def _newest_first(e: Edition) -> tuple[str, str, str]:
    end = e.end.isoformat() if e.end else ""
    return (end, e.generated_at, e.name)


def read_edition(folder: Path) -> Edition:
    data = _read_json(folder / "digest.json")
    period: dict[str, Any] = data["period"] if isinstance(data.get("period"), dict) else {}
    items: list[Any] = data["items"] if isinstance(data.get("items"), list) else []
    subject, sender = _eml_headers(folder / "newsletter.eml")
    return Edition(
        name=folder.name,
        path=folder,
        title=str(data.get("title") or folder.name),
        label=str(period.get("label") or ""),
        start=_datetime(period.get("start")),
        end=_datetime(period.get("end")),
        timezone=str(period.get("timezone") or "UTC"),
        generated_at=str(data.get("generated_at") or ""),
        items=len(items),
        shown=sum(1 for i in items if isinstance(i, dict) and i.get("shown", True)),
        warnings=tuple(
            (str(w.get("source", "")), str(w.get("reason", "")))
            for w in data.get("warnings") or []
            if isinstance(w, dict)
        ),
        conflicts=_conflicts(data),
        subject=subject,
        preheader=preheader(_read_text(folder / "newsletter.html")),
        sender=sender,
        files=tuple(str(f) for f in data.get("files") or []),
        drafting=tuple(
            (str(n.get("text", "")), str(n.get("by", "")))
            for n in data.get("drafting") or []
            if isinstance(n, dict)
        ),
    )


def read_posts(folder: Path, mastodon_limit: int | None = None) -> list[PostView]:
    """The social posts of a folder, counted by the same code as `recapmail social`."""
    from recapmail.render.counting import LIMITS, count

    posts = []
    for platform in PLATFORMS:
        text = _read_text(folder / "social" / f"{platform}.txt")
        if not text.strip():
            continue
        limit = mastodon_limit if platform == "mastodon" and mastodon_limit else LIMITS[platform]
        parts = split_posts(text)
        for number, (label, part) in enumerate(parts, 1):
            posts.append(
                PostView(platform, part, count(part, platform), limit, number, len(parts), label)
            )
    return posts


def split_posts(text: str) -> list[tuple[str, str]]:
    """(label, text) of each post in a social file: one post, or several after separator lines."""
    pieces = _SEPARATOR.split(text)
    if len(pieces) == 1:
        return [("", text.rstrip("\n"))]
    # pieces: [before the first separator, label, text, label, text, ...]
    return [
        (label, body.rstrip("\n")) for label, body in zip(pieces[1::2], pieces[2::2], strict=True)
    ]


def preheader(html: str) -> str:
    """The hidden first div MJML's <mj-preview> puts at the top of <body>, without its padding."""
    finder = _PreviewFinder()
    finder.feed(html)
    finder.close()
    return _PREVIEW_PADDING.sub(" ", "".join(finder.text)).strip()


class _PreviewFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_body = False
        self.depth = 0  # > 0 inside the preview div
        self.done = False
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        if tag == "body":
            self.in_body = True
        elif self.depth:
            self.depth += tag != "br"
        elif self.in_body:
            style = (dict(attrs).get("style") or "").replace(" ", "").lower()
            if tag == "div" and "display:none" in style:
                self.depth = 1
            else:
                self.done = True  # the preview, when there is one, comes first

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag != "br":
            self.depth -= 1
            self.done = self.depth == 0

    def handle_data(self, data: str) -> None:
        if self.depth and not self.done:
            self.text.append(data)


def _eml_headers(path: Path) -> tuple[str, str]:
    """(Subject, sender's display name or address), decoded as a mail client shows them."""
    try:
        raw = path.read_bytes()
    except OSError:
        return "", ""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    subject = str(message.get("Subject", "") or "")
    name, address = parseaddr(str(message.get("From", "") or ""))
    return " ".join(subject.split()), name or address


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _read_text(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _datetime(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
