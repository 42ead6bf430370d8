"""Digest, cluster or article -> LinkedIn, Mastodon and Bluesky posts, each within its limit.

A post is drafted (its words: social_draft.py) with everything worth saying, in the team's
language (`[newsletter] language`, or the language asked for) around the articles' own
sentences, rendered through the
platform's template (templates/social/<platform>.txt.j2, overridable from templates_dir), then
reduced (social_fit.py) until it fits the platform's limit as the platform counts it, never
inside a sentence. A recap of the team's own speaks as the team (social_voice.py). With
`thread`, a Mastodon or Bluesky post that does not fit is split into numbered parts instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace

from recapmail.config import Config
from recapmail.model import PLATFORMS, Cluster, Digest, Figure, Highlights, Platform, Post
from recapmail.render.counting import count, counter, limit
from recapmail.render.i18n import post_strings
from recapmail.render.links import web_version
from recapmail.render.shorten import (
    clean,
    hashtags,
    sentences,
)
from recapmail.render.social_draft import (
    addressed,
    digest_title,
    entry_text,
    hook_line,
    interleave,
    kept_highlights,
    language_code,
    link_of,
    majority,
    platform_tags,
    post_link,
    post_tags,
    prose,
    team_voice,
    top_story,
)
from recapmail.render.social_fit import Draft, Entry, fit, thread_posts
from recapmail.render.social_text import as_sentence

log = logging.getLogger(__name__)

# The model's accepted texts in place of the extractive ones (drafting/texts.py), when asked.
Rewrite = Callable[[Draft], Draft]
THREAD_PLATFORMS: tuple[Platform, ...] = ("mastodon", "bluesky")

# -- public API -------------------------------------------------------------------------------


def posts_for_article(
    h: Highlights,
    cfg: Config,
    platforms: Sequence[Platform] | None = None,
    *,
    thread: bool = False,
    language: str | None = None,
    rewrite: Rewrite | None = None,
) -> tuple[Post, ...]:
    lang = language_code(h.language)
    t = post_strings(frame(cfg, language))
    draft = Draft(
        kind="article",
        source=h.article.source,
        language=frame(cfg, language),
        hook=as_sentence(prose(hook_line(clean(h.title), h.figures, lang), lang)),
        summary=prose(h.summary, lang),
        bullets=kept_highlights(h.highlights, h.summary, lang),
        link=link_of(h),
        link_label=t["read_recap"] if h.article.kind == "file" else t["read_article"],
        hashtags=post_tags(cfg, h.hashtags),
        sources=(h.article.source,),
    )
    if h.article.kind == "file":
        draft = _as_recap(
            draft, [h], h.title, h.figures, h.highlights, frame(cfg, language), team_voice(cfg)
        )
    return _posts(rewrite(draft) if rewrite else draft, cfg, platforms, thread)


def _language_of(sentence: str, members: Sequence[Highlights], default: str) -> str:
    """The language of the member whose text holds `sentence` (the frame's when none does)."""
    needle = clean(sentence)[:60]
    for h in members:
        if needle and (needle in clean(h.summary) or any(needle in clean(x) for x in h.highlights)):
            return h.language
        if needle and needle in clean(h.article.body[:6000]):
            return h.language
    return default


def frame(cfg: Config, language: str | None = None) -> str:
    """The language of a post's own words: the one asked for, else the team's."""
    return language_code(language or cfg.newsletter.language)


def _as_recap(
    draft: Draft,
    members: Sequence[Highlights],
    title: str,
    figures: Sequence[Figure],
    highlights: Sequence[str],
    language: str,
    team_voice: str = "",
) -> Draft:
    """The team speaking of its own recap: who went where and when, the key figure before the
    fold, whole takeaways, a call to read it; the recap's own sentences keep their language."""
    from recapmail.render.social_voice import recap_lead, takeaways

    lead = recap_lead(members, title, figures, language, team=team_voice)
    source_language = majority([h.language for h in members]) if members else language
    t = post_strings(language)
    if not lead.hook:
        hook = draft.hook
        summary = draft.summary if source_language == language else ""
    else:
        hook, summary = prose(lead.hook, _language_of(lead.hook, members, language)), ""
    said = [*lead.used, *(sentences(clean(draft.summary)) if summary else [])]
    picked = takeaways(members, highlights, said, language)
    bullets = tuple(prose(text, lang) for text, lang in picked)
    return replace(
        draft,
        language=language,
        hook=hook,
        figure=prose(lead.figure, _language_of(lead.figure, members, language)),
        summary=summary,
        bullets=bullets,
        link_label=t["read_recap"],
        entries_label=t["other_recaps"],
    )


def posts_for_cluster(
    c: Cluster,
    items: Sequence[Highlights],
    cfg: Config,
    platforms: Sequence[Platform] | None = None,
    *,
    thread: bool = False,
    language: str | None = None,
    rewrite: Rewrite | None = None,
) -> tuple[Post, ...]:
    by_source = {h.article.source: h for h in items}
    members = [by_source[s] for s in c.members if s in by_source] or list(items)
    lang = language_code(majority([h.language for h in members]) if members else "")
    t = post_strings(frame(cfg, language))
    # The recap in the frame's language leads: its link is the one the post asks to read.
    linked = sorted(
        ((h, link) for h in members if (link := link_of(h))),
        key=lambda pair: language_code(pair[0].language) != frame(cfg, language),
    )
    others = tuple(Entry(title=prose(h.title, h.language), link=link) for h, link in linked[1:])
    draft = Draft(
        kind="cluster",
        source=c.id,
        language=frame(cfg, language),
        hook=as_sentence(prose(hook_line(clean(c.title), c.figures, lang), lang)),
        summary=prose(c.summary, lang),
        bullets=kept_highlights(c.highlights, c.summary, lang),
        entries=others,
        link=linked[0][1] if linked else None,
        link_label=t["read_recap"],
        entries_label=t["other_recaps"],
        hashtags=post_tags(cfg, _cluster_tags(c, members)),
        sources=tuple(h.article.source for h in members),
    )
    if members and all(h.article.kind == "file" for h in members):
        draft = _as_recap(
            draft, members, c.title, c.figures, c.highlights, frame(cfg, language), team_voice(cfg)
        )
    return _posts(rewrite(draft) if rewrite else draft, cfg, platforms, thread)


def _cluster_tags(c: Cluster, members: Sequence[Highlights]) -> list[str]:
    """The event's tags that its recaps' highlights also give, first, then the recaps' own:
    a post tags only what `highlights --json` says of its articles."""
    said = {t for h in members for t in h.hashtags}
    return [*(t for t in c.hashtags if t in said), *interleave([h.hashtags for h in members])]


def posts_for_digest(
    digest: Digest,
    cfg: Config,
    platforms: Sequence[Platform] | None = None,
    *,
    thread: bool = False,
    language: str | None = None,
    rewrite: Rewrite | None = None,
) -> tuple[Post, ...]:
    """The week in one post: what is new (its top story and key figure) first, then the
    newsletter and its week, every shown item, the link to this edition."""
    lang = language_code(language or digest.language)
    t = post_strings(lang)
    shown = [item.highlights for item in digest.shown]
    entries = _digest_entries(digest)
    draft = Draft(
        kind="digest",
        source=digest.period.label,
        language=lang,
        hook=top_story(digest, lang) or prose(digest_title(digest, lang), lang),
        summary=as_sentence(prose(digest_title(digest, lang), lang)) if digest.shown else "",
        entries=entries,
        # This edition's web version on the archive site, else the team's site.
        link=post_link(
            web_version(cfg.newsletter.web_url, digest.period.label) or cfg.newsletter.website_url
        ),
        link_label=t["read_digest"],
        entries_label=t["in_digest"],
        hashtags=post_tags(cfg, interleave([h.hashtags for h in shown])),
    )
    return _posts(rewrite(draft) if rewrite else draft, cfg, platforms, thread)


def _digest_entries(digest: Digest) -> tuple[Entry, ...]:
    """One entry per shown item, except that recaps of one event make one entry, the event."""
    clusters = {c.id: c for c in digest.clusters}
    by_source = {item.highlights.article.source: item.highlights for item in digest.items}
    entries: list[Entry] = []
    done: set[str] = set()
    for item in digest.shown:
        h = item.highlights
        event = clusters.get(item.cluster or "")
        if event is None:
            entries.append(
                Entry(
                    title=prose(h.title, h.language),
                    text=prose(entry_text(h.summary), h.language),
                    link=link_of(h),
                )
            )
        elif event.id not in done:
            done.add(event.id)
            lead = by_source.get(event.members[0], h)
            entries.append(
                Entry(
                    title=prose(event.title, lead.language),
                    text=prose(entry_text(event.summary), lead.language),
                    link=link_of(lead),
                )
            )
    return tuple(entries)


def post_files(posts: Sequence[Post]) -> dict[str, str]:
    """One file per platform; several posts (a thread, several sources) are separated by a line
    naming the part and its count, so each can be copied on its own."""
    files: dict[str, str] = {}
    for platform in PLATFORMS:
        mine = [p for p in posts if p.platform == platform]
        if not mine:
            continue
        if len(mine) == 1:
            files[f"social/{platform}.txt"] = mine[0].text + "\n"
            continue
        blocks = [f"{separator(p)}\n{p.text}\n" for p in mine]
        files[f"social/{platform}.txt"] = "\n".join(blocks)
    return files


def separator(post: Post) -> str:
    part = f"{post.part}/{post.parts} · " if post.parts > 1 else f"{post.source} · "
    return f"───── {part}{post.count}/{post.limit} ─────"


# -- rendering and fitting --------------------------------------------------------------------


def _posts(
    draft: Draft, cfg: Config, platforms: Sequence[Platform] | None, thread: bool
) -> tuple[Post, ...]:
    posts: list[Post] = []
    standing = frozenset(t.casefold() for t in hashtags(cfg.social.hashtags, keep=5))
    for platform in platforms if platforms is not None else cfg.social.platforms:
        max_count = limit(platform, cfg)
        mine = replace(draft, hashtags=platform_tags(draft.hashtags, cfg, platform))
        render = _renderer(platform, cfg)
        if thread and platform in THREAD_PLATFORMS:
            texts = thread_posts(mine, render, counter(platform, max_count), platform, standing)
        else:
            ok = counter(platform, max_count)
            texts = [fit(mine, render, ok, platform, standing)]
        for i, text in enumerate(texts, 1):
            posts.append(
                Post(
                    source=draft.source,
                    platform=platform,
                    language=draft.language,
                    text=text,
                    count=count(text, platform),
                    limit=max_count,
                    part=i,
                    parts=len(texts),
                    sources=draft.sources,
                )
            )
    return tuple(posts)


def _renderer(platform: Platform, cfg: Config) -> Callable[[Draft], str]:
    from recapmail.render.templates import render

    def _render(d: Draft) -> str:
        context: dict[str, object] = {
            "kind": d.kind,
            "language": d.language,
            "hook": d.hook,
            "figure": d.figure,
            "summary": d.summary,
            "bullets": list(d.bullets),
            "entries": list(d.entries),
            "entries_label": d.entries_label,
            "more": _more_text(d.more, bool(d.entries), d.language),
            "link": d.link or "",
            "link_label": addressed(d.link_label, d.language, cfg),
            "emoji": cfg.social.emoji,
            "colon": "\u202f:" if d.language == "fr" else ":",
            "hashtags": list(d.hashtags),
        }
        return tidy(render(f"social/{platform}.txt.j2", context, cfg.newsletter.templates_dir))

    return _render


def _more_text(n: int, listed: bool, language: str) -> str:
    if n <= 0:
        return ""
    t = post_strings(language)
    if not listed:
        return t["all"].format(n=n)
    return t["more_one"] if n == 1 else t["more"].format(n=n)


def tidy(text: str) -> str:
    """Whatever a template leaves: no trailing spaces, at most one blank line in a row."""
    import re

    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
