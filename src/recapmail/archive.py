"""`recapmail archive`: a static site of the published editions in an output folder.

SITE/index.html lists them newest first; SITE/<edition>/index.html is each one's web version
(its newsletter.html with a description and Open Graph tags, so a shared link shows a card);
SITE/feed.xml is an Atom feed of them. Only editions the state records as published are
taken: drafts never reach the site. The site is written whole each time (output.write_folder),
so an edition removed from OUT leaves it, and the same editions give the same bytes.
Links inside the site are relative; `[newsletter] web_url` makes the feed's links absolute.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree as ET

from recapmail.config import Config
from recapmail.errors import RecapmailError
from recapmail.model import Period
from recapmail.render.links import web_version
from recapmail.state import State
from recapmail.text import slugify

ATOM = "http://www.w3.org/2005/Atom"


@dataclass(frozen=True, slots=True)
class WebEdition:
    label: str
    subject: str
    description: str
    lang: str
    period: str  # as the reader says it: "semaine du 23 au 29 novembre 2026"
    published_at: datetime
    top: str  # the top story's title
    figure: str  # its key figure, "650 participants"
    page: str  # the web version's HTML

    @property
    def href(self) -> str:
        return f"{self.label}/index.html"


def build_site(cfg: Config, out_root: Path, site: Path) -> list[WebEdition]:
    """Write the site of the editions published from `out_root`; returns them, newest first."""
    from recapmail.output import write_folder

    if not out_root.is_dir():
        raise RecapmailError(f"{out_root}: no such output folder (give the folder digest writes)")
    if site.resolve() == out_root.resolve() or site.resolve() in out_root.resolve().parents:
        raise RecapmailError(f"{site}: the site would replace {out_root}; give another --site")
    with State.open(cfg.state_path, read_only=True) as state:
        published = state.published()
    editions = []
    for record in published:
        folder = out_root / record.label
        if (folder / "newsletter.html").is_file() and (folder / "digest.json").is_file():
            editions.append(_web_edition(cfg, folder, record.label, record.published_at))
    editions.sort(key=lambda e: (e.published_at, e.label), reverse=True)
    files: dict[str, str | bytes] = {e.href: e.page for e in editions}
    files["index.html"] = _index(cfg, editions)
    files["feed.xml"] = _feed(cfg, editions)
    write_folder(site, files)
    return editions


def _web_edition(cfg: Config, folder: Path, label: str, published_at: datetime) -> WebEdition:
    from recapmail.render import i18n

    try:
        data = json.loads((folder / "digest.json").read_text(encoding="utf-8"))
        page = (folder / "newsletter.html").read_text(encoding="utf-8")
        p = data["period"]
        period = Period(
            datetime.fromisoformat(p["start"]), datetime.fromisoformat(p["end"]), p["label"],
            p.get("timezone") or cfg.newsletter.timezone,
        )  # fmt: skip
        newsletter = data.get("newsletter") or {}
        lang = str(data.get("language") or cfg.newsletter.language)
        shown = [i for i in data["items"] if i.get("shown", True)]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RecapmailError(f"{folder}: unreadable edition ({exc}); make it again") from None
    top = shown[0] if shown else {}
    figure = next(iter(top.get("figures") or []), None)
    subject = str(newsletter.get("subject") or data.get("title") or label)
    description = str(newsletter.get("preheader") or top.get("summary") or subject)
    edition = WebEdition(
        label=label, subject=subject, description=description, lang=lang,
        period=i18n.capitalize(i18n.format_period(period, lang)), published_at=published_at,
        top=str(top.get("title") or ""),
        figure=f"{figure['value']} {figure['label']}".strip() if figure else "", page="",
    )  # fmt: skip
    return _with_page(edition, page, web_version(cfg.newsletter.web_url, label))


def _with_page(edition: WebEdition, page: str, url: str | None) -> WebEdition:
    """The newsletter as a web page: a description and a card for links shared to it."""
    e = html.escape
    tags = [
        f'<meta name="description" content="{e(edition.description)}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{e(edition.subject)}">',
        f'<meta property="og:description" content="{e(edition.description)}">',
    ]
    if url:
        tags.append(f'<meta property="og:url" content="{e(url)}">')
        tags.append(f'<link rel="canonical" href="{e(url)}">')
    tags.append('<link rel="alternate" type="application/atom+xml" href="../feed.xml">')
    tags.append("<style>.rm-view-online { display: none !important; }</style>")  # it is here
    head = re.search(r"<head[^>]*>", page)
    if head is None:
        raise RecapmailError(f"{edition.label}: newsletter.html has no <head>; make it again")
    page = page[: head.end()] + "\n" + "\n".join(tags) + page[head.end() :]
    return replace(edition, page=page)


def _index(cfg: Config, editions: list[WebEdition]) -> str:
    from recapmail.render import i18n
    from recapmail.render.palette import palette
    from recapmail.render.templates import render

    n = cfg.newsletter
    lang = n.language
    return render(
        "archive/index.html.j2",
        {
            "lang": lang, "t": i18n.strings(lang), "title": n.title, "team": n.team,
            "description": i18n.strings(lang)["archive_intro"] + f" · {n.title}",
            "brand": palette(n.brand_color), "web_url": n.web_url, "website_url": n.website_url,
            "editions": editions,
        },
        n.templates_dir,
    )  # fmt: skip


def _feed(cfg: Config, editions: list[WebEdition]) -> str:
    """An Atom feed: one entry per edition, its summary the description, newest first."""
    n = cfg.newsletter
    base = n.web_url.rstrip("/") + "/" if n.web_url else ""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": n.language})
    ET.SubElement(feed, f"{{{ATOM}}}title").text = n.title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = base or f"urn:recapmail:{slugify(n.title)}"
    updated = editions[0].published_at if editions else datetime(2000, 1, 1).astimezone()
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = updated.isoformat(timespec="seconds")
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "alternate", "href": base + "index.html"})
    if base:
        ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "href": base + "feed.xml"})
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = n.team
    for e in editions:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}title").text = e.subject
        link = base + e.href if base else e.href
        ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "alternate", "href": link})
        ET.SubElement(entry, f"{{{ATOM}}}id").text = (
            f"{base}{e.label}/" if base else f"urn:recapmail:{slugify(n.title)}:{e.label}"
        )
        stamp = e.published_at.isoformat(timespec="seconds")
        ET.SubElement(entry, f"{{{ATOM}}}published").text = stamp
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = stamp
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = e.description
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"
