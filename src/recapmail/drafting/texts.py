"""Which texts a model drafts, from what recapmail extracted, and how accepted drafts take the
place of the extractive ones: the hook and takeaways of a recap post, the weekly post's hook,
the newsletter's intro line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from recapmail.config import Config
from recapmail.drafting import Drafted
from recapmail.drafting.prompt import Material
from recapmail.model import Cluster, Digest, Highlights

if TYPE_CHECKING:
    from recapmail.render.social_fit import Draft

MAX_HIGHLIGHTS = 5
MAX_TITLES = 12  # the intro's view of the week
MAX_FIGURES = 24


def post_key(source: str) -> str:
    return f"post:{source}"


def _name(source: str, title: str) -> str:
    if source.startswith(("http://", "https://")):
        return f"post for {title[:60]}"
    return f"post for {PurePosixPath(source).name}"


def article_material(h: Highlights, cfg: Config, language: str | None = None) -> Material:
    from recapmail.render.social import frame
    from recapmail.render.social_draft import post_link

    return Material(
        key=post_key(h.article.source),
        what=_name(h.article.source, h.title),
        kind="post",
        language=frame(cfg, language),
        title=h.title,
        summary=h.summary,
        highlights=h.highlights[:MAX_HIGHLIGHTS],
        figures=h.figures,
        link=post_link(h.article.url) or post_link(h.article.source),
    )


def cluster_material(
    c: Cluster, members: Sequence[Highlights], cfg: Config, language: str | None = None
) -> Material:
    from recapmail.render.social import frame
    from recapmail.render.social_draft import post_link

    lang = frame(cfg, language)
    # The recap in the frame's language leads the post (render/social.py): its link is the one.
    ordered = sorted(members, key=lambda h: h.language != lang)
    links = [
        link for h in ordered if (link := post_link(h.article.url) or post_link(h.article.source))
    ]
    return Material(
        key=post_key(c.id),
        what=f"post for {c.id}",
        kind="post",
        language=lang,
        title=c.title,
        summary=c.summary,
        highlights=c.highlights[:MAX_HIGHLIGHTS],
        figures=c.figures,
        link=links[0] if links else None,
    )


def edition_materials(digest: Digest, cfg: Config) -> list[Material]:
    """The weekly post's hook (about the top story) and the newsletter's intro line (about the
    week); the intro only when `[newsletter] intro` leaves it to recapmail."""
    from recapmail.render.social_draft import post_link

    shown = [item for item in digest.shown]
    if not shown:
        return []
    label, lang = digest.period.label, digest.language
    top = shown[0]
    h = top.highlights
    event = next((c for c in digest.clusters if c.id == top.cluster), None)
    materials = [
        Material(
            key=f"week:{label}",
            what="weekly post hook",
            kind="hook",
            language=lang,
            title=event.title if event else h.title,
            summary=event.summary if event else h.summary,
            highlights=(event.highlights if event else h.highlights)[:MAX_HIGHLIGHTS],
            figures=(event.figures if event else ()) or h.figures,
            link=post_link(h.article.url) or post_link(h.article.source),
        )
    ]
    if not cfg.newsletter.intro and not digest.special:
        figures = tuple(f for item in shown for f in item.highlights.figures)[:MAX_FIGURES]
        materials.append(
            Material(
                key=f"intro:{label}",
                what="newsletter intro",
                kind="intro",
                language=lang,
                title=digest.title,
                titles=tuple(item.highlights.title for item in shown[:MAX_TITLES]),
                figures=figures,
            )
        )
    return materials


def rewriter(drafted: Drafted) -> Callable[[Draft], Draft]:
    """What render/social.py calls on each post's draft: the model's accepted texts in place of
    the extractive hook and takeaways (the link, the entries and the hashtags stay recapmail's)."""
    from recapmail.render.social_draft import prose
    from recapmail.render.social_text import as_sentence

    def rewrite(d: Draft) -> Draft:
        key = f"week:{d.source}" if d.kind == "digest" else post_key(d.source)
        written = drafted.get(key)
        if written is None:
            return d
        hook = as_sentence(prose(written.hook, d.language))
        if d.kind == "digest":
            return replace(d, hook=hook)
        bullets = tuple(as_sentence(prose(t, d.language)) for t in written.takeaways)
        return replace(d, hook=hook, figure="", summary="", bullets=bullets or d.bullets)

    return rewrite


def with_intro(cfg: Config, drafted: Drafted | None, label: str) -> Config:
    """The config the newsletter is rendered with: the model's intro line, when accepted."""
    written = drafted.get(f"intro:{label}") if drafted is not None else None
    if written is None or cfg.newsletter.intro:
        return cfg
    return replace(cfg, newsletter=replace(cfg.newsletter, intro=written.hook))


def notes_dict(drafted: Drafted) -> list[dict[str, str]]:
    """digest.json's "drafting": who wrote each text, and why a draft was not used."""
    return [
        {"text": n.what, "by": n.by, **({"reason": n.reason} if n.reason else {})}
        for n in drafted.notes
    ]


def post_rewriter(
    groups: Sequence[tuple[Highlights, Cluster | None, list[Highlights]]],
    cfg: Config,
    language: str | None,
    *,
    refresh: bool = False,
) -> Callable[[Draft], Draft] | None:
    """The model's drafts of these posts, applied by render/social.py; None without [llm]."""
    if cfg.llm is None or not groups:
        return None
    from recapmail.drafting import draft_texts
    from recapmail.state import State

    materials = [
        article_material(h, cfg, language) if c is None
        else cluster_material(c, members, cfg, language)
        for h, c, members in groups
    ]  # fmt: skip
    with State.open(cfg.state_path) as state:
        return rewriter(draft_texts(materials, cfg, state, refresh=refresh))
