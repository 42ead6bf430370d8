"""The words of a post's draft: its hook within LinkedIn's fold, titles cut at a clause,
takeaways that add to the summary, one sentence per digest entry, hashtags by the team's rules."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from recapmail.config import Config
from recapmail.model import Digest, Figure, Highlights, Platform
from recapmail.render.i18n import post_strings
from recapmail.render.shorten import clean, first_sentence, hashtags, shorten_words
from recapmail.render.social_fit import TAGS
from recapmail.render.social_text import as_sentence, shorten_sentences
from recapmail.typography import apply as typography

HOOK_LIMIT = 200  # LinkedIn folds a post behind "…see more" after about 200 characters
ENTRY_TEXT = 160  # one digest entry's sentence, in characters


def post_link(raw: str | None) -> str | None:
    """An http(s) link a reader may follow, or None: no javascript:, no credentials, no spaces."""
    from recapmail.render.links import safe_url

    url = safe_url(raw)
    if url is None or not url.lower().startswith(("http://", "https://")):
        return None
    if "@" in url.split("/", 3)[2] or len(url) > 1000:
        return None
    return url


def team_voice(cfg: Config) -> str:
    """Who speaks when a recap names no author: "" for "Nous", else the team's name."""
    return "" if cfg.social.first_person else cfg.newsletter.team


def addressed(label: str, language: str, cfg: Config) -> str:
    """The call to read as `[social] address` says it ("Lisez…", "Lis…"); French only."""
    t = post_strings(language)
    for key in ("read_recap", "read_article"):
        if cfg.social.address and label == t[key]:
            return t.get(f"{key}_{cfg.social.address}", label)
    return label


def language_code(code: str) -> str:
    code = (code or "").strip().lower()[:2]
    return code if code.isalpha() and len(code) == 2 else "fr"


def majority(values: Sequence[str]) -> str:
    counts = Counter(values)
    best = max(counts.values())
    return next(v for v in values if counts[v] == best)


def prose(text: str, language: str) -> str:
    """Outside text made clean, with the typography of its own language."""
    return typography(clean(text), language_code(language))


def figure_phrase(figure: Figure) -> str:
    from recapmail.highlights.figures import phrase

    return clean(phrase(figure))


def link_of(h: Highlights) -> str | None:
    return post_link(h.article.url) or post_link(h.article.source)


def hook_line(title: str, figures: Sequence[Figure], language: str) -> str:
    """What happened and the key figure, within LinkedIn's first 200 characters."""
    key = next((f for f in figures if clean(f.value) and clean(f.value) not in title), None)
    if key is None:
        return title_within(title, lambda s: len(s) <= HOOK_LIMIT) or title[:HOOK_LIMIT]
    # A title with a colon of its own takes the figure in brackets: one colon a line reads best.
    if ":" in title:
        tail = f" ({figure_phrase(key)})"
    else:
        tail = f"{' :' if language == 'fr' else ':'} {figure_phrase(key)}"
    head = title_within(title, lambda s: len(s) + len(tail) <= HOOK_LIMIT)
    return f"{head}{tail}" if head else figure_phrase(key)[:HOOK_LIMIT]


def title_within(title: str, fits: Callable[[str], bool]) -> str:
    """A title cut at a clause ("Journées X 2026 : la migration…" -> "Journées X 2026") when
    it is too long; at a word only when no clause fits."""
    return shorten_sentences(title, fits, close=False) or shorten_words(title, fits)


def digest_title(digest: Digest, language: str) -> str:
    from recapmail.render.i18n import format_period

    title = f"{clean(digest.title)}, {format_period(digest.period, language)}"
    return shorten_words(title, lambda s: len(s) <= HOOK_LIMIT // 2) or title[: HOOK_LIMIT // 2]


def top_story(digest: Digest, language: str) -> str:
    """ "À la une cette semaine : <the event or article that leads the week> (<its figure>)"."""
    if not digest.shown:
        return ""
    top = digest.shown[0]
    event = next((c for c in digest.clusters if c.id == top.cluster), None)
    title, figures = (event.title, event.figures) if event else (top.highlights.title, ())
    figures = figures or top.highlights.figures
    t = post_strings(language)
    own = language_code(top.highlights.language)
    story = hook_line(clean(title), figures, own)
    colon = " —" if ":" in story else "\u202f:" if language == "fr" else ":"
    lead = f"{t['top_week']}{colon} "
    story = title_within(story, lambda s: len(s) + len(lead) <= HOOK_LIMIT // 2 + 40) or story
    return as_sentence(f"{prose(lead, language)} {prose(story, own)}")


def kept_highlights(highlights: Sequence[str], summary: str, language: str) -> tuple[str, ...]:
    """Highlights that add to the summary, cleaned, at most five."""
    said = clean(summary).casefold()
    out: list[str] = []
    for raw in highlights:
        text = prose(raw, language)
        if text and clean(raw).casefold() not in said and text not in out:
            out.append(text)
    return tuple(out[:5])


def entry_text(summary: str) -> str:
    """The summary's first sentence, whole, or its first clauses closed as a sentence."""
    sentence = first_sentence(clean(summary))
    return shorten_sentences(sentence, lambda s: len(s) <= ENTRY_TEXT)


def interleave(groups: Sequence[Sequence[str]]) -> list[str]:
    """First of each group, then second of each..., so every top item gets a say."""
    out: list[str] = []
    depth = max((len(g) for g in groups), default=0)
    for i in range(depth):
        out.extend(g[i] for g in groups if i < len(g))
    return out


def post_tags(cfg: Config, candidates: Sequence[str]) -> tuple[str, ...]:
    """Content hashtags, most telling first, then the config's standing ones; deduplicated."""
    standing = hashtags(cfg.social.hashtags, keep=5)
    content = hashtags(candidates, keep=20)
    # The team's own name is no hashtag: a post that speaks for the team need not tag it.
    own = {t.casefold() for t in hashtags([cfg.newsletter.team], keep=1)}
    skip = {s.casefold() for s in standing} | own
    content = [tag for tag in content if tag.casefold() not in skip]
    return (*content, *(s for s in standing if s.casefold() not in own))


def platform_tags(tags: tuple[str, ...], cfg: Config, platform: Platform) -> tuple[str, ...]:
    """At most the platform's number, standing hashtags always among them."""
    most = TAGS[platform][0]
    standing = {t.casefold() for t in hashtags(cfg.social.hashtags, keep=5)}
    fixed = [t for t in tags if t.casefold() in standing][:most]
    content = [t for t in tags if t.casefold() not in standing][: most - len(fixed)]
    return (*content, *fixed)
