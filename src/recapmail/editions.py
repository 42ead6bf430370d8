"""Editions: a draft on disk until it goes out, then published in the state.

A draft is an output folder whose `.edition.json` says what it holds: the period, the window
its feed items were chosen from, when it was made, the identity keys and a copy of every item,
and the hash of its digest.json. Publishing (`recapmail publish`, or `send` once delivered)
reads that file, checks the folder is still what was made, and records it in the state in one
transaction (State.publish): of two editions sharing an item, the second to publish is refused.
The file lives in the folder so that publishing records exactly what was reviewed there,
whoever made it (`digest`, or the preview's rebuilds, which never write the state).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from recapmail.errors import RecapmailError
from recapmail.model import Article
from recapmail.serialize import article_dict, article_from_dict
from recapmail.sources.files import shown
from recapmail.state import PublishedEdition, State

EDITION_FILE = ".edition.json"
_FORMAT = 1


class EditionError(RecapmailError):
    """A folder that cannot be published as it is."""


@dataclass(frozen=True, slots=True)
class Draft:
    label: str
    start: datetime  # the window of its feed items (PublishedEdition.start)
    end: datetime
    made_at: datetime
    items: tuple[tuple[tuple[str, ...], Article], ...]  # (identity keys, article), in order
    digest_sha: str  # of the digest.json written beside it


@dataclass(frozen=True, slots=True)
class Publication:
    """What `publish` did, for its one line."""

    label: str
    items: int
    published_at: datetime
    already: bool  # published before: nothing recorded now


def draft_json(draft: Draft) -> bytes:
    """The record, written one item at a time: a week can hold 100,000 items, whose dicts
    and a second copy of the whole list would otherwise all be held at once. The same text
    as json.dumps of the whole record (UTF-8), and the same items_sha as _items_json of the
    list."""
    items_sha = hashlib.sha256(b"[")
    encoded = []
    for n, (keys, article) in enumerate(draft.items):
        item = {"keys": list(keys), "article": article_dict(article)}
        items_sha.update(f"{',' if n else ''}{_SORTED(item)}".encode())
        encoded.append(_inert(_COMPACT(item)).encode())
    items_sha.update(b"]")
    head = {
        "format": _FORMAT,
        "label": draft.label,
        "start": draft.start.isoformat(),
        "end": draft.end.isoformat(),
        "made_at": draft.made_at.isoformat(),
        "digest_sha": draft.digest_sha,
        "items_sha": items_sha.hexdigest(),  # a hand edit of the items is seen
    }
    # joined once: the head before the first item, the end after the last
    first = encoded.pop(0) if encoded else b""
    encoded.insert(0, f'{_inert(_COMPACT(head))[:-1]},"items":['.encode() + first)
    encoded[-1] += b"]}\n"
    return b",".join(encoded)


def _inert(text: str) -> str:
    """The same JSON with no markup character in it: a hostile recap stays inert even here
    (one item at a time: no second copy of the whole record)."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_SORTED = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


def _items_json(items: object) -> str:
    return _SORTED(items)


def digest_sha(text: str | bytes) -> str:
    if isinstance(text, bytes):
        return hashlib.sha256(text).hexdigest()
    sha = hashlib.sha256()
    for start in range(0, len(text), _PIECE):  # no UTF-8 copy of a whole digest.json at once
        sha.update(text[start : start + _PIECE].encode())
    return sha.hexdigest()


_PIECE = 1 << 20


def read_draft(folder: Path) -> Draft:
    """The draft in `folder` (an edition folder, or a file inside one), checked against its
    digest.json; one clear EditionError otherwise."""
    try:
        folder = folder.parent if folder.is_file() else folder
        is_folder = folder.is_dir()
    except OSError as exc:
        raise EditionError(f"{folder}: cannot look at it ({exc.strerror})") from None
    where = folder / EDITION_FILE
    if not is_folder:
        raise EditionError(f"{folder}: no such edition folder (give one recapmail digest made)")
    try:
        data = json.loads(where.read_text(encoding="utf-8"))
        digest = (folder / "digest.json").read_bytes()
    except FileNotFoundError as exc:
        raise EditionError(
            f"{folder}: not an edition made by this recapmail ({Path(exc.filename).name} is "
            "missing); make it again with recapmail digest"
        ) from None
    except (OSError, ValueError) as exc:
        raise EditionError(f"{where}: unreadable ({exc}); make the edition again") from None
    try:
        draft = _draft(data, folder)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise EditionError(
            f"{where}: not what recapmail writes ({exc}); make the edition again"
        ) from None
    if digest_sha(digest) != draft.digest_sha:
        raise EditionError(
            f"{folder}: digest.json was changed after the edition was made; make it again "
            "(recapmail digest) and review it before it goes out"
        )
    return draft


def _draft(data: object, folder: Path) -> Draft:
    """The Draft `data` describes, checked whole: what publishing records must be what the
    digest wrote, not a hand-edited or truncated copy."""
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        raise ValueError("not an edition record of this recapmail")
    label = data["label"]
    if not isinstance(label, str) or label != folder.name:
        raise ValueError(f"its label {label!r} is not the folder's name")
    items = data["items"]
    if not isinstance(items, list) or digest_sha(_items_json(items)) != data.get("items_sha"):
        raise ValueError("its items were changed")
    found = []
    for item in items:
        keys = item["keys"]
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
            raise ValueError("an item without identity keys")
        found.append((tuple(keys), article_from_dict(dict(item["article"]))))
    return Draft(
        label=label, start=_dt(data["start"]), end=_dt(data["end"]),
        made_at=_dt(data["made_at"]), items=tuple(found), digest_sha=str(data["digest_sha"]),
    )  # fmt: skip


def publish_draft(
    folder: Path,
    state: State,
    *,
    how: str,
    recipients: int | None = None,
    now: datetime | None = None,
) -> Publication:
    """Record the draft in `folder` as gone out. Idempotent: a label published already is
    said, not recorded twice. Refused, with the items named, when another published edition
    holds one of its items."""
    draft = read_draft(folder)
    if not draft.items:
        raise EditionError(f"{folder}: the edition holds no item; there is nothing to publish")
    when = now or datetime.now(UTC)
    edition = PublishedEdition(
        label=draft.label, start=draft.start, end=draft.end, made_at=draft.made_at,
        published_at=when, how=how, out_dir=shown(folder.resolve()), recipients=recipients,
    )  # fmt: skip
    outcome = state.publish(edition, draft.items)
    if outcome.again is not None:
        return Publication(draft.label, len(draft.items), outcome.again, already=True)
    if outcome.taken:
        first = list(outcome.taken.items())[:5]
        named = "; ".join(f"{title!r} ({label})" for title, label in first)
        more = len(outcome.taken) - 5
        raise EditionError(
            f"{folder}: {len(outcome.taken)} of its items went out already in another edition: "
            f"{named}{f' and {more} more' if more > 0 else ''}; nothing was recorded. "
            f"{_remake(draft.label)} to leave them out"
        )
    return Publication(draft.label, len(draft.items), when, already=False)


def _remake(label: str) -> str:
    """How to make the edition of `label` again."""
    if re.fullmatch(r"\d{4}-W\d{2}", label):
        return f"Make it again (recapmail digest --week {label})"
    if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})", label):
        return f"Make it again (recapmail digest --since {m[1]} --until {m[2]})"
    return "Make it again (recapmail newsletter with the articles still to go)"


@dataclass(frozen=True, slots=True)
class EditionRow:
    """One line of `recapmail editions`."""

    label: str
    status: str  # "draft" or "published"
    items: int
    when: datetime  # made (draft) or published
    how: str | None = None
    recipients: int | None = None
    folder: str | None = None


def list_editions(out_root: Path, state: State) -> list[EditionRow]:
    """Published editions from the state, and the drafts in `out_root` not published yet;
    newest period first."""
    rows: dict[str, EditionRow] = {}
    for p in state.published():
        rows[p.label] = EditionRow(
            p.label, "published", p.items, p.published_at, p.how, p.recipients, p.out_dir
        )
    for folder in _edition_folders(out_root):
        try:
            draft = read_draft(folder)
        except EditionError:
            continue
        if draft.label not in rows:
            rows[draft.label] = EditionRow(
                draft.label, "draft", len(draft.items), draft.made_at, folder=shown(folder)
            )
    return sorted(rows.values(), key=lambda r: r.label, reverse=True)


def _edition_folders(out_root: Path) -> Sequence[Path]:
    try:
        return sorted(p.parent for p in out_root.glob(f"*/{EDITION_FILE}"))
    except OSError:
        return []


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)
