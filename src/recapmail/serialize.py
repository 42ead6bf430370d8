"""The ★ JSON contracts, each built in one place: highlights, digest.json, social posts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from recapmail.model import Cluster, Digest, DigestItem, Figure, Highlights, Newsletter, Post


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
) -> dict[str, Any]:
    p = digest.period
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
        "items": [item_dict(i) for i in digest.items],
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

    def one(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = ["{"]
    for index, (key, value) in enumerate(data.items()):
        comma = "," if index < len(data) - 1 else ""
        if isinstance(value, list) and value:
            inner = ",\n".join(f"    {one(element)}" for element in value)
            lines.append(f"  {one(key)}: [\n{inner}\n  ]{comma}")
        else:
            lines.append(f"  {one(key)}: {one(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"
