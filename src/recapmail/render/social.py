"""Digest, cluster or article -> LinkedIn, Mastodon and Bluesky posts, each within its limit.

A post is drafted with everything worth saying, in the team's language (`[newsletter]
language`, or the language asked for) around the articles' own sentences, rendered through the
platform's template (templates/social/<platform>.txt.j2, overridable from templates_dir), then
reduced (social_fit.py) until it fits the platform's limit as the platform counts it, never
inside a sentence. A recap of the team's own speaks as the team (social_voice.py). With
`thread`, a Mastodon or Bluesky post that does not fit is split into numbered parts instead.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace

from recapmail.config import Config
from recapmail.model import PLATFORMS, Cluster, Digest, Figure, Highlights, Platform, Post
from recapmail.render.counting import count, counter, limit
from recapmail.render.links import web_version
from recapmail.render.shorten import (
    clean,
    first_sentence,
    hashtags,
    sentences,
    shorten_words,
)
from recapmail.render.social_fit import TAGS, Draft, Entry, fit, thread_posts
from recapmail.render.social_text import as_sentence, shorten_sentences
from recapmail.typography import apply as typography

log = logging.getLogger(__name__)

# The model's accepted texts in place of the extractive ones (drafting/texts.py), when asked.
Rewrite = Callable[[Draft], Draft]
HOOK_LIMIT = 200  # LinkedIn folds a post behind "…see more" after about 200 characters
ENTRY_TEXT = 160  # one digest entry's sentence, in characters
THREAD_PLATFORMS: tuple[Platform, ...] = ("mastodon", "bluesky")

STRINGS: dict[str, dict[str, str]] = {
    "fr": {
        "read_recap": "Lire le compte rendu",
        "read_article": "Lire l’article",
        "read_recap_vous": "Lisez notre compte rendu",
        "read_article_vous": "Lisez l’article",
        "read_recap_tu": "Lis notre compte rendu",
        "read_article_tu": "Lis l’article",
        "read_digest": "Toute la lettre",
        "top_story": "À la une",
        "top_week": "À la une cette semaine",
        "other_recaps": "Autres comptes rendus",
        "in_digest": "Au sommaire",
        "more": "… et {n} autres sujets dans la lettre.",
        "more_one": "… et 1 autre sujet dans la lettre.",
        "all": "{n} sujets cette semaine dans la lettre.",
    },
    "en": {
        "read_recap": "Read the recap",
        "read_article": "Read the article",
        "read_digest": "The full newsletter",
        "top_story": "Top story",
        "top_week": "New this week",
        "other_recaps": "More recaps",
        "in_digest": "In this issue",
        "more": "…and {n} more in the newsletter.",
        "more_one": "…and 1 more in the newsletter.",
        "all": "{n} stories this week in the newsletter.",
    },
}


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
    lang = _language(h.language)
    t = _strings(frame(cfg, language))
    draft = Draft(
        kind="article",
        source=h.article.source,
        language=frame(cfg, language),
        hook=as_sentence(prose(_hook(clean(h.title), h.figures, lang), lang)),
        summary=prose(h.summary, lang),
        bullets=_bullets(h.highlights, h.summary, lang),
        link=_link(h),
        link_label=t["read_recap"] if h.article.kind == "file" else t["read_article"],
        hashtags=_tags(cfg, [*h.hashtags, *h.keywords]),
        sources=(h.article.source,),
    )
    if h.article.kind == "file":
        draft = _as_recap(
            draft, [h], h.title, h.figures, h.highlights, frame(cfg, language), _team_voice(cfg)
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
    return _language(language or cfg.newsletter.language)


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
    source_language = _majority([h.language for h in members]) if members else language
    t = _strings(language)
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
    lang = _language(_majority([h.language for h in members]) if members else "")
    t = _strings(frame(cfg, language))
    # The recap in the frame's language leads: its link is the one the post asks to read.
    linked = sorted(
        ((h, link) for h in members if (link := _link(h))),
        key=lambda pair: _language(pair[0].language) != frame(cfg, language),
    )
    others = tuple(Entry(title=prose(h.title, h.language), link=link) for h, link in linked[1:])
    draft = Draft(
        kind="cluster",
        source=c.id,
        language=frame(cfg, language),
        hook=as_sentence(prose(_hook(clean(c.title), c.figures, lang), lang)),
        summary=prose(c.summary, lang),
        bullets=_bullets(c.highlights, c.summary, lang),
        entries=others,
        link=linked[0][1] if linked else None,
        link_label=t["read_recap"],
        entries_label=t["other_recaps"],
        hashtags=_tags(
            cfg, [*c.hashtags, *c.keywords, *_interleave([h.hashtags for h in members])]
        ),
        sources=tuple(h.article.source for h in members),
    )
    if members and all(h.article.kind == "file" for h in members):
        draft = _as_recap(
            draft, members, c.title, c.figures, c.highlights, frame(cfg, language), _team_voice(cfg)
        )
    return _posts(rewrite(draft) if rewrite else draft, cfg, platforms, thread)


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
    lang = _language(language or digest.language)
    t = _strings(lang)
    shown = [item.highlights for item in digest.shown]
    entries = _digest_entries(digest)
    draft = Draft(
        kind="digest",
        source=digest.period.label,
        language=lang,
        hook=_top_story(digest, lang) or prose(_digest_title(digest, lang), lang),
        summary=as_sentence(prose(_digest_title(digest, lang), lang)) if digest.shown else "",
        entries=entries,
        # This edition's web version on the archive site, else the team's site.
        link=post_link(
            web_version(cfg.newsletter.web_url, digest.period.label) or cfg.newsletter.website_url
        ),
        link_label=t["read_digest"],
        entries_label=t["in_digest"],
        hashtags=_tags(cfg, _interleave([h.hashtags or h.keywords for h in shown])),
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
                    text=prose(_entry_text(h.summary), h.language),
                    link=_link(h),
                )
            )
        elif event.id not in done:
            done.add(event.id)
            lead = by_source.get(event.members[0], h)
            entries.append(
                Entry(
                    title=prose(event.title, lead.language),
                    text=prose(_entry_text(event.summary), lead.language),
                    link=_link(lead),
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


def format_for_terminal(post: Post) -> str:
    """The post as the CLI shows it: a header line, the text, and its count against the limit."""
    name = {"linkedin": "LinkedIn", "mastodon": "Mastodon", "bluesky": "Bluesky"}[post.platform]
    part = f" {post.part}/{post.parts}" if post.parts > 1 else ""
    over = "  OVER THE LIMIT" if post.count > post.limit else ""
    unit = "UTF-16 characters" if post.platform == "linkedin" else "characters"
    return (
        f"── {name}{part} · {post.source} ──\n{post.text}\n"
        f"{post.count:,}/{post.limit:,} {unit}{over}\n"
    )


def post_link(raw: str | None) -> str | None:
    """An http(s) link a reader may follow, or None: no javascript:, no credentials, no spaces."""
    from recapmail.render.links import safe_url

    url = safe_url(raw)
    if url is None or not url.lower().startswith(("http://", "https://")):
        return None
    if "@" in url.split("/", 3)[2] or len(url) > 1000:
        return None
    return url


# -- drafting ---------------------------------------------------------------------------------


def _team_voice(cfg: Config) -> str:
    """Who speaks when a recap names no author: "" for "Nous", else the team's name."""
    return "" if cfg.social.first_person else cfg.newsletter.team


def _addressed(label: str, language: str, cfg: Config) -> str:
    """The call to read as `[social] address` says it ("Lisez…", "Lis…"); French only."""
    t = _strings(language)
    for key in ("read_recap", "read_article"):
        if cfg.social.address and label == t[key]:
            return t.get(f"{key}_{cfg.social.address}", label)
    return label


def _strings(language: str) -> dict[str, str]:
    return STRINGS.get(language, STRINGS["en"])


def _language(code: str) -> str:
    code = (code or "").strip().lower()[:2]
    return code if code.isalpha() and len(code) == 2 else "fr"


def _majority(values: Sequence[str]) -> str:
    counts = Counter(values)
    best = max(counts.values())
    return next(v for v in values if counts[v] == best)


def prose(text: str, language: str) -> str:
    """Outside text made clean, with the typography of its own language."""
    return typography(clean(text), _language(language))


def figure_phrase(figure: Figure) -> str:
    from recapmail.highlights.figures import phrase

    return clean(phrase(figure))


def _link(h: Highlights) -> str | None:
    return post_link(h.article.url) or post_link(h.article.source)


def _hook(title: str, figures: Sequence[Figure], language: str) -> str:
    """What happened and the key figure, within LinkedIn's first 200 characters."""
    key = next((f for f in figures if clean(f.value) and clean(f.value) not in title), None)
    if key is None:
        return _title_within(title, lambda s: len(s) <= HOOK_LIMIT) or title[:HOOK_LIMIT]
    # A title with a colon of its own takes the figure in brackets: one colon a line reads best.
    if ":" in title:
        tail = f" ({figure_phrase(key)})"
    else:
        tail = f"{' :' if language == 'fr' else ':'} {figure_phrase(key)}"
    head = _title_within(title, lambda s: len(s) + len(tail) <= HOOK_LIMIT)
    return f"{head}{tail}" if head else figure_phrase(key)[:HOOK_LIMIT]


def _title_within(title: str, fits: Callable[[str], bool]) -> str:
    """A title cut at a clause ("Journées X 2026 : la migration…" -> "Journées X 2026") when
    it is too long; at a word only when no clause fits."""
    return shorten_sentences(title, fits, close=False) or shorten_words(title, fits)


def _digest_title(digest: Digest, language: str) -> str:
    from recapmail.render.i18n import format_period

    title = f"{clean(digest.title)}, {format_period(digest.period, language)}"
    return shorten_words(title, lambda s: len(s) <= HOOK_LIMIT // 2) or title[: HOOK_LIMIT // 2]


def _top_story(digest: Digest, language: str) -> str:
    """ "À la une cette semaine : <the event or article that leads the week> (<its figure>)"."""
    if not digest.shown:
        return ""
    top = digest.shown[0]
    event = next((c for c in digest.clusters if c.id == top.cluster), None)
    title, figures = (event.title, event.figures) if event else (top.highlights.title, ())
    figures = figures or top.highlights.figures
    t = _strings(language)
    own = _language(top.highlights.language)
    story = _hook(clean(title), figures, own)
    colon = " —" if ":" in story else "\u202f:" if language == "fr" else ":"
    lead = f"{t['top_week']}{colon} "
    story = _title_within(story, lambda s: len(s) + len(lead) <= HOOK_LIMIT // 2 + 40) or story
    return as_sentence(f"{prose(lead, language)} {prose(story, own)}")


def _bullets(highlights: Sequence[str], summary: str, language: str) -> tuple[str, ...]:
    """Highlights that add to the summary, cleaned, at most five."""
    said = clean(summary).casefold()
    out: list[str] = []
    for raw in highlights:
        text = prose(raw, language)
        if text and clean(raw).casefold() not in said and text not in out:
            out.append(text)
    return tuple(out[:5])


def _entry_text(summary: str) -> str:
    """The summary's first sentence, whole, or its first clauses closed as a sentence."""
    sentence = first_sentence(clean(summary))
    return shorten_sentences(sentence, lambda s: len(s) <= ENTRY_TEXT)


def _interleave(groups: Sequence[Sequence[str]]) -> list[str]:
    """First of each group, then second of each..., so every top item gets a say."""
    out: list[str] = []
    depth = max((len(g) for g in groups), default=0)
    for i in range(depth):
        out.extend(g[i] for g in groups if i < len(g))
    return out


def _tags(cfg: Config, candidates: Sequence[str]) -> tuple[str, ...]:
    """Content hashtags, most telling first, then the config's standing ones; deduplicated."""
    standing = hashtags(cfg.social.hashtags, keep=5)
    content = hashtags(candidates, keep=20)
    # The team's own name is no hashtag: a post that speaks for the team need not tag it.
    own = {t.casefold() for t in hashtags([cfg.newsletter.team], keep=1)}
    skip = {s.casefold() for s in standing} | own
    content = [tag for tag in content if tag.casefold() not in skip]
    return (*content, *(s for s in standing if s.casefold() not in own))


def _platform_tags(tags: tuple[str, ...], cfg: Config, platform: Platform) -> tuple[str, ...]:
    """At most the platform's number, standing hashtags always among them."""
    most = TAGS[platform][0]
    standing = {t.casefold() for t in hashtags(cfg.social.hashtags, keep=5)}
    fixed = [t for t in tags if t.casefold() in standing][:most]
    content = [t for t in tags if t.casefold() not in standing][: most - len(fixed)]
    return (*content, *fixed)


# -- rendering and fitting --------------------------------------------------------------------


def _posts(
    draft: Draft, cfg: Config, platforms: Sequence[Platform] | None, thread: bool
) -> tuple[Post, ...]:
    posts: list[Post] = []
    standing = frozenset(t.casefold() for t in hashtags(cfg.social.hashtags, keep=5))
    for platform in platforms if platforms is not None else cfg.social.platforms:
        max_count = limit(platform, cfg)
        mine = replace(draft, hashtags=_platform_tags(draft.hashtags, cfg, platform))
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
            "link_label": _addressed(d.link_label, d.language, cfg),
            "emoji": cfg.social.emoji,
            "colon": "\u202f:" if d.language == "fr" else ":",
            "hashtags": list(d.hashtags),
        }
        return tidy(render(f"social/{platform}.txt.j2", context, cfg.newsletter.templates_dir))

    return _render


def _more_text(n: int, listed: bool, language: str) -> str:
    if n <= 0:
        return ""
    t = _strings(language)
    if not listed:
        return t["all"].format(n=n)
    return t["more_one"] if n == 1 else t["more"].format(n=n)


def tidy(text: str) -> str:
    """Whatever a template leaves: no trailing spaces, at most one blank line in a row."""
    import re

    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
