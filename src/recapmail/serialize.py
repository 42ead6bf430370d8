"""JSON, each form built in one place: the ★ contracts (highlights, digest.json, social
posts), then the stored forms of articles and highlights (the state, .edition.json)."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from recapmail.model import (
    Article,
    Cluster,
    Digest,
    DigestItem,
    Figure,
    Highlights,
    Newsletter,
    Post,
)


def figure_dict(f: Figure) -> dict[str, Any]:
    return {"value": f.value, "number": f.number, "label": f.label, "sentence": f.sentence}


def highlights_dict(h: Highlights) -> dict[str, Any]:
    a = h.article
    return {
        "source": a.source,
        "url": a.url,
        "title": h.title,
        "language": h.language,
        "published": a.published.date().isoformat() if a.published else None,
        "summary": h.summary,
        "highlights": list(h.highlights),
        "figures": [figure_dict(f) for f in h.figures],
        "keywords": list(h.keywords),
        "hashtags": list(h.hashtags),
    }


def item_dict(item: DigestItem) -> dict[str, Any]:
    data = highlights_dict(item.highlights)
    data["feed"] = item.highlights.article.feed
    data["cluster"] = item.cluster
    data["shown"] = item.shown
    return data


def cluster_dict(c: Cluster) -> dict[str, Any]:
    return {
        "id": c.id,
        "title": c.title,
        "summary": c.summary,
        "highlights": list(c.highlights),
        "figures": [figure_dict(f) for f in c.figures],
        "keywords": list(c.keywords),
        "hashtags": list(c.hashtags),
        "members": list(c.members),
        "conflicts": [
            {"label": k.label, "values": [{"value": v, "source": s} for v, s in k.values]}
            for k in c.conflicts
        ],
    }


def digest_dict(
    digest: Digest,
    files: tuple[str, ...],
    generated_at: datetime | None = None,
    newsletter: Newsletter | None = None,
    *,
    lazy: bool = False,
) -> dict[str, Any]:
    """digest.json's content; `lazy`: its items as a generator, for dumps_digest to encode one
    at a time rather than hold a dict for each of a week's items."""
    p = digest.period
    items = (item_dict(i) for i in digest.items)
    data: dict[str, Any] = {
        "period": {
            "label": p.label,
            "start": p.start.isoformat(),
            "end": p.end.isoformat(),
            "timezone": p.timezone,
        },
        "title": digest.title,
        "language": digest.language,
        "generated_at": (generated_at or datetime.now(UTC)).isoformat(timespec="seconds"),
        "items": items if lazy else list(items),
        "clusters": [cluster_dict(c) for c in digest.clusters],
        "warnings": [{"source": w.source, "reason": w.reason} for w in digest.warnings],
        "files": list(files),
    }
    if newsletter is not None:
        data["newsletter"] = {"subject": newsletter.subject, "preheader": newsletter.preheader}
    return data


def post_dict(post: Post) -> dict[str, Any]:
    return {
        "source": post.source,
        "sources": list(post.sources or (post.source,)),
        "platform": post.platform,
        "language": post.language,
        "part": post.part,
        "parts": post.parts,
        "text": post.text,
        "count": post.count,
        "limit": post.limit,
    }


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def dumps_digest(data: dict[str, Any]) -> str:
    """digest.json: top-level keys on their own lines, one list element per line.

    A week can hold 10,000 items; `indent` makes json use its slow pure-Python encoder, so each
    element is encoded compactly (C encoder) and only the outer layout is indented.
    """
    return "\n".join(_digest_lines(data, lambda line: line))


def dumps_digest_utf8(data: dict[str, Any]) -> bytes:
    """dumps_digest(data) encoded, each line as it is made: a long digest.json is never held
    as text (which takes 2 or 4 bytes a character once one character is outside Latin-1)."""
    return b"\n".join(_digest_lines(data, str.encode))


def _digest_lines(data: dict[str, Any], piece: Callable[[str], Any]) -> list[Any]:
    lines = [piece("{")]  # joined once at the end: no intermediate copy of a long list
    for index, (key, value) in enumerate(data.items()):
        comma = "," if index < len(data) - 1 else ""
        if isinstance(value, Iterator | list):  # a lazy list (digest_dict) too, encoded as made
            start = len(lines)
            lines.append(piece(f"  {_ONE(key)}: ["))
            lines.extend(piece(f"    {_ONE(element)},") for element in value)
            if len(lines) == start + 1:
                lines[-1] = piece(f"  {_ONE(key)}: []{comma}")
            else:
                lines[-1] = lines[-1][:-1]  # no comma after the last element
                lines.append(piece(f"  ]{comma}"))
        else:
            lines.append(piece(f"  {_ONE(key)}: {_ONE(value)}{comma}"))
    lines.append(piece("}\n"))
    return lines


_ONE = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(**options) builds one a call


# -- stored forms: the state and .edition.json -------------------------------------------------

_ARTICLE_FIELDS = tuple(f.name for f in fields(Article))
TO_JSON = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(**options) builds one a call


def encode_parsed(articles: Sequence[Article], warnings: Sequence[str] = ()) -> bytes:
    """The articles of one feed body, and what parsing it warned of (said again by every run
    that reads this copy), as State.store_parsed keeps them."""
    data = {"articles": [article_dict(a) for a in articles], "warnings": list(warnings)}
    return zlib.compress(TO_JSON(data).encode(), 1)


def decode_parsed(blob: bytes) -> tuple[list[Article], tuple[str, ...]] | None:
    """What encode_parsed kept; None when it is not (a damaged copy is parsed again)."""
    try:
        data = json.loads(zlib.decompress(blob))
        articles = [article_from_dict(d) for d in data["articles"]]
        return articles, tuple(str(w) for w in data["warnings"])
    except (zlib.error, ValueError, TypeError, KeyError):
        return None


def encode_edition_record(
    files: Mapping[str, tuple[int, int]] | None, summary: Mapping[str, Any] | None
) -> tuple[str, str]:
    """An output folder's files (name -> size, mtime_ns) and closing-line summary, as
    State.store_edition keeps them."""
    return TO_JSON(dict(files or {})), TO_JSON(dict(summary or {}))


def decode_edition_record(
    files: str, summary: str
) -> tuple[dict[str, tuple[int, int]], dict[str, Any]] | None:
    """What encode_edition_record kept; None when it is not."""
    try:
        sizes = {str(k): (int(v[0]), int(v[1])) for k, v in json.loads(files).items()}
        return sizes, dict(json.loads(summary))
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None


def article_dict(article: Article) -> dict[str, Any]:
    data = {name: getattr(article, name) for name in _ARTICLE_FIELDS}  # asdict: 10x slower
    data["tags"] = list(article.tags)
    for key in ("published", "first_seen"):
        data[key] = data[key].isoformat() if data[key] else None
    return data


def article_from_dict(data: dict[str, Any]) -> Article:
    for key in ("published", "first_seen"):
        data[key] = _dt(data[key]) if data.get(key) else None
    data["tags"] = tuple(data.get("tags") or ())
    return Article(**data)


def article_to_json(article: Article) -> str:
    return TO_JSON(article_dict(article))


def article_from_json(text: str) -> Article:
    return article_from_dict(json.loads(text))


def highlights_to_json(h: Highlights) -> str:
    """Everything but the article, which the reader of the cache already holds."""
    return TO_JSON(
        {
            "title": h.title,
            "language": h.language,
            "summary": h.summary,
            "highlights": h.highlights,
            "figures": [[f.value, f.number, f.label, f.sentence] for f in h.figures],
            "keywords": h.keywords,
            "hashtags": h.hashtags,
            "links": h.links,
        }
    )


def highlights_from_json(text: str, article: Article) -> Highlights | None:
    """None when the text is not what highlights_to_json wrote (the caller extracts again)."""
    try:
        d = json.loads(text)
        return Highlights(
            article=article,
            title=str(d["title"]),
            language=str(d["language"]),
            summary=str(d["summary"]),
            highlights=tuple(map(str, d["highlights"])),
            figures=tuple(
                Figure(str(v), float(n), str(label), str(s)) for v, n, label, s in d["figures"]
            ),
            keywords=tuple(map(str, d["keywords"])),
            hashtags=tuple(map(str, d["hashtags"])),
            links=tuple(map(str, d["links"])),
        )
    except (ValueError, TypeError, KeyError):
        return None


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)
