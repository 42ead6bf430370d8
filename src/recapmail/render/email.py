"""Digest -> newsletter: MJML from Jinja2 templates, HTML from mjml-python, a text part, an .eml.

Templates receive a view of the digest that is already safe and ready to show: outside text
cleaned of control characters and set in its language's typography, links checked by
`links.safe_url`, dates and numbers formatted for the newsletter's language. Jinja2 autoescape
then escapes every value, so no article, feed or config text can become MJML or HTML.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from recapmail import typography
from recapmail.config import Config
from recapmail.errors import RenderError
from recapmail.highlights.figures import phrase
from recapmail.highlights.sentences import split_sentences
from recapmail.model import Cluster, Digest, DigestItem, Figure, Newsletter
from recapmail.render import i18n
from recapmail.render.eml import build_eml, edition_date
from recapmail.render.links import safe_url, web_version, with_tracking
from recapmail.render.palette import Palette, palette
from recapmail.render.templates import render
from recapmail.text import visible

MJML_TEMPLATE = "email/newsletter.mjml.j2"
TEXT_TEMPLATE = "email/newsletter.txt.j2"
MAX_SUMMARY = 320  # characters: one or two sentences
MAX_HIGHLIGHTS = 4
MAX_FIGURES = 3
MAX_PREHEADER = 140
# Control characters break MJML's XML parser (and text.visible drops what disguises text).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True, slots=True)
class ItemView:
    title: str
    url: str | None
    ref: int | None  # the link's number in the text part's list
    source: str
    date: str
    summary: str
    language: str


@dataclass(frozen=True, slots=True)
class FigureView:
    value: str
    label: str
    phrase: str  # value and label as one phrase, for text: "près d'un million de contributions"


@dataclass(frozen=True, slots=True)
class TopStory:
    title: str
    url: str | None
    ref: int | None
    summary: str
    language: str
    figures: tuple[FigureView, ...]
    highlights: tuple[str, ...]
    sources: tuple[ItemView, ...]  # the cluster's articles; empty for a single-article story


@dataclass(frozen=True, slots=True)
class Group:
    name: str
    items: tuple[ItemView, ...]


@dataclass(frozen=True, slots=True)
class View:
    """Everything the email templates may use; each field is a template variable."""

    lang: str
    t: dict[str, str]
    subject: str
    preheader: str
    title: str
    period: str
    intro: str
    team: str
    reason: str
    brand: Palette
    logo_url: str | None
    logo_alt: str
    logo_width: int  # CSS pixels; the image itself is best at twice this for sharp screens
    logo_height: int
    website_url: str | None
    web_version_url: str | None  # this edition on the archive site ([newsletter] web_url)
    unsubscribe_url: str
    address: str
    top: TopStory | None
    groups: tuple[Group, ...]
    links: tuple[tuple[int, str], ...]
    count: int


def render_newsletter(digest: Digest, cfg: Config, label: str | None = None) -> Newsletter:
    """The whole email for one digest; the same digest and config give the same bytes."""
    view = build_view(digest, cfg, label)
    context = {f.name: getattr(view, f.name) for f in fields(View)}
    templates_dir = cfg.newsletter.templates_dir
    mjml = render(MJML_TEMPLATE, context, templates_dir)
    html = compile_mjml(mjml)
    text = render(TEXT_TEMPLATE, context, templates_dir)
    eml = build_eml(
        subject=view.subject,
        sender=cfg.newsletter.sender,
        to=cfg.newsletter.to,
        reply_to=cfg.newsletter.reply_to,
        date=edition_date(digest.period),
        language=view.lang,
        text=text,
        html=html,
        unsubscribe_url=view.unsubscribe_url,
    )
    return Newsletter(view.subject, view.preheader, mjml, html, text, eml)


def compile_mjml(mjml: str) -> str:
    from mjml import mjml2html

    try:
        html: str = mjml2html(mjml, include_loader=_no_include)
    except ValueError as exc:
        raise RenderError(f"{MJML_TEMPLATE}: the MJML does not compile: {exc}") from None
    html = html.replace(_MJML_PREVIEW_STYLE, _PREVIEW_STYLE, 1)
    return html if html.endswith("\n") else html + "\n"


# mj-preview hides the preheader with white text, which filters score as low-contrast text
# (SpamAssassin's HTML_FONT_LOW_CONTRAST); hidden by display, size and mso-hide is enough.
_MJML_PREVIEW_STYLE = (
    '<div style="display:none;font-size:1px;color:#ffffff;line-height:1px;max-height:0px;'
    'max-width:0px;opacity:0;overflow:hidden;">'
)
_PREVIEW_STYLE = (
    '<div style="display:none;font-size:1px;line-height:1px;max-height:0px;max-width:0px;'
    'opacity:0;overflow:hidden;mso-hide:all;">'
)


def _no_include(path: str) -> str:
    # Templates compose with Jinja2 includes; <mj-include> would read files outside the template
    # lookup, so it is refused even in a user's own template.
    raise ValueError(f"mj-include is not supported ({path}): use a Jinja2 include")


def build_view(digest: Digest, cfg: Config, label: str | None = None) -> View:
    """What the templates show; `label` names the edition (its folder), the period's label
    by default."""
    n = cfg.newsletter
    lang = digest.language or n.language
    team = _clean(n.team)
    t = {
        key: typography.apply(value.replace("{team}", team), lang)
        for key, value in i18n.strings(lang).items()
    }
    links = _Links(n.tracking, n.utm_source, digest.period.label)
    links.year = (digest.period.end - timedelta(seconds=1)).astimezone(ZoneInfo(n.timezone)).year
    shown = digest.shown
    top = _top_story(digest, shown, links, lang, n.timezone)
    in_top = _top_members(digest, shown)
    rest = [item for item in shown if item.highlights.article.source not in in_top]
    groups = _groups(rest, links, lang, n.timezone, t["other"])
    title = _clean(digest.title or n.title)
    period = i18n.format_period(digest.period, lang)
    subject = _subject(n.subject, title, period, top, len(shown), lang)
    unsubscribe = safe_url(n.unsubscribe_url) or _mailto_unsubscribe(n.sender, lang)
    intro = _clean(n.intro) or _default_intro(len(shown), lang)
    if digest.special:  # its own heading and intro: the weekly ones would say the wrong thing
        event = _short_title(top.title) if top is not None else title
        period = typography.apply(i18n.text("special_edition", lang, event=event), lang)
        intro = typography.apply(i18n.text("special_intro", lang, event=event), lang)
    return View(
        lang=lang,
        t=t,
        subject=subject,
        preheader=_preheader(top, len(shown), t, lang),
        title=typography.apply(title, lang),
        period=i18n.capitalize(period),
        intro=typography.apply(intro, lang),
        team=typography.apply(team, lang),
        reason=typography.apply(
            _clean(n.reason) or i18n.text("you_receive", lang, team=team), lang
        ),
        brand=palette(n.brand_color),
        logo_url=safe_url(n.logo_url),
        logo_alt=_clean(n.logo_alt) or team,
        logo_width=n.logo_width,
        logo_height=n.logo_height,
        website_url=links.track(safe_url(n.website_url)),
        web_version_url=safe_url(web_version(n.web_url, label or digest.period.label)),
        unsubscribe_url=unsubscribe,
        address=typography.apply(_clean(n.address), lang),
        top=top,
        groups=groups,
        links=tuple(links.numbered),
        count=len(shown),
    )


class _Links:
    """Checks, tags and numbers every link in the order the templates show them."""

    def __init__(self, tracking: bool, source: str, campaign: str) -> None:
        self.tracking = tracking
        self.source = source
        self.campaign = campaign
        self.numbered: list[tuple[int, str]] = []
        self.year = 0  # the edition's year: an item's date from another year shows its year

    def track(self, url: str | None) -> str | None:
        if url is None or not self.tracking:
            return url
        return with_tracking(url, self.source, self.campaign)

    def add(self, raw: str | None) -> tuple[str | None, int | None]:
        url = self.track(safe_url(raw))
        if url is None:
            return None, None
        for ref, known in self.numbered:
            if known == url:
                return url, ref
        self.numbered.append((len(self.numbered) + 1, url))
        return url, len(self.numbered)


def _default_intro(count: int, lang: str) -> str:
    if count == 0:
        return i18n.text("empty", lang)
    if count == 1:
        return i18n.text("intro_one", lang)
    return i18n.text("intro", lang, count=i18n.format_number(count, lang))


def _top_members(digest: Digest, shown: Sequence[DigestItem]) -> set[str]:
    if digest.clusters:
        lead = digest.clusters[0].id
        members = {i.highlights.article.source for i in shown if i.cluster == lead}
        if members:
            return members
    return {shown[0].highlights.article.source} if shown else set()


def _top_story(
    digest: Digest, shown: Sequence[DigestItem], links: _Links, lang: str, timezone: str
) -> TopStory | None:
    if not shown:
        return None
    cluster = digest.clusters[0] if digest.clusters else None
    members = [i for i in shown if cluster is not None and i.cluster == cluster.id]
    if cluster is None or not members:
        return _single_story(shown[0], links)
    return _cluster_story(cluster, members, links, lang, timezone)


def _single_story(item: DigestItem, links: _Links) -> TopStory:
    h = item.highlights
    lang = h.language
    url, ref = links.add(h.article.url or h.article.source)
    figures = tuple(_figure(f, lang) for f in h.figures[:MAX_FIGURES])
    summary = _summary(h.summary or h.article.description or "", lang)
    rest = [x for x in h.highlights if _clean(x) and _clean(x) not in h.summary]
    return TopStory(
        title=_typo(h.title, lang),
        url=url,
        ref=ref,
        summary=summary,
        language=lang,
        figures=figures,
        highlights=tuple(_typo(x, lang) for x in rest[:MAX_HIGHLIGHTS]),
        sources=(),
    )


def _cluster_story(
    cluster: Cluster, members: Sequence[DigestItem], links: _Links, lang: str, timezone: str
) -> TopStory:
    sources = tuple(_item(m, links, lang, timezone) for m in members)
    lang = members[0].highlights.language or lang
    first = next((s for s in sources if s.url), None)
    return TopStory(
        title=_typo(cluster.title, lang),
        url=first.url if first else None,
        ref=first.ref if first else None,
        summary=_summary(cluster.summary, lang),
        language=lang,
        figures=tuple(_figure(f, lang) for f in cluster.figures[:MAX_FIGURES]),
        highlights=tuple(_typo(x, lang) for x in cluster.highlights[:MAX_HIGHLIGHTS] if _clean(x)),
        sources=sources,
    )


def _groups(
    items: Sequence[DigestItem], links: _Links, lang: str, timezone: str, other: str
) -> tuple[Group, ...]:
    """Items grouped by their first tag, else their source; groups ordered by their best item."""
    by_tag = any(i.highlights.article.tags for i in items)
    order: dict[str, list[DigestItem]] = {}
    for item in items:
        a = item.highlights.article
        key = (a.tags[0] if a.tags else None) if by_tag else a.feed
        order.setdefault(_clean(key or "") or other, []).append(item)
    # Views are built in display order so that links are numbered as the reader meets them.
    return tuple(
        Group(typography.apply(key, lang), tuple(_item(i, links, lang, timezone) for i in group))
        for key, group in order.items()
    )


def _item(item: DigestItem, links: _Links, lang: str, timezone: str) -> ItemView:
    """One article; its title and summary in its own language, the date in the newsletter's."""
    h = item.highlights
    a = h.article
    url, ref = links.add(a.url or a.source)
    source = _clean(a.feed or "") or (urlsplit(url).hostname or "" if url else "")
    date = ""
    if a.published is not None:
        local = a.published.astimezone(ZoneInfo(timezone))
        date = i18n.format_day(local, lang, year=local.year != links.year)
    summary = h.summary or a.description or (h.highlights[0] if h.highlights else "")
    own = h.language or lang
    return ItemView(
        title=_typo(h.title or a.title or source, own),
        url=url,
        ref=ref,
        source=_typo(source.removeprefix("www."), lang),
        date=date,
        summary=_summary(summary, own),
        language=own,
    )


def _figure(figure: Figure, lang: str) -> FigureView:
    return FigureView(
        _typo(figure.value, lang), _typo(figure.label, lang), _typo(phrase(figure), lang)
    )


DEFAULT_SUBJECT = "{top} — {title}"  # the news first: a phone shows ~35 characters of it
PLAIN_SUBJECT = "{title} — {period}"  # a week without a top story
MAX_TOP_IN_SUBJECT = 70


def _subject(
    template: str, title: str, period: str, top: TopStory | None, count: int, lang: str
) -> str:
    """The subject from `[newsletter] subject` ({title}, {period}, {top}, {count})."""
    chosen = template or (DEFAULT_SUBJECT if top is not None else PLAIN_SUBJECT)
    story = _short_title(top.title) if top is not None else ""
    text = chosen.format(title=title, period=period, top=story, count=count)
    return typography.apply(" ".join(text.split()).strip(" —-:·"), lang)


def _short_title(title: str) -> str:
    """A long title by its head ("Journées OpenInfra Lyon 2026 : l'open source…" -> "Journées
    OpenInfra Lyon 2026"), else cut at a word: the subject's start is all a phone shows."""
    if len(title) > 50:
        for pattern in (r"\s?:\s", r"\s[–—|]\s"):
            head = re.split(pattern, title, maxsplit=1)[0].strip()
            if 12 <= len(head) < len(title):
                return _cut(head, MAX_TOP_IN_SUBJECT)
    return _cut(title, MAX_TOP_IN_SUBJECT)


def _preheader(top: TopStory | None, count: int, t: dict[str, str], lang: str) -> str:
    """ "À la une : <title> · et 5 autres articles", within what inboxes show."""
    if top is None:
        return t["empty"]
    text = _cut(f"{t['top_story']}{t['colon']} {top.title}", MAX_PREHEADER)
    others = count - max(1, len(top.sources))
    if others > 0:
        more = t["one_more"] if others == 1 else i18n.text("more", lang, count=others)
        text += f" · {typography.apply(more, lang)}"
    return text


def _mailto_unsubscribe(sender: str, lang: str) -> str:
    from email.utils import parseaddr

    subject = "Désinscription" if lang == "fr" else "Unsubscribe"
    return safe_url(f"mailto:{parseaddr(sender)[1]}?subject={subject}") or ""


def _clean(text: str) -> str:
    """Outside text as one line of safe characters (markup stays text: escaping comes later)."""
    return " ".join(_CONTROLS.sub("", visible(text)).split())


def _typo(text: str, lang: str) -> str:
    return typography.apply(_clean(text), lang)


def _summary(text: str, lang: str) -> str:
    """At most two sentences and MAX_SUMMARY characters: a teaser, not the article."""
    text = " ".join(split_sentences(_clean(text), lang)[:2])
    return typography.apply(_cut(text, MAX_SUMMARY), lang)


def _cut(text: str, limit: int) -> str:
    """Shorten to whole sentences when one fits, else to whole words with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    ends = [m.end() for m in re.finditer(r"[.!?…](?=\s)", head)]
    if ends and ends[-1] >= limit // 3:
        return head[: ends[-1]]
    cut = head[:limit].rsplit(" ", 1)[0].rstrip(" ,;:—–-")
    return f"{cut}…"
